"""Audit trail retention (R5.1.3): old events purged behind a signed checkpoint, the rest still verifiable."""

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from ijinus_privacy import audit, audit_triggers
from ijinus_privacy.audit_anchors import audit_anchor_publish
from ijinus_privacy.audit_retention import AuditPurgeRefused, audit_cutoff, audit_purge, sweep_audit_events
from ijinus_privacy.celery import app as celery_app
from ijinus_privacy.models import AuditCheckpoint, AuditEvent
from ijinus_privacy.tasks import audit_purge_task
from retention.models import RetentionRule
from tests.factories import UserFactory
from tests.mail import deliver

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
OLD_DAY = datetime(2025, 3, 10, 9, 0, tzinfo=PARIS)
RECENT_DAY = datetime(2026, 6, 1, 9, 0, tzinfo=PARIS)
TODAY = date(2026, 12, 5)


def events_on(moment: datetime, count: int) -> list[AuditEvent]:
    actor = UserFactory()
    with time_machine.travel(moment, tick=False):
        return [
            audit.record(
                action=audit.Action.VIEW,
                actor=actor,
                object_type="subjects.datasubject",
                object_id=7,
                subject_id=7,
                fields=["email"],
            )
            for _ in range(count)
        ]


def tamper(sql: str, params: list) -> None:
    audit_triggers.uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    audit_triggers.install(connection)


def purge_now(**kwargs):
    with time_machine.travel(datetime(2026, 12, 5, 6, 30, tzinfo=PARIS), tick=False):
        return audit_purge(cutoff=audit_cutoff(today=TODAY, months=12), commit=True, **kwargs)


def test_r5_1_3_purge_keeps_chain_verifiable(capsys):
    old = events_on(OLD_DAY, 3)
    recent = events_on(RECENT_DAY, 2)
    expected = AuditEvent.objects.filter(pk__lte=old[-1].pk).count()

    result = purge_now()

    checkpoint = result.checkpoint
    assert (checkpoint.purged_count, checkpoint.last_event_id, checkpoint.last_hash) == (
        expected,
        old[-1].pk,
        old[-1].hash,
    )
    assert not AuditEvent.objects.filter(pk__in=[event.pk for event in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[event.pk for event in recent]).count() == 2
    assert audit.verify_chain() is None
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert "Audit trail intact" in out
    assert f"the remaining chain starts where checkpoint #{checkpoint.pk} ends (event #{old[-1].pk}" in out


def test_r5_1_3_purge_removes_only_events_older_than_the_period():
    events_on(OLD_DAY, 2)
    kept_edge = events_on(datetime(2025, 12, 5, 0, 0, 1, tzinfo=PARIS), 1)  # just inside 12 months

    result = purge_now()

    assert result.plan.newest_at < datetime(2025, 12, 5, tzinfo=PARIS)
    assert AuditEvent.objects.filter(pk=kept_edge[0].pk).exists()


def test_r5_1_3_tampering_with_a_remaining_event_after_a_purge_still_fails_verify():
    events_on(OLD_DAY, 3)
    recent = events_on(RECENT_DAY, 3)
    purge_now()

    tamper("UPDATE ijinus_privacy_auditevent SET reason = %s WHERE id = %s", ["edited", recent[1].pk])

    assert audit.verify_chain().event_id == recent[1].pk
    with pytest.raises(CommandError, match=f"broken at event #{recent[1].pk}"):
        call_command("audit_verify")


def test_r5_1_3_removing_the_first_remaining_event_after_a_purge_fails_verify():
    events_on(OLD_DAY, 2)
    recent = events_on(RECENT_DAY, 3)
    purge_now()

    tamper("DELETE FROM ijinus_privacy_auditevent WHERE id = %s", [recent[0].pk])

    broken = audit.verify_chain()
    assert (broken.event_id, broken.problem.startswith("previous-hash link broken")) == (recent[1].pk, True)


def test_r5_1_3_a_forged_checkpoint_fails_verify():
    events_on(OLD_DAY, 2)
    events_on(RECENT_DAY, 1)
    checkpoint = purge_now().checkpoint

    tamper("UPDATE ijinus_privacy_auditcheckpoint SET purged_count = %s WHERE id = %s", [1, checkpoint.pk])

    assert "does not match its signature" in audit.verify_chain().problem


def test_r5_1_3_dry_run_deletes_nothing(capsys):
    events_on(OLD_DAY, 3)
    before = AuditEvent.objects.count()

    with time_machine.travel(datetime(2026, 12, 5, 10, 0, tzinfo=PARIS), tick=False):
        call_command("audit_purge")

    out = capsys.readouterr().out
    assert out.startswith("Dry run: would purge ")
    assert "before 2025-12-05, retention 12 months" in out
    assert AuditEvent.objects.count() == before
    assert not AuditCheckpoint.objects.exists()


def test_r5_1_3_audit_purge_commit_purges_and_reports_the_checkpoint(capsys):
    old = events_on(OLD_DAY, 2)

    with time_machine.travel(datetime(2026, 12, 5, 10, 0, tzinfo=PARIS), tick=False):
        call_command("audit_purge", "--commit")

    checkpoint = AuditCheckpoint.objects.get()
    assert f"behind checkpoint #{checkpoint.pk}" in capsys.readouterr().out
    assert not AuditEvent.objects.filter(pk=old[0].pk).exists()


def test_r5_1_3_the_checkpoint_itself_is_audited_published_and_mailed(settings, django_capture_on_commit_callbacks):
    settings.DPO_EMAIL = "dpo@ijinus.example"
    old = events_on(OLD_DAY, 2)

    with django_capture_on_commit_callbacks(execute=True):
        checkpoint = purge_now().checkpoint
    deliver()

    event = AuditEvent.objects.filter(action=audit.Action.DELETE, object_type="ijinus_privacy.auditevent").get()
    assert event.actor_username == "system:audit-purge"
    assert event.object_id.endswith(f"-{old[-1].pk}")
    assert f"purged behind checkpoint #{checkpoint.pk}" in event.reason
    assert event.prev_hash == checkpoint.last_hash  # the chain goes on from where the checkpoint ends
    line = json.loads((Path(settings.AUDIT_ANCHOR_DIR) / "audit-checkpoints.jsonl").read_text().splitlines()[-1])
    assert (line["checkpoint"], line["last_hash"], line["signature"]) == (
        checkpoint.pk,
        checkpoint.last_hash,
        checkpoint.signature,
    )
    message = mail.outbox[-1]
    assert message.to == ["dpo@ijinus.example"]
    assert f"Audit trail checkpoint #{checkpoint.pk}" in message.subject


def test_r5_1_3_a_published_checkpoint_that_differs_fails_verify(settings, django_capture_on_commit_callbacks):
    events_on(OLD_DAY, 2)
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint = purge_now().checkpoint
    path = Path(settings.AUDIT_ANCHOR_DIR) / "audit-checkpoints.jsonl"
    line = json.loads(path.read_text())
    path.write_text(json.dumps({**line, "last_hash": "f" * 64}) + "\n")

    with pytest.raises(CommandError, match=f"checkpoint #{checkpoint.pk} published in"):
        call_command("audit_verify")


def test_r5_1_3_a_broken_chain_is_not_purged():
    old = events_on(OLD_DAY, 3)
    tamper("UPDATE ijinus_privacy_auditevent SET reason = %s WHERE id = %s", ["edited", old[1].pk])

    with pytest.raises(AuditPurgeRefused, match=f"event #{old[1].pk}"):
        purge_now()

    assert AuditEvent.objects.filter(pk=old[0].pk).exists()
    assert not AuditCheckpoint.objects.exists()


def test_r5_1_3_the_database_refuses_to_delete_events_no_checkpoint_covers():
    old = events_on(OLD_DAY, 2)
    purge_now()
    recent = events_on(RECENT_DAY, 1)

    # SQLite's trigger aborts with a constraint error, PostgreSQL's raises: both are database errors
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=recent[0].pk)._raw_delete(connection.alias)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditCheckpoint.objects.all()._raw_delete(connection.alias)

    assert AuditEvent.objects.filter(pk=recent[0].pk).exists()
    assert old  # the purged ones are gone, the others stay


def test_r5_1_3_anchors_published_before_a_purge_still_verify(capsys):
    events_on(OLD_DAY, 2)
    with time_machine.travel(OLD_DAY.replace(hour=23), tick=False):
        audit_anchor_publish()
    events_on(RECENT_DAY, 2)
    with time_machine.travel(RECENT_DAY.replace(hour=23), tick=False):
        later = audit_anchor_publish()
    purge_now()

    call_command("audit_verify")

    assert f"event #{later.event_id} and the {later.count} events up to it are unchanged" in capsys.readouterr().out


def test_r5_1_3_a_second_purge_continues_from_the_first_checkpoint():
    events_on(OLD_DAY, 2)
    events_on(datetime(2025, 8, 1, 9, 0, tzinfo=PARIS), 2)
    with time_machine.travel(datetime(2026, 6, 5, 6, 30, tzinfo=PARIS), tick=False):
        first = audit_purge(cutoff=audit_cutoff(today=date(2026, 6, 5), months=12), commit=True).checkpoint
    second = purge_now().checkpoint

    assert second.first_prev_hash == first.last_hash
    assert audit.verify_chain() is None


def test_r5_1_3_the_purge_runs_every_night_with_the_configured_period():
    entry = django_settings.CELERY_BEAT_SCHEDULE["audit-purge-daily"]
    old = events_on(OLD_DAY, 2)

    with time_machine.travel(datetime(2026, 12, 5, 6, 30, tzinfo=PARIS), tick=False):
        purged = audit_purge_task.delay().get()

    assert entry["task"] in celery_app.tasks
    assert django_settings.AUDIT_RETENTION_MONTHS == 12
    assert purged >= 2
    assert not AuditEvent.objects.filter(pk=old[0].pk).exists()


def test_r5_1_3_the_logs_retention_rule_is_on_and_applies_the_audit_purge():
    rule = RetentionRule.objects.get(code="logs")
    old = events_on(OLD_DAY, 2)

    counts = sweep_audit_events(
        now=datetime(2026, 12, 5, 3, 0, tzinfo=PARIS),
        cutoff=date(2025, 12, 5),
        batch_size=100,
        commit=True,
        action=rule.end_of_active_action,
        suspended=None,
    )

    assert (rule.enabled, rule.active_months, rule.sweeper) == (True, 12, "ijinus_privacy.logs")
    assert counts["deleted"] >= 2
    assert not AuditEvent.objects.filter(pk=old[0].pk).exists()
    assert audit.verify_chain() is None
