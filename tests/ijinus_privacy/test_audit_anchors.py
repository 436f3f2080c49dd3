import json
import smtplib
from datetime import datetime
from pathlib import Path
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ijinus_privacy import audit, audit_triggers
from ijinus_privacy.audit_anchors import audit_anchor_publish
from ijinus_privacy.celery import app as celery_app
from ijinus_privacy.models import AuditEvent
from ijinus_privacy.tasks import audit_anchor_publish_task
from tests.factories import UserFactory
from tests.mail import deliver

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def make_events(count: int) -> list[AuditEvent]:
    actor = UserFactory(username="claire.martin")
    return [
        audit.record(
            action=audit.Action.VIEW,
            actor=actor,
            object_type="subjects.datasubject",
            object_id=4242,
            subject_id=4242,
            fields=["email"],
            reason="call from the person",
        )
        for _ in range(count)
    ]


def anchor_lines(settings) -> list[dict]:
    path = Path(settings.AUDIT_ANCHOR_DIR) / "audit-anchors.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_daily_task_appends_one_anchor_a_day_and_emails_it_to_the_dpo(settings):
    settings.DPO_EMAIL = "dpo@ijinus.example"
    first_day = make_events(3)

    with time_machine.travel(datetime(2026, 12, 3, 6, 45, tzinfo=PARIS), tick=False):
        audit_anchor_publish_task.delay()
        make_events(1)
        audit_anchor_publish_task.delay()  # a second run the same day keeps the day's anchor and e-mail
        deliver()
    with time_machine.travel(datetime(2026, 12, 4, 6, 45, tzinfo=PARIS), tick=False):
        last = AuditEvent.objects.order_by("-id").first()  # the queued e-mails are audited events too
        count = AuditEvent.objects.count()
        audit_anchor_publish_task.delay()
        deliver()

    lines = anchor_lines(settings)
    assert [(line["day"], line["event_id"], line["count"]) for line in lines] == [
        ("2026-12-03", first_day[-1].pk, 3),
        ("2026-12-04", last.pk, count),
    ]
    assert lines[1]["hash"] == last.hash
    assert lines[1]["key_id"] == last.key_id
    assert [email.subject for email in mail.outbox] == [
        f"[IJINUS Privacy] Audit trail anchor 2026-12-03: event #{first_day[-1].pk}",
        f"[IJINUS Privacy] Audit trail anchor 2026-12-04: event #{last.pk}",
    ]
    email = mail.outbox[-1]
    assert email.to == ["dpo@ijinus.example"]
    assert f"audit_verify --anchor {last.pk}:{last.hash}" in email.body
    text = (email.subject + email.body).replace(last.hash, "")  # a hex hash could hold any digits
    for personal in ("claire", "martin", "4242", "call from the person", "email"):
        assert personal not in text


def test_the_anchor_task_is_scheduled_every_day():
    entry = django_settings.CELERY_BEAT_SCHEDULE["audit-anchor-daily"]

    assert entry["task"] == audit_anchor_publish_task.name
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].hour == {6}
    assert len(entry["schedule"].day_of_week) == 7


def test_audit_verify_checks_the_latest_published_anchor_by_default(capsys):
    make_events(3)
    with time_machine.travel(datetime(2026, 12, 3, 6, 45, tzinfo=PARIS), tick=False):
        anchor = audit_anchor_publish()
    make_events(1)

    call_command("audit_verify")

    assert (
        f"Latest published anchor (2026-12-03): event #{anchor.event_id} and the 3 events up to it are unchanged"
        in capsys.readouterr().out
    )


def test_removing_the_latest_events_is_detected_by_default():
    events = make_events(3)
    audit_anchor_publish()
    audit_triggers.uninstall(connection)
    with connection.cursor() as cursor:  # a database superuser truncates the trail's end
        cursor.execute("DELETE FROM ijinus_privacy_auditevent WHERE id >= %s", [events[1].pk])
    audit_triggers.install(connection)

    assert audit.verify_chain() is None  # what is left still links up
    with pytest.raises(CommandError, match=f"Anchor #{events[-1].pk} is no longer in the audit trail"):
        call_command("audit_verify")


def test_an_anchored_event_removed_before_the_next_anchor_raises_an_alert_and_fails_verification():
    events = make_events(3)
    with time_machine.travel(datetime(2026, 12, 3, 6, 45, tzinfo=PARIS), tick=False):
        audit_anchor_publish()
    audit_triggers.uninstall(connection)
    with connection.cursor() as cursor:
        # the anchored event and what followed it (the anchor e-mail's own event): the end is cut
        cursor.execute("DELETE FROM ijinus_privacy_auditevent WHERE id >= %s", [events[-1].pk])
    audit_triggers.install(connection)

    with time_machine.travel(datetime(2026, 12, 4, 6, 45, tzinfo=PARIS), tick=False):
        audit_anchor_publish()  # the new anchor holds, the trail's end was cut before it
        deliver()

    alert = mail.outbox[-1]
    assert alert.subject.startswith("[IJINUS Privacy] ALERT, Audit trail anchor 2026-12-04")
    assert alert.body.startswith(f"ALERT: Anchor #{events[-1].pk} is no longer in the audit trail")
    with pytest.raises(
        CommandError, match=rf"Anchor #{events[-1].pk} is no longer .*\(anchor published on 2026-12-03 in "
    ):
        call_command("audit_verify")


def test_a_mail_failure_keeps_the_days_anchor_and_the_outbox_sends_it_later(settings):
    events = make_events(2)
    with time_machine.travel(datetime(2026, 12, 3, 6, 45, tzinfo=PARIS), tick=False):
        audit_anchor_publish_task.delay()
        with patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPServerDisconnected("down")):
            assert deliver() == {"queued": 1}  # the mail server is down: the e-mail waits for a retry
    assert mail.outbox == []

    with time_machine.travel(datetime(2026, 12, 3, 6, 50, tzinfo=PARIS), tick=False):
        deliver()  # the retry, once due

    assert [line["event_id"] for line in anchor_lines(settings)] == [events[-1].pk]
    assert len(mail.outbox) == 1
    assert f"--anchor {events[-1].pk}:{events[-1].hash}" in mail.outbox[0].body


def test_no_published_anchor_yet_is_said_clearly(capsys):
    make_events(2)

    call_command("audit_verify")

    out = capsys.readouterr().out
    assert "No anchor has been published yet" in out
    assert "intact: 2 events verified." in out


def test_an_unreadable_anchor_file_is_a_clear_error(settings):
    make_events(1)
    directory = Path(settings.AUDIT_ANCHOR_DIR)
    directory.mkdir(parents=True)
    (directory / "audit-anchors.jsonl").write_text('{"day": "2026-12-03", "event_id"\n')

    with pytest.raises(CommandError, match="The published anchors cannot be read: line 1 of"):
        call_command("audit_verify")


def test_an_empty_trail_publishes_no_anchor(settings):
    assert audit_anchor_publish() is None

    assert not (Path(settings.AUDIT_ANCHOR_DIR) / "audit-anchors.jsonl").exists()
    assert mail.outbox == []


def test_audit_anchor_publish_command_prints_the_anchor(capsys):
    event = make_events(1)[0]

    call_command("audit_anchor_publish")

    assert f"{event.pk}:{event.hash}" in capsys.readouterr().out
