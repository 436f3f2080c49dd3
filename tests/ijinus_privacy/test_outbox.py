"""The durable outbox (issue 12, item 11): encrypted until sent, retried with back-off, failures
shown to the DPO, re-published by beat when the broker was down."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from ijinus_privacy import outbox
from ijinus_privacy.models import OutboxMessage
from ijinus_privacy.tasks import outbox_send_task
from tests.factories import dpo_user, support_user
from tests.smtp_sink import SmtpSink, closed_port, smtp_mailers

pytestmark = pytest.mark.django_db

ADDRESS = "yannick.le-goff@exemple.fr"
NOW = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.UTC)


def _enqueue(**kwargs) -> OutboxMessage:
    return outbox.outbox_enqueue(
        purpose="tests.note", to=[ADDRESS], subject="Votre demande n° 7", body="Bonjour Yannick Le Goff", **kwargs
    )


def test_the_message_is_encrypted_until_sent_then_its_content_is_dropped(settings):
    message = _enqueue(attachments=[outbox.Attachment("a.pdf", b"%PDF-1.7 Le Goff", "application/pdf")])

    raw = bytes(OutboxMessage.objects.get(pk=message.pk).payload)
    assert raw
    assert ADDRESS.encode() not in raw
    assert b"Le Goff" not in raw

    sink = SmtpSink()
    settings.MAILERS = smtp_mailers(sink.port)
    try:
        assert outbox.outbox_send(message_id=message.pk) == "sent"
    finally:
        sink.stop()
    (recipients, email), *others = sink.received
    assert recipients == [ADDRESS]
    assert others == []
    assert [part.get_filename() for part in email.iter_attachments()] == ["a.pdf"]
    message.refresh_from_db()
    assert (message.state, bytes(message.payload), message.sent_at is not None) == ("sent", b"", True)


def test_failures_back_off_exponentially_then_the_message_fails_and_the_dpo_sees_it(client, settings):
    settings.MAILERS = smtp_mailers(closed_port())
    settings.OUTBOX_MAX_ATTEMPTS = 4
    with time_machine.travel(NOW, tick=False):
        message = _enqueue()
        delays = []
        for _attempt in range(4):
            outbox.outbox_send_due(now=timezone.now() + timedelta(days=1))
            message.refresh_from_db()
            delays.append((message.next_attempt_at - timezone.now()).total_seconds())

    assert delays[:3] == [60, 120, 240]
    assert (message.state, message.attempts, message.last_error) == ("failed", 4, "ConnectionRefusedError")
    assert ADDRESS not in message.last_error

    client.force_login(dpo_user())
    index = client.get(reverse("admin:index"))
    assert index.context["outbox"].failed == 1
    assert reverse("admin:ijinus_privacy_outboxmessage_changelist") + "?state__exact=failed" in index.text
    listing = client.get(reverse("admin:ijinus_privacy_outboxmessage_changelist") + "?state__exact=failed")
    assert listing.status_code == 200
    assert "tests.note" in listing.text
    detail = client.get(reverse("admin:ijinus_privacy_outboxmessage_change", args=[message.pk]))
    assert "ConnectionRefusedError" in detail.text
    assert ADDRESS not in detail.text
    assert "Le Goff" not in detail.text


def test_customer_service_neither_sees_the_widget_nor_the_outgoing_e_mails(client):
    _enqueue()
    client.force_login(support_user())

    assert client.get(reverse("admin:index")).context.get("outbox") is None
    assert client.get(reverse("admin:ijinus_privacy_outboxmessage_changelist")).status_code == 403


def test_the_dpo_sends_a_failed_message_again(client, settings, django_capture_on_commit_callbacks):
    settings.MAILERS = smtp_mailers(closed_port())
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = _enqueue()
    outbox.outbox_send(message_id=message.pk)
    sink = SmtpSink()
    settings.MAILERS = smtp_mailers(sink.port)
    client.force_login(dpo_user())

    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("admin:ijinus_privacy_outboxmessage_changelist"),
                {"action": "retry", "_selected_action": [message.pk]},
            )
    finally:
        sink.stop()

    message.refresh_from_db()
    assert message.state == "sent"
    assert len(sink.received) == 1


def test_a_broker_down_at_enqueue_leaves_the_message_queued_then_beat_publishes_it(
    django_capture_on_commit_callbacks,
):
    with (
        mock.patch.object(outbox_send_task, "apply_async", side_effect=OperationalError("connection refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = _enqueue()
    assert OutboxMessage.objects.get(pk=message.pk).state == "queued"

    published = []
    with mock.patch.object(outbox_send_task, "apply_async", side_effect=lambda args, **_: published.append(args[0])):
        assert outbox.outbox_redispatch() == 1
    assert published == [message.pk]


def test_a_message_left_sending_by_a_dead_worker_is_given_back():
    message = _enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(state="sending", claimed_at=timezone.now())
    later = timezone.now() + timedelta(minutes=20)

    with mock.patch.object(outbox_send_task, "apply_async"):
        assert outbox.outbox_redispatch(now=timezone.now()) == 0
        assert outbox.outbox_redispatch(now=later) == 1

    assert OutboxMessage.objects.get(pk=message.pk).state == "queued"


def test_a_message_still_waiting_after_a_quarter_of_an_hour_shows_on_the_dashboard(client):
    with time_machine.travel(NOW, tick=False):
        message = _enqueue()
    client.force_login(dpo_user())

    with time_machine.travel(NOW + timedelta(minutes=20), tick=False):
        index = client.get(reverse("admin:index"))
        assert index.context["outbox"].waiting == 1
        link = index.context["outbox"].waiting_since
        listing = client.get(
            reverse("admin:ijinus_privacy_outboxmessage_changelist"),
            {"state__in": "queued,sending", "created_at__lt": link.isoformat()},
        )

    assert 'id="dash-outbox-waiting"' in index.text
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    assert str(message.pk) in listing.text
