"""Retention sweep at scale (T1/T2): ours vs raw set-based SQL (the limit) vs a per-object ORM loop (the peer).

``make bench BENCH_ARGS="--only bench_retention --scale 1000000"`` with ``DATABASE_URL`` set runs on
PostgreSQL in throwaway databases ``$BENCH_DATABASE`` and ``$BENCH_DATABASE_template`` (default
``bench_retention``; set it so that two people can run benchmarks at once), created, then dropped;
without it, on temporary SQLite files. Real data is never touched.

Data (``retention_data``): ``scale`` synthetic subjects, each with two expired roles (prospect,
purchaser/renter), 2 consent events, 1 marketing basis, 3 navigation records; every second subject
also 1 contract, 1 order + 1 delivery, 1 invoice + 1 payment, 1 support ticket, 1 assumed interest;
every fourth 1 mobile device, 1 promotion participation, 1 third-party record; one in ten a note.
Populated once, set-based, into a template; every contender runs on a fresh copy of it.

Contenders, each in a forked child so that its peak RSS is its own (``os.wait4``):

* **ours**: ``retention.services.sweep`` (keyset batches of ``BATCH`` role rows, one transaction each);
* **raw SQL, batches** (``retention_raw_sql.batched``): the same work hand-written as set-based SQL
  under the same constraints (same batches, one short transaction each, SKIP LOCKED, suspended
  subjects left alone, every child table deleted or anonymised as our sources do). **The T1 ratio
  is ours against this one**;
* **raw SQL, one transaction** (floor, breaks the 1 s batch rule): the same work in one
  transaction over the whole set; informative, its ratio is printed on ours' line too;
* **per-object ORM** (the peer, what the usual Django GDPR libraries do: load each object, act on
  it, save or delete it): slow, so it runs on the first ``PEER_SAMPLE`` subjects only and its rate
  is what is compared. On *anonymise* it blanks the subject row only (its child rows are left as
  they are): its rate flatters it.

Two scenarios: *anonymise* (T1) and *delete* (T2). Printed per contender: subjects/s, ratio to raw
SQL, peak RSS, worst batch (one transaction), an immediate re-run. The final states (per table:
rows, rows still holding personal values) of ours and both raw SQL contenders are compared, so a
contender doing less work does not win. T2 also kills ours with SIGKILL at a random point (seeded,
``BENCH_SEED`` to replay), restarts it and compares the final state with the raw-SQL one.
"""

from __future__ import annotations

import functools
import json
import os
import random
import signal
import time
from collections.abc import Callable
from datetime import date

from . import results as bench_results
from . import retention_data as data
from . import retention_raw_sql as raw_sql

AS_OF = date(2026, 11, 26)
BATCH = 5000
PEER_SAMPLE = 2000
ONE_MILLION = 1_000_000


def _configure_rules(action: str) -> None:
    from retention.models import RetentionRule

    RetentionRule.objects.filter(code__in=["prospect", "purchaser-identification"]).update(
        end_of_active_action=action, requires_approval=False
    )


def _ours(action: str, workers: int = 1) -> dict:
    from retention.services import sweep

    started = time.perf_counter()
    run = sweep(now=AS_OF, commit=True, batch_size=BATCH, workers=workers)
    elapsed = time.perf_counter() - started
    assert not run.errors, run.errors
    again = time.perf_counter()
    rerun = sweep(now=AS_OF, commit=True, batch_size=BATCH, workers=workers)
    rerun_seconds = time.perf_counter() - again
    changed = sum(sum(counts.values()) for counts in rerun.counts.values())
    return {
        "seconds": elapsed,
        "worst_batch": run.worst_batch_seconds,
        "rerun": rerun_seconds,
        "rerun_changed": changed,
    }


def _per_object_orm(action: str) -> dict:
    """What the usual Django GDPR libraries do: load each object, act on it, save or delete it."""
    from retention.models import RetentionRule
    from subjects.models import DataSubject, SubjectRole
    from subjects.sources import ANONYMISED_IDENTITY

    sample = list(DataSubject.objects.order_by("id").values_list("id", flat=True)[:PEER_SAMPLE])
    started = time.perf_counter()
    for code in ("prospect", "purchaser-identification"):
        rule = RetentionRule.objects.get(code=code)
        expired = SubjectRole.objects.filter(rule.role_expired_q(AS_OF, rule.active_months), subject_id__in=sample)
        for role in expired.iterator():
            subject = role.subject
            role.delete()
            if subject.roles.exists():
                continue
            if action == "delete":
                subject.delete()
            else:
                for name, value in ANONYMISED_IDENTITY.items():
                    setattr(subject, name, value)
                subject.save()
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "subjects": len(sample), "worst_batch": None, "rerun": None, "rerun_changed": None}


# What the nightly sweep runs with on PostgreSQL (settings.RETENTION_SWEEP_WORKERS, default 2).
WORKERS = int(os.environ.get("RETENTION_SWEEP_WORKERS", "2"))
PRODUCTION = f"ours, {WORKERS} workers"

CONTENDERS: tuple[tuple[str, Callable[[str], dict], bool], ...] = (
    # name, contender, whether its final state is compared (the peer works on a sample only)
    ("ours", _ours, True),
    (PRODUCTION, functools.partial(_ours, workers=WORKERS), True),
    ("raw SQL, batches", lambda action: raw_sql.batched(action, today=AS_OF, batch_size=BATCH), True),
    ("raw SQL, one transaction", lambda action: raw_sql.one_transaction(action, today=AS_OF), True),
    ("per-object ORM", _per_object_orm, False),
)
NOTES = {
    "ours": "one connection, like for like with raw SQL: the T1 ratio",
    PRODUCTION: "the nightly configuration (RETENTION_SWEEP_WORKERS): T1 and T2 times",
    "raw SQL, batches": "the limit: the ratios are against this",
    "raw SQL, one transaction": "floor, breaks the 1 s batch rule: informative",
}


def _in_child(work: Callable[[], dict], *, state: bool = True) -> dict:
    """Run ``work`` in a forked process: its own connection, its own peak RSS."""
    from django.db import connections

    connections.close_all()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: whatever happens, it ends here (never in the parent's cleanup)
        try:
            os.close(read_end)
            try:
                result = work()
                if state:
                    result["state"] = data.final_state()
            except Exception as exc:  # reported by the parent
                result = {"error": f"{type(exc).__name__}: {exc}"}
            with os.fdopen(write_end, "w") as pipe:
                json.dump(result, pipe)
            connections.close_all()
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        payload = pipe.read()
    _pid, _status, usage = os.wait4(pid, 0)
    result = json.loads(payload or '{"error": "child died"}')
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def _fmt(value: float | None, pattern: str) -> str:
    return "-" if value is None else pattern.format(value)


def _rate(result: dict, scale: int) -> float:
    return result.get("subjects", scale) / result["seconds"] if result["seconds"] else float("inf")


def _print_contenders(results: dict, scale: int) -> None:
    limit = {name: _rate(results[name], scale) for name in ("raw SQL, batches", "raw SQL, one transaction")}
    for name, result in results.items():
        if "error" in result:
            print(f"     {name:24} ERROR {result['error']}")
            continue
        rate = _rate(result, scale)
        ratio = f"x{rate / limit['raw SQL, batches']:5.2f} of raw SQL batches"
        if name.startswith("ours"):
            ratio += f", x{rate / limit['raw SQL, one transaction']:.2f} of raw SQL one transaction"
        done = result.get("subjects", scale)
        note = NOTES.get(name, "" if done == scale else f"on {done} subjects")
        print(
            f"     {name:24} {result['seconds']:8.2f} s {rate:8.0f} subj/s  {ratio}  "
            f"peak RSS {result['peak_rss_mb']:4.0f} MB  worst batch {_fmt(result['worst_batch'], '{:.3f} s')}  "
            f"re-run {_fmt(result['rerun'], '{:.2f} s')} ({_fmt(result['rerun_changed'], '{} rows')})"
            + (f"  [{note}]" if note else "")
        )


def _compare(name: str, state: dict | None, expected: dict | None) -> str:
    if state is None or expected is None:
        return "NO: a contender failed"
    if state == expected:
        return "yes"
    differing = [
        f"{table} {expected.get(table)} vs {name} {state.get(table)}"
        for table in sorted(set(state) | set(expected))
        if state.get(table) != expected.get(table)
    ]
    return "NO: " + "; ".join(differing)


def _met(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def _verdict(target: str, name: str, results: dict, scale: int) -> None:
    ours = results[name]
    if "error" in ours or "error" in results["raw SQL, batches"]:
        return
    rate = _rate(ours, scale)
    projected = ONE_MILLION / rate
    rss = ours["peak_rss_mb"]
    limit = _rate(results["raw SQL, batches"], scale)
    bench_results.record("bench_retention", f"{target} {name}", ours=rate, unit="subj/s", stock=limit,
                         stock_label="raw SQL batches", target=">= 0.5x raw SQL" if target == "T1" else "",
                         met=rate / limit >= 0.5 if target == "T1" and scale == ONE_MILLION else None)  # fmt: skip
    bench_results.record("bench_retention", f"{target} {name}, 1M subjects", ours=projected, unit="s",
                         target="<= 180 s" if target == "T1" else "<= 300 s",
                         met=projected <= (180 if target == "T1" else 300) if scale == ONE_MILLION else None,
                         note="" if scale == ONE_MILLION else f"projected from {scale}")  # fmt: skip
    if target == "T1":
        ratio = rate / _rate(results["raw SQL, batches"], scale)
        print(
            f"     T1 at {scale}, {name}: ratio to raw SQL batches {ratio:.2f} (>= 0.5: {_met(ratio >= 0.5)}), "
            f"worst batch {ours['worst_batch']:.3f} s (<= 1 s: {_met(ours['worst_batch'] <= 1)}), "
            f"peak RSS {rss:.0f} MB (<= 200: {_met(rss <= 200)}), re-run {ours['rerun']:.2f} s "
            f"(<= 5 s: {_met(ours['rerun'] <= 5)}), 1M at this rate {projected:.0f} s (<= 180 s: "
            f"{_met(projected <= 180)}; a linear projection unless scale is 1M)"
        )
    else:
        print(
            f"     T2 at {scale}, {name}: peak RSS {rss:.0f} MB (<= 200: {_met(rss <= 200)}), 1M at this rate "
            f"{projected:.0f} s (<= 300 s: {_met(projected <= 300)}; a linear projection unless scale is 1M)"
        )


def _kill_and_restart(databases: data.Databases, action: str, ours_seconds: float, expected: dict | None) -> None:
    """T2: SIGKILL ours at a random point (20-80 % of its measured time), restart it, check the final state."""
    from django.db import connections

    from retention.services import sweep

    seed = int(os.environ.get("BENCH_SEED") or random.SystemRandom().randrange(1_000_000))
    delay = random.Random(seed).uniform(0.2, 0.8) * ours_seconds
    config, _copy_seconds = databases.fresh_copy()
    data.use_database(config)
    _configure_rules(action)
    connections.close_all()
    pid = os.fork()
    if pid == 0:  # child: the sweep, until killed
        try:
            sweep(now=AS_OF, commit=True, batch_size=BATCH, workers=WORKERS)
            connections.close_all()
        finally:
            os._exit(0)
    started = time.perf_counter()
    finished_first = False
    try:
        while (elapsed := time.perf_counter() - started) < delay:
            if os.waitpid(pid, os.WNOHANG)[0]:
                finished_first = True
                break
            time.sleep(0.002)
    finally:
        if not finished_first:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    # The server ends the dead client's session (rolling back its batch, releasing its row locks) when
    # it notices the closed socket; a restart before that would SKIP LOCKED rows and leave them to the
    # next run, so the restart waits for it, as a restarted worker would find it gone.
    session_end = databases.wait_for_sessions_to_end()
    restarted = _in_child(lambda: _ours(action, workers=WORKERS))
    exact = _compare("restarted", restarted.get("state"), expected)
    if finished_first:
        print(
            f"     kill at {delay:.2f} s (seed {seed}): ours finished first ({elapsed:.2f} s), not killed; "
            f"run again: final state exact: {exact}"
        )
        return
    print(
        f"     killed at {elapsed:.2f} s (seed {seed}, {delay / ours_seconds:.0%} of ours' time"
        + (f"; its session ended {session_end:.2f} s later" if databases.postgres else "")
        + f"), restarted ({_fmt(restarted.get('seconds'), '{:.2f} s')}): final state exact: {exact}"
    )


def run(scale: int) -> None:
    databases = data.Databases()
    try:
        data.use_database(databases.create_template())
        from django.db import connection

        populated = _in_child(lambda: data.migrate_and_populate(scale), state=False)
        if "error" in populated:
            raise RuntimeError(f"populate failed: {populated['error']}")
        template = populated["state"]
        print(
            f"   {scale} subjects on {connection.vendor}, batches of {BATCH}, as of {AS_OF}; populated once in "
            f"{populated['seconds']:.1f} s (peak RSS {populated['peak_rss_mb']:.0f} MB), rows/with personal values:"
        )
        print(f"     {data.describe(template, only=lambda table: False)} (the other tables: empty)")
        mismatches = raw_sql.registry_mismatches()
        print(
            "   raw SQL's child work checked against the registered sources: "
            + ("same tables, same deletes and anonymised columns" if not mismatches else "NO: " + "; ".join(mismatches))
        )
        for action, target in (("anonymise", "T1"), ("delete", "T2")):
            results, copies = {}, []
            for name, contender, compared in CONTENDERS:
                config, copy_seconds = databases.fresh_copy()
                copies.append(copy_seconds)
                data.use_database(config)
                _configure_rules(action)
                results[name] = _in_child(functools.partial(contender, action), state=compared)
            databases.drop_copy()
            print(
                f"   [{target}] {action} (fresh copy of the template for each, {max(copies):.1f} s at most; "
                f"x = throughput / raw SQL in batches of {BATCH}, one transaction each):"
            )
            _print_contenders(results, scale)
            expected = results["raw SQL, batches"].get("state")
            if expected is not None:
                populated_tables = {table for table, counts in template.items() if counts[0]}
                final = data.describe(expected, only=populated_tables.__contains__)
                print(f"     final state, rows/with personal values: {final}")
            ours = results["ours"].get("state")
            print(f"     ours = raw SQL final state: {_compare('ours', ours, expected)}")
            parallel = results[PRODUCTION].get("state")
            print(f"     {PRODUCTION} = raw SQL final state: {_compare(PRODUCTION, parallel, expected)}")
            one = results["raw SQL, one transaction"].get("state")
            print(f"     ours = raw SQL, one transaction, final state: {_compare('ours', ours, one)}")
            _verdict(target, "ours", results, scale)
            _verdict(target, PRODUCTION, results, scale)
            if action == "delete" and "error" not in results[PRODUCTION]:
                _kill_and_restart(databases, action, results[PRODUCTION]["seconds"], expected)
    finally:
        from django.db import connections

        connections.close_all()
        databases.cleanup()
