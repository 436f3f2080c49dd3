"""Retention sweep at scale (T1/T2): ours vs raw set-based SQL (the limit) vs a per-object ORM loop (the peer).

``make bench BENCH_ARGS="--only bench_retention --scale 1000000"`` with ``DATABASE_URL`` set runs on
PostgreSQL in a throwaway database ``bench_retention`` (created, then dropped); without it, on a
temporary SQLite file. Real data is never touched.

Each of ``scale`` synthetic subjects holds two expired roles (prospect, purchaser/renter). Two
scenarios: *anonymise* (T1) and *delete* (T2). For each, the same data set is rebuilt before each
contender, which runs in a forked child so its peak RSS is its own (``os.wait4``). Printed: subjects/s,
ratio to raw SQL, peak RSS, worst batch (one transaction), and the time of an immediate re-run. The
final states of ours and raw SQL are compared: a contender that does less work does not win. The peer
is slow (several queries and a commit per object), so it runs on the first ``PEER_SAMPLE`` subjects
only and its rate is what is compared.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import date
from urllib.parse import urlsplit, urlunsplit

AS_OF = date(2026, 11, 26)
OLD = "2019-01-15"
BATCH = 5000
PEER_SAMPLE = 2000


def _throwaway_database() -> tuple[dict, callable]:
    """Point Django at a database of its own; return its settings and a cleanup function."""
    import environ

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS bench_retention")
            conn.execute("CREATE DATABASE bench_retention")
        config = environ.Env.db_url_config(urlunsplit(parts._replace(path="/bench_retention")))

        def cleanup() -> None:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS bench_retention WITH (FORCE)")

        return config, cleanup
    handle, path = tempfile.mkstemp(prefix="bench_retention_", suffix=".sqlite3")
    os.close(handle)
    config = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }

    def cleanup() -> None:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)

    return config, cleanup


def _setup(config: dict) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ijinus_privacy.settings")
    import django
    from django.apps import apps
    from django.conf import settings
    from django.db import connections

    settings.DEBUG = False  # production: no query log (it formats every statement and its parameters)
    default = settings.DATABASES["default"]
    if apps.ready:
        connections.close_all()
    default.clear()
    default.update(config)
    default.setdefault("TIME_ZONE", None)
    default.setdefault("CONN_MAX_AGE", 0)
    default.setdefault("CONN_HEALTH_CHECKS", False)
    default.setdefault("AUTOCOMMIT", True)
    default.setdefault("ATOMIC_REQUESTS", False)
    default.setdefault("OPTIONS", {})
    default.setdefault("TEST", {})
    for key in ("USER", "PASSWORD", "HOST", "PORT"):
        default.setdefault(key, "")
    if apps.ready:
        del connections["default"]
    else:
        django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _populate(scale: int) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("retention_archivedsubject", "retention_legalhold", "subjects_subjectrole"):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DELETE FROM subjects_datasubject")
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO subjects_datasubject (kind, last_name, first_names, marital_status, street_address,"
                " postal_code, city, country, email, phone, organisation, job_title, language, notes, created_at,"
                " updated_at)"
                " SELECT 'professional', 'Nom' || g, 'Prénom', '', g || ' rue des Capteurs', '29300', 'Mellac', 'FR',"
                " 'bench' || g || '@exemple.invalid', '0298000000', 'Société', 'Technicien', 'fr', '', now(), now()"
                " FROM generate_series(1, %s) g",
                [scale],
            )
            cursor.execute(
                "INSERT INTO subjects_subjectrole (subject_id, role, collected_on, contract_end_on)"
                " SELECT id, r.role, %s::date, r.ended::date FROM subjects_datasubject"
                " CROSS JOIN (VALUES ('prospect', NULL), ('purchaser', %s)) AS r(role, ended)",
                [OLD, OLD],
            )
            cursor.execute("ANALYZE")
            return
        rows = [
            ("professional", f"Nom{n}", "Prénom", "", f"{n} rue des Capteurs", "29300", "Mellac", "FR",
             f"bench{n}@exemple.invalid", "0298000000", "Société", "Technicien", "fr")
            for n in range(1, scale + 1)
        ]  # fmt: skip
        cursor.executemany(
            "INSERT INTO subjects_datasubject (kind, last_name, first_names, marital_status, street_address,"
            " postal_code, city, country, email, phone, organisation, job_title, language, notes, created_at,"
            " updated_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', datetime('now'), datetime('now'))",
            rows,
        )
        cursor.execute(
            "INSERT INTO subjects_subjectrole (subject_id, role, collected_on, contract_end_on)"
            " SELECT id, 'prospect', %s, NULL FROM subjects_datasubject"
            " UNION ALL SELECT id, 'purchaser', %s, %s FROM subjects_datasubject",
            [OLD, OLD, OLD],
        )


def _configure_rules(action: str) -> None:
    from retention.models import RetentionRule

    RetentionRule.objects.filter(code__in=["prospect", "purchaser-identification"]).update(
        end_of_active_action=action, requires_approval=False
    )


def _final_state() -> dict:
    from subjects.models import DataSubject, SubjectRole

    return {
        "subjects": DataSubject.objects.count(),
        "named": DataSubject.objects.exclude(last_name="").count(),
        "roles": SubjectRole.objects.count(),
    }


def _ours(action: str) -> dict:
    from retention.services import sweep

    started = time.perf_counter()
    run = sweep(now=AS_OF, commit=True, batch_size=BATCH)
    elapsed = time.perf_counter() - started
    assert not run.errors, run.errors
    again = time.perf_counter()
    rerun = sweep(now=AS_OF, commit=True, batch_size=BATCH)
    rerun_seconds = time.perf_counter() - again
    changed = sum(sum(counts.values()) for counts in rerun.counts.values())
    return {
        "seconds": elapsed,
        "worst_batch": run.worst_batch_seconds,
        "rerun": rerun_seconds,
        "rerun_changed": changed,
    }


def _raw_sql(action: str) -> dict:
    from django.db import connection, transaction

    expired = (
        "role IN ('prospect', 'purchaser') AND collected_on <= %s"
        " AND (last_inbound_contact_on IS NULL OR last_inbound_contact_on <= %s)"
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_expired AS SELECT DISTINCT subject_id FROM subjects_subjectrole WHERE "
            + expired,
            [AS_OF, AS_OF],
        )
        cursor.execute("DELETE FROM subjects_subjectrole WHERE " + expired, [AS_OF, AS_OF])
        orphan = (
            " WHERE id IN (SELECT subject_id FROM bench_expired) AND NOT EXISTS"
            " (SELECT 1 FROM subjects_subjectrole r WHERE r.subject_id = subjects_datasubject.id)"
        )
        if action == "delete":
            cursor.execute("DELETE FROM subjects_datasubject" + orphan)
        else:
            cursor.execute(
                "UPDATE subjects_datasubject SET last_name = '', first_names = '', marital_status = '',"
                " date_of_birth = NULL, street_address = '', postal_code = '', city = '', email = '', phone = '',"
                " organisation = '', job_title = '', deceased_on = NULL" + orphan
            )
        cursor.execute("DROP TABLE bench_expired")
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "worst_batch": elapsed, "rerun": None, "rerun_changed": None}


def _per_object_orm(action: str) -> dict:
    """What the usual Django GDPR libraries do: load each object, act on it, save or delete it."""
    from retention.models import RetentionRule
    from retention.services.sweeping import ANONYMISED_IDENTITY
    from subjects.models import DataSubject, SubjectRole

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


def _in_child(contender, action: str) -> dict:
    """Run one contender in a forked process: its own connection, its own peak RSS."""
    from django.db import connections

    connections.close_all()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        try:
            result = contender(action)
            result["state"] = _final_state()
        except Exception as exc:  # reported by the parent
            result = {"error": f"{type(exc).__name__}: {exc}"}
        with os.fdopen(write_end, "w") as pipe:
            json.dump(result, pipe)
        connections.close_all()
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


def run(scale: int) -> None:
    config, cleanup = _throwaway_database()
    try:
        _setup(config)
        from django.db import connection

        print(f"   {scale} subjects x 2 expired roles on {connection.vendor}, batches of {BATCH}")
        for action, target in (("anonymise", "T1"), ("delete", "T2")):
            _configure_rules(action)
            results = {}
            for name, contender in (("ours", _ours), ("raw SQL", _raw_sql), ("per-object ORM", _per_object_orm)):
                _populate(scale)
                results[name] = _in_child(contender, action)
            raw = results["raw SQL"].get("seconds")
            print(f"   [{target}] {action}:")
            for name, result in results.items():
                if "error" in result:
                    print(f"     {name:15} ERROR {result['error']}")
                    continue
                done = result.get("subjects", scale)
                rate = done / result["seconds"] if result["seconds"] else float("inf")
                print(
                    f"     {name:15} {result['seconds']:8.2f} s  {rate:10.0f} subj/s  "
                    f"x{rate / (scale / raw) if raw else 0:5.2f} of raw  peak RSS {result['peak_rss_mb']:6.0f} MB  "
                    f"worst batch {_fmt(result['worst_batch'], '{:.3f} s'):>9}  "
                    f"re-run {_fmt(result['rerun'], '{:.2f} s'):>7} ({_fmt(result['rerun_changed'], '{} rows')})  "
                    + (f"state {result['state']}" if done == scale else f"on {done} subjects")
                )
            states = {json.dumps(results[name].get("state"), sort_keys=True) for name in ("ours", "raw SQL")}
            print(
                f"     ours = raw SQL final state: {'yes' if len(states) == 1 else 'NO: ' + ' / '.join(sorted(states))}"
            )
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()
