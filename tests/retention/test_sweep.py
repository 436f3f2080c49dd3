"""The sweep's safety properties: dry run, idempotence, interruption, run records, audit (R4.7.1)."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from ijinus_privacy.models import AuditEvent
from retention.models import ArchivedSubject, RetentionRule, SweepRun
from retention.services import sweep
from retention.services import sweeping as sweep_module
from retention.tasks import sweep_task
from subjects.models import DataSubject, SubjectRole
from tests.factories import subject_with_role

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 26)


def snapshot() -> dict:
    """Everything a sweep may change, comparable between two moments."""
    return {
        "subjects": sorted(DataSubject.objects.values_list("id", "last_name", "email")),
        "roles": sorted(SubjectRole.objects.values_list("id", "subject_id", "role")),
        "archived": sorted(ArchivedSubject.objects.values_list("subject_id", "archive_until")),
    }


@pytest.fixture
def population():
    """12 expired prospects, 4 kept prospects, 3 inactive clients due for archive, 1 active client."""
    expired = [subject_with_role("prospect", collected_on=date(2022, 1, 10)) for _ in range(12)]
    kept = [subject_with_role("prospect", collected_on=date(2024, 1, 10)) for _ in range(4)]
    archived = [
        subject_with_role("inactive_client", collected_on=date(2012, 1, 1), contract_end_on=date(2020, 5, 1))
        for _ in range(3)
    ]
    client = subject_with_role("active_client", collected_on=date(2010, 1, 1))
    return {"expired": expired, "kept": kept, "archived": archived, "client": client}


def test_dry_run_counts_and_changes_nothing(population):
    before = snapshot()
    audit_count = AuditEvent.objects.count()

    run = sweep(now=AS_OF, commit=False)

    assert snapshot() == before
    assert AuditEvent.objects.count() == audit_count
    assert run.counts["prospect"] == {"roles_ended": 12, "subjects_deleted": 12}
    assert run.counts["inactive-client-contract"] == {"subjects_archived": 3}
    assert (run.committed, run.status) == (False, SweepRun.Status.SUCCEEDED)


def test_commit_then_rerun_changes_nothing(population):
    first = sweep(now=AS_OF, commit=True, batch_size=5)
    after_first = snapshot()

    second = sweep(now=AS_OF, commit=True, batch_size=5)

    assert first.counts["prospect"] == {"roles_ended": 12, "subjects_deleted": 12}
    assert first.counts["inactive-client-contract"] == {"subjects_archived": 3}
    assert not DataSubject.objects.filter(pk__in=[s.pk for s in population["expired"]]).exists()
    assert DataSubject.objects.filter(pk__in=[s.pk for s in population["kept"]]).count() == 4
    assert snapshot() == after_first
    assert all(not any(counts.values()) for counts in second.counts.values())


def test_interrupted_run_leaves_whole_subjects_and_a_restart_finishes_exactly(population):
    real_dispose = sweep_module.dispose_subjects
    calls = {"n": 0}

    def fail_on_third_batch(subject_ids, disposal):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real_dispose(subject_ids, disposal)

    with mock.patch.object(sweep_module, "dispose_subjects", side_effect=fail_on_third_batch):
        broken = sweep(now=AS_OF, commit=True, batch_size=4)
    expired_ids = [s.pk for s in population["expired"]]
    half_done = DataSubject.objects.filter(pk__in=expired_ids).exclude(roles__isnull=False).count()
    left_after_failure = DataSubject.objects.filter(pk__in=expired_ids).count()

    restarted = sweep(now=AS_OF, commit=True, batch_size=4)

    assert broken.status == SweepRun.Status.FAILED
    assert broken.errors == [{"rule": "prospect", "error": "RuntimeError"}]
    assert broken.counts["prospect"]["subjects_deleted"] == 8
    assert (half_done, left_after_failure) == (0, 4)
    assert restarted.status == SweepRun.Status.SUCCEEDED
    assert restarted.counts["prospect"] == {"roles_ended": 4, "subjects_deleted": 4}
    assert not DataSubject.objects.filter(pk__in=expired_ids).exists()
    assert sorted(DataSubject.objects.values_list("pk", flat=True)) == sorted(
        s.pk for s in [*population["kept"], *population["archived"], population["client"]]
    )
    assert ArchivedSubject.objects.count() == 3


def test_each_batch_writes_one_audit_event_with_ids_and_counts_only(population):
    run = sweep(now=AS_OF, commit=True, batch_size=5, rule=RetentionRule.objects.get(code="prospect"))

    events = list(AuditEvent.objects.filter(object_type="subjects.subjectrole").order_by("id"))

    assert len(events) == 3 == run.batches
    assert [e.action for e in events] == [AuditEvent.Action.DELETE] * 3
    assert "roles ended 5" in events[0].reason
    names = {s.last_name for s in population["expired"]} | {s.email for s in population["expired"]}
    assert not any(name in event.reason for event in events for name in names)


def test_run_record_is_readable_in_the_admin(admin_client, population):
    run = sweep(now=AS_OF, commit=True)

    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    listing = admin_client.get(reverse("admin:retention_sweeprun_changelist"))
    detail = admin_client.get(reverse("admin:retention_sweeprun_change", args=[run.pk]))
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    in_french = admin_client.get(reverse("admin:retention_sweeprun_change", args=[run.pk]))

    assert listing.status_code == 200
    assert "people deleted: 12" in listing.text
    assert detail.status_code == 200
    assert "Committed" in detail.text
    assert "people archived: 3" in detail.text  # the rule's row in the table of what happened
    assert "<strong>prospect</strong>" in detail.text
    assert "subjects_archived" not in detail.text  # labels a DPO reads, not internal keys
    assert "personnes archivées : 3" in in_french.text
    assert run.finished_at is not None
    assert run.total("subjects_deleted") == 12


def test_command_is_a_dry_run_unless_told_to_commit(population):
    out = StringIO()

    call_command("retention_sweep", "--now", "2026-11-26", stdout=out)
    dry_subjects = DataSubject.objects.count()
    call_command("retention_sweep", "--now", "2026-11-26", "--commit", stdout=StringIO())

    assert "DRY RUN" in out.getvalue()
    assert "prospect: roles_ended=12, subjects_deleted=12" in out.getvalue()
    assert dry_subjects == 20
    assert DataSubject.objects.count() == 8


def test_command_runs_one_rule_and_refuses_an_unknown_one(population):
    rule = RetentionRule.objects.get(code="inactive-client-contract")
    out = StringIO()

    call_command("retention_sweep", "--now", "2026-11-26", "--commit", "--rule", str(rule.pk), stdout=out)

    assert ArchivedSubject.objects.count() == 3
    assert DataSubject.objects.count() == 20
    assert "prospect" not in out.getvalue()
    with pytest.raises(CommandError):
        call_command("retention_sweep", "--rule", "999999", stdout=StringIO())


def test_nightly_task_commits_and_records_its_origin(population):
    run_id = sweep_task.delay().get()

    run = SweepRun.objects.get(pk=run_id)
    assert (run.committed, run.origin) == (True, SweepRun.Origin.BEAT)
    assert not SubjectRole.objects.filter(role="prospect", collected_on=date(2022, 1, 10)).exists()


def test_beat_schedules_the_sweep_on_the_retention_queue(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["retention-sweep-nightly"]

    assert entry["task"] == "retention.tasks.sweep_task"
    assert entry["options"]["queue"] == "retention"


def test_deleting_a_subject_cascades_to_its_lifted_holds_without_loading_rows():
    from retention.models import LegalHold
    from retention.services import hold_lift, hold_place
    from tests.factories import dpo_user

    dpo = dpo_user()
    subject = subject_with_role("prospect", collected_on=date(2020, 1, 1))
    hold_lift(hold=hold_place(subject=subject, reason="claim", review_on=date(2099, 1, 1), actor=dpo), actor=dpo)

    sweep(now=AS_OF, commit=True)

    assert not DataSubject.objects.filter(pk=subject.pk).exists()
    assert not LegalHold.objects.exists()


def test_delete_receivers_on_subjects_still_fire():
    from django.db.models.signals import post_delete

    subject = subject_with_role("prospect", collected_on=date(2020, 1, 1))
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_delete.connect(receiver, sender=DataSubject, dispatch_uid="test_retention_receiver")
    try:
        sweep(now=AS_OF, commit=True)
    finally:
        post_delete.disconnect(dispatch_uid="test_retention_receiver", sender=DataSubject)

    assert seen == [subject.pk]


def test_slow_batches_make_the_next_ones_smaller_so_transactions_stay_short(population, settings):
    settings.RETENTION_BATCH_TARGET_SECONDS = 0.5
    clock = iter(range(0, 1000, 2))  # every batch appears to take 2 s: four times the target
    slow_time = mock.Mock(monotonic=lambda: next(clock))
    rule = RetentionRule.objects.get(code="prospect")

    with mock.patch.object(sweep_module, "time", slow_time):
        run = sweep(now=AS_OF, commit=True, batch_size=8, rule=rule)

    # 12 expired prospects: 8, then 8 x 0.5/2 = 2, then 1, then 1 (a quick sweep: 2 batches of 8 and 4).
    assert run.batches == 4
    assert run.counts["prospect"] == {"roles_ended": 12, "subjects_deleted": 12}
    assert not DataSubject.objects.filter(pk__in=[s.pk for s in population["expired"]]).exists()


def test_quick_batches_keep_the_size_asked_for(population):
    run = sweep(now=AS_OF, commit=True, batch_size=8, rule=RetentionRule.objects.get(code="prospect"))

    assert run.batches == 2


def test_a_run_whose_process_died_is_marked_interrupted_with_what_it_did_and_the_next_run_resumes_it(
    population, settings
):
    # given a committed run killed during its third batch (nothing in the process catches it)
    real_dispose = sweep_module.dispose_subjects
    calls = {"n": 0}

    def killed_on_third_batch(subject_ids, disposal):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("SIGKILL")
        return real_dispose(subject_ids, disposal)

    with (
        time_machine.travel(datetime(2026, 11, 26, 2, 30, tzinfo=UTC), tick=False),
        mock.patch.object(sweep_module, "dispose_subjects", side_effect=killed_on_third_batch),
        pytest.raises(SystemExit),
    ):
        sweep(now=AS_OF, commit=True, batch_size=4)
    killed = SweepRun.objects.get()
    assert killed.status == SweepRun.Status.RUNNING

    # when the next run starts after the dead run's heartbeat went stale
    later = datetime(2026, 11, 26, 2, 30, tzinfo=UTC) + timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        resumed = sweep(now=AS_OF, commit=True, batch_size=4)

    killed.refresh_from_db()
    assert killed.status == SweepRun.Status.INTERRUPTED
    assert killed.counts["prospect"] == {"roles_ended": 8, "subjects_deleted": 8}  # its two committed batches
    assert killed.batches == killed.batch_records.count()
    assert resumed.resumes == killed
    assert resumed.status == SweepRun.Status.SUCCEEDED
    assert resumed.counts["prospect"] == {"roles_ended": 4, "subjects_deleted": 4}
    assert killed.total("subjects_deleted") + resumed.total("subjects_deleted") == 12
    assert sorted(DataSubject.objects.values_list("pk", flat=True)) == sorted(
        s.pk for s in [*population["kept"], *population["archived"], population["client"]]
    )


def test_beat_marks_a_dead_run_interrupted_within_minutes(population, settings):
    from ijinus_privacy.jobs import recover_all

    start = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        run = sweep(now=AS_OF, commit=True)
    SweepRun.objects.filter(pk=run.pk).update(status=SweepRun.Status.RUNNING)  # as if killed before its last save

    assert recover_all(now=start + timedelta(seconds=settings.JOB_STALE_SECONDS - 1)) == 0
    recover_all(now=start + timedelta(seconds=settings.JOB_STALE_SECONDS + 1))

    run.refresh_from_db()
    assert run.status == SweepRun.Status.INTERRUPTED
    assert run.total("subjects_deleted") == 12


def test_r4_7_2_nobody_is_disposed_of_here_unless_their_erasure_was_queued_for_the_processors(population, monkeypatch):
    """The connected systems hear of the people leaving inside the batch's transaction, before they
    go: a listener that fails rolls the batch back, so no one disappears here unannounced there."""
    from retention import forwarding

    heard: list[int] = []

    def broken(change, subject_ids, run):
        heard.extend(subject_ids)
        raise RuntimeError("queue unreachable")

    monkeypatch.setattr(forwarding, "_listeners", [broken])

    run = sweep(now=AS_OF, commit=True, batch_size=50, rule=RetentionRule.objects.get(code="prospect"))

    assert sorted(heard) == sorted(subject.pk for subject in population["expired"])
    assert run.status == SweepRun.Status.FAILED
    assert DataSubject.objects.filter(pk__in=heard).count() == 12  # all still here
    assert SubjectRole.objects.filter(subject_id__in=heard, role="prospect").count() == 12


def test_r4_7_2_nobody_enters_the_archive_unless_the_processors_were_told_to_restrict_them(population, monkeypatch):
    from retention import forwarding

    heard: list[tuple[str, int]] = []

    def broken(change, subject_ids, run):
        heard.extend((change, subject_id) for subject_id in subject_ids)
        raise RuntimeError("queue unreachable")

    monkeypatch.setattr(forwarding, "_listeners", [broken])

    run = sweep(now=AS_OF, commit=True, rule=RetentionRule.objects.get(code="inactive-client-contract"))

    assert sorted(heard) == sorted((forwarding.RESTRICTION, subject.pk) for subject in population["archived"])
    assert run.status == SweepRun.Status.FAILED
    assert not ArchivedSubject.objects.exists()
