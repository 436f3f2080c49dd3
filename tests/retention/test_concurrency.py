"""Several workers share a sweep: a batch claims its rows with FOR UPDATE SKIP LOCKED (PostgreSQL)."""

import threading
from datetime import date
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction

from ijinus_privacy import audit
from ijinus_privacy.models import AuditEvent
from retention.models import LegalHold, RetentionRule, SweepRun
from retention.services import sweep
from retention.services import sweeping as sweep_module
from subjects.models import DataSubject, SubjectRole
from tests.factories import subject_with_role

# Committed data is needed for a second connection to see it (tests/conftest.py restores the
# migrated database after the flush that ends a transactional test).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_rows_claimed_by_another_worker_are_skipped_then_done_by_the_next_run():
    subjects = [subject_with_role("prospect", collected_on=date(2020, 1, 1)) for _ in range(6)]
    claimed_ids = [s.pk for s in subjects[:2]]
    claimed, release, done = threading.Event(), threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                list(SubjectRole.objects.select_for_update().filter(subject_id__in=claimed_ids))
                claimed.set()
                release.wait(timeout=30)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert claimed.wait(timeout=30)
    rule = RetentionRule.objects.get(code="prospect")
    first = sweep(now=date(2026, 11, 26), commit=True, rule=rule, batch_size=10)
    left_while_claimed = set(DataSubject.objects.values_list("pk", flat=True))
    release.set()
    thread.join(timeout=30)
    second = sweep(now=date(2026, 11, 26), commit=True, rule=rule, batch_size=10)

    assert left_while_claimed == set(claimed_ids)
    assert first.counts["prospect"]["subjects_deleted"] == 4
    assert second.counts["prospect"]["subjects_deleted"] == 2
    assert not DataSubject.objects.exists()


def test_a_person_losing_two_roles_to_two_workers_at_once_is_still_disposed_of():
    """Worker A ends the person's ijitrack role; worker B, at the same moment, the prospect role.

    Each sees the other's role as still there until the other commits; unless B waits for A (the
    batch locks its subjects), both commit and the person is left with no role and never disposed.
    """
    person = subject_with_role("prospect", collected_on=date(2020, 1, 1))
    SubjectRole.objects.create(
        subject=person, role="ijitrack_user", collected_on=date(2019, 1, 1), product_delivered_on=date(2019, 2, 1)
    )
    as_of = date(2026, 11, 26)
    real_dispose = sweep_module.dispose_subjects
    in_batch, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def dispose_pausing_worker_a(subject_ids, disposal):
        if threading.current_thread().name == "worker-a":
            in_batch.set()
            release.wait(timeout=30)
        return real_dispose(subject_ids, disposal)

    def worker(name: str, code: str) -> None:
        try:
            results[name] = sweep(now=as_of, commit=True, rule=RetentionRule.objects.get(code=code))
        finally:
            connection.close()

    with mock.patch.object(sweep_module, "dispose_subjects", side_effect=dispose_pausing_worker_a):
        worker_a = threading.Thread(target=worker, args=("a", "ijitrack-user"), name="worker-a")
        worker_a.start()
        assert in_batch.wait(timeout=30)
        worker_b = threading.Thread(target=worker, args=("b", "prospect"), name="worker-b")
        worker_b.start()
        worker_b.join(timeout=1)
        b_waited_for_a = worker_b.is_alive()
        release.set()
        worker_a.join(timeout=30)
        worker_b.join(timeout=30)

    assert b_waited_for_a
    assert not results["a"].errors
    assert not results["b"].errors
    assert not SubjectRole.objects.filter(subject_id=person.pk).exists()
    assert not DataSubject.objects.filter(pk=person.pk).exists()


def test_two_workers_share_a_committed_run_and_end_in_the_exact_state(settings):
    # Batches keep the ceiling of 4 whatever the machine's load: no batch counts as slow.
    settings.RETENTION_BATCH_TARGET_SECONDS = 3600
    expired = [subject_with_role("prospect", collected_on=date(2020, 1, 1)) for _ in range(23)]
    kept = [subject_with_role("prospect", collected_on=date(2025, 6, 1)) for _ in range(3)]
    rule = RetentionRule.objects.get(code="prospect")
    audit_before = AuditEvent.objects.count()

    run = sweep(now=date(2026, 11, 26), commit=True, rule=rule, batch_size=4, workers=2)

    assert run.counts["prospect"] == {"roles_ended": 23, "subjects_deleted": 23}
    assert (run.status, run.errors, run.batches) == (SweepRun.Status.SUCCEEDED, [], 6)
    assert set(DataSubject.objects.values_list("pk", flat=True)) == {s.pk for s in kept}
    assert not DataSubject.objects.filter(pk__in=[s.pk for s in expired]).exists()
    assert AuditEvent.objects.count() - audit_before == 6  # one per batch, whichever worker ran it
    assert audit.verify_chain() is None


def test_a_worker_failing_stops_the_rule_and_a_rerun_finishes_the_work():
    subjects = [subject_with_role("prospect", collected_on=date(2020, 1, 1)) for _ in range(12)]
    rule = RetentionRule.objects.get(code="prospect")
    real_dispose = sweep_module.dispose_subjects
    calls = {"n": 0}

    def fail_once(subject_ids, disposal):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_dispose(subject_ids, disposal)

    with mock.patch.object(sweep_module, "dispose_subjects", side_effect=fail_once):
        failed = sweep(now=date(2026, 11, 26), commit=True, rule=rule, batch_size=3, workers=2)
    rerun = sweep(now=date(2026, 11, 26), commit=True, rule=rule, batch_size=3, workers=2)

    assert failed.status == SweepRun.Status.FAILED
    assert failed.errors == [{"rule": "prospect", "error": "RuntimeError"}]
    # The failed batch rolled back: the other worker (or the re-run) took its rows.
    deleted = [run.counts["prospect"].get("subjects_deleted", 0) for run in (failed, rerun)]
    assert sum(deleted) == 12
    assert not DataSubject.objects.filter(pk__in=[s.pk for s in subjects]).exists()


def test_a_hold_placed_while_a_batch_disposes_of_the_person_waits_and_fails_loudly():
    """The batch locks its people before writing: a hold arriving meanwhile cannot slip in and be
    deleted with the person unnoticed; it waits for the batch, then fails on the missing person."""
    person = subject_with_role("prospect", collected_on=date(2020, 1, 1))
    owner = get_user_model().objects.create_user("dpo-hold", password="synthetic-password-1")
    real_dispose = sweep_module.dispose_subjects
    in_batch, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def dispose_paused(subject_ids, disposal):
        in_batch.set()
        release.wait(timeout=30)
        return real_dispose(subject_ids, disposal)

    def sweeper():
        try:
            outcome["run"] = sweep(now=date(2026, 11, 26), commit=True, rule=RetentionRule.objects.get(code="prospect"))
        finally:
            connection.close()

    def place_hold():
        try:
            LegalHold.objects.create(
                subject_id=person.pk,
                reason="dispute",
                owner=owner,
                started_on=date(2026, 11, 26),
                review_on=date(2027, 1, 1),
            )
            outcome["hold"] = "placed"
        except IntegrityError:
            outcome["hold"] = "refused"
        finally:
            connection.close()

    with mock.patch.object(sweep_module, "dispose_subjects", side_effect=dispose_paused):
        sweeping = threading.Thread(target=sweeper)
        sweeping.start()
        assert in_batch.wait(timeout=30)
        holding = threading.Thread(target=place_hold)
        holding.start()
        holding.join(timeout=1)
        hold_waited = holding.is_alive()
        release.set()
        sweeping.join(timeout=30)
        holding.join(timeout=30)

    assert hold_waited
    assert outcome["hold"] == "refused"
    assert not outcome["run"].errors
    assert not DataSubject.objects.filter(pk=person.pk).exists()
    assert not LegalHold.objects.exists()
