"""The mail server refused or silent (issue 12, item 11): nothing is marked sent, the user sees
"queued" and never a 500, no one-time code is spent, and once the server is back the outbox sends
each message exactly once and marks what it carried sent.

Private SMTP servers only (tests/smtp_sink.py). "Embedded" tests run tasks inline (Celery eager);
"worker" tests keep the published task ids as a broker would and run the task as the worker does.
"""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from ijinus_privacy.models import OutboxMessage
from ijinus_privacy.outbox import outbox_send_due
from ijinus_privacy.tasks import outbox_send_task
from requests_dsar.exports import delivery, services
from requests_dsar.models import ExportJob, RequestEvent, Right, WebSubmission
from tests.factories import dpo_user, logged_request, subject_with_data
from tests.requests_dsar.documented import document_register, search_register_systems
from tests.smtp_sink import SmtpBlackHole, SmtpSink, closed_port, smtp_mailers

pytestmark = pytest.mark.django_db

EMAIL = "lena.morvan@exemple.fr"


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def refused(settings):
    """A mail server that refuses connections (nothing listens on the port)."""
    port = closed_port()
    settings.MAILERS = smtp_mailers(port)
    return port


@pytest.fixture
def black_hole(settings):
    """A mail server that accepts the connection and never answers."""
    hole = SmtpBlackHole()
    settings.MAILERS = smtp_mailers(hole.port, timeout=1)
    yield hole
    hole.stop()


@pytest.fixture
def broker():
    """Worker mode: published task ids are kept, as a broker would, until the test runs them."""
    published: list[int] = []
    with mock.patch.object(outbox_send_task, "apply_async", side_effect=lambda args, **_: published.append(args[0])):
        yield published


def _server_back(settings, port: int = 0) -> SmtpSink:
    sink = SmtpSink(port)
    settings.MAILERS = smtp_mailers(sink.port)
    return sink


def _after_back_off() -> timezone.datetime:
    return timezone.now() + timedelta(hours=2)


@pytest.fixture
def built(django_capture_on_commit_callbacks):
    document_register()  # the DPO documented the register: the export can be approved (R1.7.2)
    dsar = logged_request(subject=subject_with_data(email=EMAIL), rights=(Right.ACCESS,), language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.export_jobs_create(request=dsar, actor=None, kinds=["access_json"])
    search_register_systems(dsar)  # staff searched every source of the register (R1.7.1)
    return dsar


def _approve(client, dsar, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("admin:requests_dsar_request_act", args=[dsar.pk, "send-exports"]), {"confirm": "on"}, follow=True
        )


def _link_sent_events(dsar) -> int:
    return RequestEvent.objects.filter(request=dsar, reason__startswith="Download link sent").count()


def test_approve_and_send_with_the_server_refusing_queues_the_link_and_sends_it_once_it_is_back(
    client, built, refused, settings, django_capture_on_commit_callbacks
):
    client.force_login(dpo_user())

    # when the DPO approves while the mail server refuses connections (sent inline: embedded mode)
    page = _approve(client, built, django_capture_on_commit_callbacks)

    # then the page says queued, nothing is marked sent, the timeline does not say the link went out
    assert page.status_code == 200
    assert "Download link queued for e-mail" in page.text
    job = ExportJob.objects.get(request=built)
    assert job.approved_at is not None
    assert job.sent_at is None
    assert _link_sent_events(built) == 0
    message = OutboxMessage.objects.get(purpose=delivery.LINK_PURPOSE)
    assert (message.state, message.attempts, message.last_error) == ("queued", 1, "ConnectionRefusedError")
    assert "queued" in client.get(reverse("admin:requests_dsar_request_change", args=[built.pk])).text

    # and a second click is not refused and adds no second e-mail
    again = _approve(client, built, django_capture_on_commit_callbacks)

    assert "Download link queued for e-mail" in again.text
    assert OutboxMessage.objects.filter(purpose=delivery.LINK_PURPOSE).count() == 1

    # when the server is back and the outbox runs (twice): the link leaves exactly once
    sink = _server_back(settings)
    try:
        assert outbox_send_due(now=_after_back_off()) == {"sent": 1}
        assert outbox_send_due(now=_after_back_off()) == {}
    finally:
        sink.stop()
    assert [recipients for recipients, _email in sink.received] == [[EMAIL]]
    job.refresh_from_db()
    assert job.sent_at is not None
    assert job.expires_at > job.sent_at
    assert _link_sent_events(built) == 1
    assert delivery.export_request_from_token(delivery.export_link_token(built)) == built


def test_approve_and_send_with_a_silent_server_never_waits_on_it_in_the_web_request(
    client, built, black_hole, broker, settings, django_capture_on_commit_callbacks
):
    client.force_login(dpo_user())

    page = _approve(client, built, django_capture_on_commit_callbacks)

    # the web request never talked to the mail server: it only queued and published the id
    assert page.status_code == 200
    assert "Download link queued for e-mail" in page.text
    assert black_hole.accepted == []
    message = OutboxMessage.objects.get(purpose=delivery.LINK_PURPOSE)
    assert broker == [message.pk]

    # the worker's attempt times out: the message waits for its retry, nothing is marked sent
    assert outbox_send_task(message.pk) == "queued"
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.last_error in ("TimeoutError", "SMTPServerDisconnected")
    assert message.next_attempt_at > timezone.now()
    assert ExportJob.objects.get(request=built).sent_at is None
    assert _link_sent_events(built) == 0

    sink = _server_back(settings)
    try:
        assert outbox_send_due(now=_after_back_off()) == {"sent": 1}
    finally:
        sink.stop()
    assert len(sink.received) == 1
    assert ExportJob.objects.get(request=built).sent_at is not None
    assert _link_sent_events(built) == 1


@pytest.fixture
def link(built, settings, django_capture_on_commit_callbacks):
    """The DPO approved and the link left (a working server); returns the link's path."""
    sink = _server_back(settings)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.export_approve_and_send(request=built, actor=dpo_user())
    finally:
        sink.stop()
    body = sink.received[-1][1].get_body(("plain",)).get_content()
    return re.search(r"https?://[^/\s\"]+(/\S*/export/[^/\s\"]+/)", body).group(1)


def test_send_me_a_code_with_the_server_down_spends_no_code_and_the_code_arrives_later(
    client, link, refused, settings, django_capture_on_commit_callbacks
):
    settings.DSAR_PUBLIC_RATE_LIMIT = 100
    job = ExportJob.objects.get()

    # when the person asks for a code more times than codes are allowed, the server refusing
    for _attempt in range(settings.EXPORT_CODE_MAX_SENDS + 2):
        with django_capture_on_commit_callbacks(execute=True):
            page = client.post(link, {"action": "send_code"}, REMOTE_ADDR="198.51.100.4")
        assert page.status_code == 200
        assert "on its way" in page.text

    # then no code was spent and a single code message waits
    job.refresh_from_db()
    assert job.codes_sent == 0
    assert OutboxMessage.objects.filter(purpose=delivery.CODE_PURPOSE, state="queued").count() == 1

    # when the server is back, the last code leaves once, counts once and opens the download
    sink = _server_back(settings)
    try:
        assert outbox_send_due(now=_after_back_off()) == {"sent": 1}
    finally:
        sink.stop()
    assert len(sink.received) == 1
    job.refresh_from_db()
    assert job.codes_sent == 1
    code = re.search(r"\b(\d{6})\b", sink.received[0][1].get_body(("plain",)).get_content()).group(1)
    assert client.post(link, {"action": "code", "code": code}, REMOTE_ADDR="198.51.100.4").status_code == 302
    download = client.post(link, {"action": "download", "file": job.pk}, REMOTE_ADDR="198.51.100.4")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("server", ["refused", "black_hole"])
def test_the_public_form_answers_and_its_confirmation_is_sent_once_the_server_is_back(
    client, server, broker, settings, request, django_capture_on_commit_callbacks
):
    down = request.getfixturevalue(server)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            "/en/privacy/request/",
            {"email": EMAIL, "name": "Léna Morvan", "rights": ["access"], "details": "", "website": ""},
            REMOTE_ADDR="198.51.100.7",
        )

    assert page.status_code == 200
    assert "you will receive an e-mail" in page.text
    if server == "black_hole":
        assert down.accepted == []
    message = OutboxMessage.objects.get()
    assert broker == [message.pk]
    assert outbox_send_task(message.pk) == "queued"  # the worker's first attempt fails

    sink = _server_back(settings)
    try:
        assert outbox_send_due(now=_after_back_off()) == {"sent": 1}
    finally:
        sink.stop()
    (recipients, email), *others = sink.received
    assert recipients == [EMAIL]
    assert others == []
    token_path = re.search(r"https?://[^/\s\"]+(/\S*/confirm/\S+?/)", email.get_body(("plain",)).get_content()).group(1)
    assert client.post(token_path, REMOTE_ADDR="198.51.100.8").status_code == 200
    assert WebSubmission.objects.get().request is not None
