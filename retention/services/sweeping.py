"""The retention sweep: the code that destroys personal data when its period has run out.

Read this before changing anything below (the habit comes from Zulip's ``retention.py``).

What a sweep does, rule by rule (``RetentionRule``, seeded from the policy table, LEGAL R4.3):

* A *role* rule governs one ``SubjectRole`` (the person's link to one purpose, R4.1.3). The
  role's clock starts at its trigger date (R4.2; "X or last contact" is the later of the two, so a
  new inbound contact postpones it) and runs ``active_months``; then the end-of-active action:

  - DELETE / ANONYMISE: the role row goes. A subject left with **no role at all** is disposed of
    with that action: every registered personal-data source deletes or anonymises its rows
    (``registry``, set-based ``dispose``), then the ``DataSubject`` row is deleted, or its identity
    columns blanked (anonymisation is irreversible: no mapping is kept, R4.4.3).
  - ARCHIVE: when none of the subject's roles is still active (any rule), the subject enters the
    intermediate archive (an ``ArchivedSubject`` row; out of every operational query, R4.4.2)
    until the latest archive end of its roles. The role row stays as the archived evidence until
    ``active_months + archive_months`` have run out; then it goes, and the subject is disposed of
    with ``final_action`` exactly as above. A subject still active for another purpose is not
    archived: its contract records are the record sweepers' business (``ijinus_privacy.sweepers``).

* A *records* rule is applied by the sweeper the owning app registered (``ijinus_privacy.sweepers``).

Safety properties, and how they are obtained:

* **Nothing automatic touches a suspended subject**: a legal hold in force (R4.5.1) or an open
  data-subject request (R1.7.7) excludes the subject in the same WHERE clause that selects work;
  a committed batch locks its people before it writes and checks again, so a hold or a request
  that arrives meanwhile waits for the batch or keeps the person out of it.
* **Short transactions**: keyset batches (``id > last ORDER BY id LIMIT n``) over the role rows,
  one transaction per batch: the role rows, the subjects they leave empty and the audit event
  commit together or not at all, so there is never a half-processed subject. The batch size
  adapts to a time target (``RETENTION_BATCH_TARGET_SECONDS``), ``batch_size`` being a ceiling.
* **Idempotent**: the selection *is* the state check (an expired role row still present, a
  subject not yet archived); each write re-checks it in its own WHERE clause. A re-run, or a run
  restarted after a crash at any point, does the remaining work and no more.
* **Several workers**: on PostgreSQL each batch claims its rows with ``FOR UPDATE SKIP LOCKED``;
  rows another worker holds are left to it (or to the next run), and the re-check makes a late
  duplicate a no-op.
  ``sweep(workers=N)`` runs N such connections in threads within one run (one run record);
  foreign keys are then checked as each statement ends, so that the costly checks of a
  deletion run side by side instead of queueing behind the audit trail's lock at commit.
  The batch also locks its people, in id order: a worker ending another role of the same
  person waits for the commit, so a person losing two roles to two workers at once is disposed
  of by the second, never left with no role and forgotten.
* **Set-based, few round trips**: one ``DELETE``/``UPDATE`` per table per batch, ids bound as one
  array (or JSON) parameter; never a ``save()`` per row. The sources describe their disposal as
  steps and ``run_steps`` sends a batch's steps together (one statement of data-modifying CTEs on
  PostgreSQL). Subjects are deleted by ``_subject_deletion_steps``, which applies every reverse
  relation's ``on_delete`` itself (CASCADE to leaf tables as a DELETE, SET_NULL as an UPDATE,
  database-level actions left to the database) and falls back to Django's collector when a
  relation or a signal receiver needs it. Because no per-row signal fires, each batch writes
  **one audit event** with counts and an id range (ids only, never values, R5.1).
* **Interrupted runs are accounted for**: each committed batch writes a ``SweepBatch`` row (its
  counts) in its own transaction, and the run renews a heartbeat while it works
  (``ijinus_privacy.jobs``). A run whose process died (its heartbeat stale, or the same Celery task
  delivered again) is marked *interrupted* with exactly what its committed batches did, by beat
  within minutes or by the next run, which records that it resumes it.
* **Dry run by default** from the command line: the same selection, counted, nothing written.
  Dry-run counts are per rule against the current state (a subject whose last two roles expire
  under two rules is counted as disposed by neither).
* **Approval**: a committed run skips a rule that requires the DPO's approval until it is given
  (R4.7.1); its dry-run counts are the report the DPO approves from.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ijinus_privacy import actors, audit, conditions, jobs, sweepers
from ijinus_privacy.dates import add_months, expiry_cutoff
from ijinus_privacy.personal_data import Disposal, in_ids
from subjects.disposal import dispose_subjects
from subjects.models import DataSubject, SubjectRole

from .. import forwarding
from ..models import (
    ROLE_TRIGGER_FIELDS,
    Action,
    ArchivedSubject,
    RetentionRule,
    Scope,
    SweepBatch,
    SweepRun,
)

logger = logging.getLogger(__name__)


def suspended(subject_ref: str = "subject_id") -> Q:
    """True for subjects no automatic action may touch: legal hold in force, open request (R1.7.7),
    or a restriction without an Art. 18(2) override for automated jobs (R1.11.3)."""
    return conditions.holds(conditions.AUTOMATIC_JOBS_SUSPENDED, subject_ref)


def _as_of(now: datetime | date | None) -> tuple[datetime, date]:
    if now is None:
        now = timezone.now()
    if isinstance(now, datetime):
        return now, timezone.localdate(now) if timezone.is_aware(now) else now.date()
    return timezone.now(), now


def _runnable_role_rules() -> list[RetentionRule]:
    return [
        rule
        for rule in RetentionRule.objects.enabled().role_rules().exclude(end_of_active_action=Action.NONE)
        if rule.active_months is not None
    ]


def _active_role_q(today: date, rules: Sequence[RetentionRule]) -> Q:
    """Role rows still in their active period; roles no runnable rule governs count as active."""
    governed = {rule.role for rule in rules}
    q = Q(role__in=[role for role in SubjectRole.Role.values if role not in governed])
    for rule in rules:
        q |= Q(role=rule.role) & ~rule.role_expired_q(today, rule.active_months)
    return q


class _Stats:
    """Batches done, the worst batch time and the counts of one rule, shared by the workers."""

    def __init__(self) -> None:
        self.batches, self.worst_seconds = 0, 0.0
        self.tally: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def batch_done(self, seconds: float) -> None:
        with self._lock:
            self.batches += 1
            self.worst_seconds = max(self.worst_seconds, round(seconds, 4))

    def add(self, counts: dict[str, int]) -> None:
        with self._lock:
            for key, value in counts.items():
                self.tally[key] += value


def _in_workers(work, workers: int) -> None:
    """Run ``work`` in ``workers`` threads (each its own connection) sharing the batches; wait for all.

    The batches are claimed with SKIP LOCKED, so the workers never take the same rows. One worker
    (or a caller inside a transaction, whose rows other connections cannot see) runs in this thread.
    """
    if workers <= 1 or connection.in_atomic_block or connection.vendor != "postgresql":
        work()
        return
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            work()
        except BaseException as exc:  # the first is re-raised in the calling thread below
            # The class name only: database messages can quote values (R5.1).
            logger.error("Retention sweep worker %s stopped by %s", threading.current_thread().name, type(exc).__name__)
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, name=f"retention-sweep-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


class _Batches:
    """Keyset batches over a queryset of role rows, one transaction each, claimed with SKIP LOCKED.

    Yields ``(low, rows)``: the keyset's lower bound and the claimed ``(id, subject_id)`` rows in
    id order. A dry run (``lock=False``) reads without locking anything. With ``lock_subjects``
    (a committed run ending role rows, PostgreSQL) the claiming statement also locks the claimed
    rows' subjects ``FOR UPDATE``, in id order (no deadlock between workers): until the batch
    commits, nobody can add a legal hold, a request or a role to those people (inserting a row
    that references them needs a key-share lock), and a worker ending another role of the same
    person waits, then sees this batch's work. The caller then re-checks and writes.

    ``batch_size`` is a ceiling: batches start at ``FIRST_BATCH`` at most and grow while they take
    well under ``RETENTION_BATCH_TARGET_SECONDS``; a slower one makes the next ones smaller in
    proportion. Transactions stay short on a loaded server or with many child rows per person
    (T1: ≤ 1 s), whatever the rule's cost per row.
    """

    FIRST_BATCH = 2000

    def __init__(
        self, queryset: QuerySet, batch_size: int, stats: _Stats, *, lock: bool, lock_subjects: bool = False
    ) -> None:
        self.queryset, self.batch_size, self.stats = queryset, batch_size, stats
        self.lock = lock and connection.features.has_select_for_update_skip_locked
        self.lock_subjects = lock_subjects and connection.vendor == "postgresql"
        self.size = min(batch_size, self.FIRST_BATCH)
        self.target = settings.RETENTION_BATCH_TARGET_SECONDS

    def _adapt(self, seconds: float) -> None:
        if seconds > self.target:
            self.size = max(1, int(self.size * self.target / seconds))
        elif seconds < self.target * 0.75:
            self.size = min(self.batch_size, max(self.size + 1, int(self.size * 1.25)))

    def _claim(self, last_id: int) -> list[tuple[int, int]]:
        page = self.queryset.filter(id__gt=last_id).order_by("id")
        if self.lock:
            page = page.select_for_update(skip_locked=True, of=("self",))
        page = page.values_list("id", "subject_id")[: self.size]
        if not self.lock_subjects:
            return list(page)
        claim_sql, params = page.query.get_compiler(page.db).as_sql()
        subjects = connection.ops.quote_name(DataSubject._meta.db_table)
        # A CTE that is not read does not run: the final WHERE reads ``locked``.
        statement = (
            f"WITH claimed AS ({claim_sql}),"  # noqa: S608 (compiled ORM SQL, quoted table name)
            f" locked AS (SELECT s.id FROM {subjects} s WHERE s.id IN (SELECT subject_id FROM claimed)"
            " ORDER BY s.id FOR UPDATE OF s)"
            " SELECT id, subject_id FROM claimed WHERE (SELECT count(*) FROM locked) >= 0 ORDER BY id"
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    def __iter__(self):
        last_id = 0
        while True:
            started = time.monotonic()
            with transaction.atomic():
                rows = self._claim(last_id)
                if not rows:
                    return
                low, last_id = last_id, rows[-1][0]
                yield low, rows
            seconds = time.monotonic() - started
            self.stats.batch_done(seconds)
            self._adapt(seconds)


def _delete_returning(rows: QuerySet) -> list[tuple[int, int]]:
    """Delete these role rows in one statement; return the ``(id, subject_id)`` of those deleted."""
    select_sql, params = rows.order_by().values("id").query.get_compiler(rows.db).as_sql()
    table = connection.ops.quote_name(SubjectRole._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id IN ({select_sql}) RETURNING id, subject_id",  # noqa: S608 (compiled ORM SQL)
            params,
        )
        return sorted(cursor.fetchall())


def _orphans(subject_ids: Sequence[int], role: str) -> list[int]:
    """Those of ``subject_ids``, losing their ``role`` row, that hold no other role: they go too.

    A subject holds each role at most once (``subjects_role_unique_per_subject``), so "another
    role row" is simply a row with a different role: an index lookup per subject id.
    """
    others = SubjectRole.objects.filter(in_ids("subject_id", subject_ids)).exclude(role=role)
    keep = set(others.order_by().values_list("subject_id", flat=True))
    return [subject_id for subject_id in subject_ids if subject_id not in keep]


def _end_role_rows(
    rule: RetentionRule, *, today: date, commit: bool, run: SweepRun, batch_size: int, stats: _Stats, workers: int = 1
) -> None:
    """Role rows whose whole period (active, plus archive if any) has run out: delete; dispose orphans."""
    archiving = rule.end_of_active_action == Action.ARCHIVE
    months = rule.total_months if archiving else rule.active_months
    disposal = Disposal(rule.final_action if archiving else rule.end_of_active_action)
    outcome = "subjects_deleted" if disposal == Disposal.DELETE else "subjects_anonymised"
    expired = rule.role_expired_q(today, months)
    candidates = SubjectRole.objects.filter(expired).exclude(suspended("subject_id"))

    def work() -> None:
        for low, rows in _Batches(candidates, batch_size, stats, lock=commit, lock_subjects=commit):
            if not commit:
                orphan_ids = _orphans([subject_id for _role, subject_id in rows], rule.role)
                stats.add({"roles_ended": len(rows), outcome: len(orphan_ids)})
                continue
            if connection.vendor == "postgresql":
                # Foreign keys checked as each statement ends, not at commit: the costly checks of
                # a deletion then run before the audit trail's lock below, in parallel between
                # workers, instead of one worker's commit after another's.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # The claimed rows still due now that their people are locked (a hold or a request
            # that arrived meanwhile keeps its person's role row); the keyset range lets the
            # database use the primary key.
            still_due = candidates.filter(
                in_ids("id", [role_id for role_id, _subject in rows]), id__gt=low, id__lte=rows[-1][0]
            )
            ended_rows = _delete_returning(still_due)
            ended = len(ended_rows)
            orphan_ids = _orphans([subject_id for _role, subject_id in ended_rows], rule.role)
            # Their copies in the connected systems go too (R4.7.2): queued while the identifiers
            # can still be read, in this batch's transaction.
            forwarding.pass_on(forwarding.ERASURE, orphan_ids, run=run)
            disposed = dispose_subjects(orphan_ids, disposal)
            counts = {"roles_ended": ended, **disposed}
            stats.add(counts)
            SweepBatch.objects.create(run=run, rule_code=rule.code, counts=counts)
            audit.record(
                actor=actors.system("retention-sweep"),
                action=audit.Action.DELETE if disposal == Disposal.DELETE else audit.Action.CHANGE,
                object_type="subjects.subjectrole",
                object_id=f"{low + 1}-{rows[-1][0]}",
                fields=["roles", *(["identity"] if orphan_ids else [])],
                reason=f"retention sweep {run.pk} rule {rule.code}: roles ended {ended}, "
                + ", ".join(f"{key} {value}" for key, value in sorted(disposed.items())),
            )

    _in_workers(work, workers if commit else 1)


def _archive_subjects(
    rule: RetentionRule, *, today: date, commit: bool, run: SweepRun, batch_size: int, stats: _Stats, role_rules
) -> None:
    """Subjects with a role in its archive period and no active role left enter the archive (R4.4.2)."""
    in_archive_period = rule.role_expired_q(today, rule.active_months) & ~rule.role_expired_q(today, rule.total_months)
    still_active = SubjectRole.objects.filter(subject_id=OuterRef("subject_id")).filter(
        _active_role_q(today, role_rules)
    )
    candidates = (
        SubjectRole.objects.filter(in_archive_period)
        .exclude(Exists(ArchivedSubject.objects.filter(subject_id=OuterRef("subject_id"))))
        .exclude(Exists(still_active))
        .exclude(suspended("subject_id"))
    )
    by_role = {**{r.role: r for r in role_rules}, rule.role: rule}
    for _low, rows in _Batches(candidates, batch_size, stats, lock=commit):
        subject_ids = sorted({subject_id for _role, subject_id in rows})
        if not commit:
            stats.add({"subjects_archived": len(subject_ids)})
            continue
        archive_until: dict[int, date] = {}
        for role in SubjectRole.objects.filter(subject_id__in=subject_ids).values():
            governing = by_role.get(role["role"])
            if governing is None or governing.end_of_active_action != Action.ARCHIVE:
                continue
            main, postponing = ROLE_TRIGGER_FIELDS[governing.trigger]
            start = max(d for d in (role[main], role[postponing] if postponing else None) if d is not None)
            end = add_months(start, governing.total_months)
            archive_until[role["subject_id"]] = max(end, archive_until.get(role["subject_id"], end))
        now = timezone.now()
        fresh = set(subject_ids) - set(
            ArchivedSubject.objects.filter(subject_id__in=subject_ids).values_list("subject_id", flat=True)
        )
        # Kept for legal claims only: the connected systems stop processing them too (R4.7.2).
        forwarding.pass_on(forwarding.RESTRICTION, sorted(fresh), run=run)
        ArchivedSubject.objects.bulk_create(
            [
                ArchivedSubject(subject_id=sid, rule=rule, archived_at=now, archive_until=archive_until[sid])
                for sid in sorted(fresh)
            ],
            ignore_conflicts=True,
        )
        stats.add({"subjects_archived": len(fresh)})
        SweepBatch.objects.create(run=run, rule_code=rule.code, counts={"subjects_archived": len(fresh)})
        audit.record(
            actor=actors.system("retention-sweep"),
            action=audit.Action.CHANGE,
            object_type="retention.archivedsubject",
            object_id=f"{subject_ids[0]}-{subject_ids[-1]}",
            fields=["phase"],
            reason=f"retention sweep {run.pk} rule {rule.code}: subjects archived {len(fresh)}",
        )


def _sweep_records(
    rule: RetentionRule, *, now: datetime, today: date, commit: bool, batch_size: int, stats: _Stats, run: SweepRun
) -> None:
    sweeper = sweepers.get(rule.sweeper)
    if sweeper is None:
        run.skipped[rule.code] = f"record sweeper {rule.sweeper!r} not registered"
        return
    counts = sweeper(
        now=now,
        cutoff=expiry_cutoff(today, rule.active_months),
        batch_size=batch_size,
        commit=commit,
        action=rule.end_of_active_action,
        suspended=suspended,
    )
    stats.add(counts)
    if commit and any(counts.values()):  # a record sweeper commits its own batches: its counts land when it returns
        SweepBatch.objects.create(run=run, rule_code=rule.code, counts=counts)


def sweep_runs_interrupt(*, owner: str = "", now: datetime | None = None) -> int:
    """Mark the runs whose process died as interrupted, with the counts their committed batches left.

    Dead: no heartbeat for ``JOB_STALE_SECONDS``, or run by ``owner`` (the Celery task now delivered
    again after its worker was killed). Beat checks every minute; every new run checks first.
    """
    dead = Q(jobs.stuck_q(now))
    if owner:
        dead |= Q(status=SweepRun.Status.RUNNING, owner=owner)
    marked = 0
    for run_id in SweepRun.objects.filter(dead).order_by("id").values_list("pk", flat=True):
        with transaction.atomic():
            run = SweepRun.objects.select_for_update().filter(dead).filter(pk=run_id).first()
            if run is None:
                continue
            counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            last = run.heartbeat_at or run.started_at
            batches = list(run.batch_records.order_by("id"))
            for batch in batches:
                for key, value in batch.counts.items():
                    counts[batch.rule_code][key] += value
                last = max(last, batch.committed_at)
            run.counts = {code: dict(per_rule) for code, per_rule in counts.items()}
            run.batches = len(batches)
            run.status, run.finished_at = SweepRun.Status.INTERRUPTED, last
            run.save(update_fields=["counts", "batches", "status", "finished_at"])
            audit.record(
                actor=actors.system("retention-sweep"),
                action=audit.Action.CHANGE,
                obj=run,
                fields=["status"],
                reason="sweep run interrupted",
            )
            logger.warning("Retention sweep %s was interrupted after %s committed batches", run.pk, len(batches))
            marked += 1
    return marked


def sweep_runs_recover(now: datetime) -> int:
    """Beat's check (``jobs_recover_task``): runs whose process died are marked interrupted."""
    return sweep_runs_interrupt(now=now)


def _run_to_resume() -> SweepRun | None:
    """The last interrupted committed run no run has resumed yet."""
    return (
        SweepRun.objects.filter(status=SweepRun.Status.INTERRUPTED, committed=True, resumed_by__isnull=True)
        .order_by("-id")
        .first()
    )


def sweep(
    *,
    now: datetime | date | None = None,
    commit: bool = False,
    rule: RetentionRule | None = None,
    batch_size: int = 5000,
    origin: str = SweepRun.Origin.OTHER,
    workers: int = 1,
    owner: str = "",
) -> SweepRun:
    """Apply the enabled retention rules (or one) as of ``now``; dry run unless ``commit``.

    ``workers``: on PostgreSQL, a committed run ends each rule's role rows with that many
    connections at once (threads sharing the batches through SKIP LOCKED; one run record). The
    nightly run uses ``settings.RETENTION_SWEEP_WORKERS``. ``owner``: the Celery task id (a
    redelivery after the worker died marks the run it left interrupted at once).
    """
    now, today = _as_of(now)
    owner = owner or jobs.new_owner()
    sweep_runs_interrupt(owner=owner)
    started = timezone.now()
    run = SweepRun.objects.create(
        started_at=started,
        as_of=today,
        committed=commit,
        rule=rule,
        origin=origin,
        owner=owner,
        heartbeat_at=started,
        resumes=_run_to_resume() if commit else None,
    )
    with jobs.heartbeat(SweepRun, run.pk, owner=owner):
        _apply_rules(run, rule=rule, now=now, today=today, commit=commit, batch_size=batch_size, workers=workers)
    run.status = SweepRun.Status.FAILED if run.errors else SweepRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    return run


def _save_progress(run: SweepRun) -> None:
    """Write what the run did so far, rule by rule: the admin's page of a running sweep shows it live."""
    SweepRun.objects.filter(pk=run.pk).update(
        counts=run.counts, skipped=run.skipped, errors=run.errors, batches=run.batches
    )


def progress_rules(run: SweepRun) -> tuple[int, int]:
    """(rules done, rules to do) of a run, for its progress bar."""
    if run.rule_id is not None:
        total = 1
    else:
        total = RetentionRule.objects.enabled().exclude(end_of_active_action=Action.NONE).count()
    done = len(set(run.counts) | set(run.skipped) | {error.get("rule") for error in run.errors})
    return min(done, total), total


def _apply_rules(
    run: SweepRun,
    *,
    rule: RetentionRule | None,
    now: datetime,
    today: date,
    commit: bool,
    batch_size: int,
    workers: int,
) -> None:
    role_rules = _runnable_role_rules()
    rules = list(RetentionRule.objects.filter(pk=rule.pk) if rule is not None else RetentionRule.objects.enabled())
    for current in rules:
        if current.end_of_active_action == Action.NONE:
            continue
        if current.active_months is None:
            run.skipped[current.code] = "active period not set"
            continue
        if commit and not current.enabled:
            run.skipped[current.code] = "disabled"
            continue
        if commit and current.awaiting_approval:
            run.skipped[current.code] = "awaiting DPO approval"
            continue
        stats = _Stats()
        options = {"today": today, "commit": commit, "run": run, "batch_size": batch_size, "stats": stats}
        try:
            if current.scope == Scope.RECORDS:
                _sweep_records(current, now=now, **options)
            else:
                if current.end_of_active_action == Action.ARCHIVE:
                    _archive_subjects(current, role_rules=role_rules, **options)
                _end_role_rows(current, workers=workers, **options)
        except Exception as exc:
            # The class name only: database messages can quote values (R5.1, no personal data in logs).
            logger.error("Retention sweep %s: rule %s stopped by %s", run.pk, current.code, type(exc).__name__)
            run.errors.append({"rule": current.code, "error": type(exc).__name__})
        run.batches += stats.batches
        run.worst_batch_seconds = max(run.worst_batch_seconds, stats.worst_seconds)
        if current.code not in run.skipped:
            run.counts[current.code] = dict(stats.tally)
        _save_progress(run)
