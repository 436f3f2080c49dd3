"""Outbound webhooks against a real local receiver that checks every signature (issue 15).

An erasure carried out here → a task for the webhook system → a signed POST the receiver verifies
with the check of docs/webhooks.md → the task done with the processor's reference. A receiver that
is down or answers 503 gets the event again with back-off (the core's retry); a 4xx fails it.
Each attempt is a ``WebhookDelivery`` whose stored body holds no identifier.
"""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from connectors import webhooks
from connectors.contract import PermanentError
from connectors.models import ConnectedSystem, ConnectorTask, WebhookDelivery
from connectors.services import connected_system_create, task_run
from ijinus_privacy.models import AuditEvent
from requests_dsar.erasure.services import erasure_execute
from requests_dsar.models import ErasureGround
from tests.factories import client_to_erase, dpo_user, erasure_request

from .servers import closed_port
from .webhook_receiver import Receiver, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def webhook_system(url: str, **values) -> ConnectedSystem:
    return connected_system_create(
        values={
            "name": "Sous-traitant routage",
            "kind": ConnectedSystem.Kind.WEBHOOK,
            "base_url": url,
            "active": True,
            "supports_erase": True,
            "supports_restrict": True,
            "supports_rectify": True,
            "timeout_seconds": 3,
            **values,
        },
        actor=dpo_user(),
    )


def _secret(system: ConnectedSystem, receiver: Receiver) -> str:
    receiver.secret = webhooks.secret_issue(system=system, actor=dpo_user())
    return receiver.secret


def _erase(capture):
    dpo = dpo_user()
    subject = client_to_erase()
    request = erasure_request(subject, actor=dpo)
    with capture(execute=True):
        erasure_execute(
            request=request, ground=ErasureGround.NO_LONGER_NECESSARY, justification="Demande fondée", actor=dpo
        )
    return subject, request


def test_an_erasure_is_delivered_signed_and_recorded_without_the_email(receiver, django_capture_on_commit_callbacks):
    system = webhook_system(receiver.url)
    _secret(system, receiver)

    subject, request = _erase(django_capture_on_commit_callbacks)

    task = ConnectorTask.objects.get(request=request, system=system)
    assert (task.action, task.state, task.remote_ref) == ("erase", "done", "proc-1")
    [received] = receiver.received
    assert received.signature_valid
    assert received.path == "/hooks/ijinus"  # nothing about the person in the URL
    assert subject.email not in json.dumps(received.headers)
    event = received.event
    assert (event["type"], event["action"], event["subject"]["id"]) == ("subject.erase", "erase", subject.pk)
    assert event["subject"]["identifiers"]["email"] == subject.email  # only inside the signed body
    assert received.headers["Idempotency-Key"] == str(task.idempotency_key) == event["id"]
    assert received.headers["X-Ijinus-Event"] == "subject.erase"
    [delivery] = WebhookDelivery.objects.filter(task=task)
    assert (delivery.attempt, delivery.response_status, delivery.outcome) == (1, 200, "delivered")
    assert delivery.payload_sha256 == hashlib.sha256(received.body).hexdigest()
    assert subject.email not in json.dumps(delivery.request_body)
    assert delivery.request_body["subject"]["identifiers"]["email"] == "[redacted]"
    assert delivery.request_body["subject"]["id"] == subject.pk
    assert '"reference": "proc-1"' in delivery.response_excerpt
    assert delivery.event_type == "subject.erase"
    assert AuditEvent.objects.filter(object_type="connectors.webhookdelivery", object_id=str(delivery.pk)).exists()


def test_the_signature_is_refused_when_tampered_old_or_signed_with_another_secret():
    body = b'{"type":"subject.erase"}'
    now = int(time.time())
    header = webhooks.sign("whsec_test", body, now)

    assert header.startswith(f"t={now},v1=")
    assert webhooks.verify_signature("whsec_test", header, body, now=now)
    assert verify("whsec_test", header, body, now=now)  # the docs' receiver check agrees
    assert not webhooks.verify_signature("whsec_test", header, body + b" ", now=now)
    assert not webhooks.verify_signature("whsec_other", header, body, now=now)
    assert not webhooks.verify_signature("whsec_test", header, body, now=now + 301)  # replay window: 5 min
    assert webhooks.verify_signature("whsec_test", header, body, now=now + 299)
    assert not verify("whsec_test", header, body, now=now + 301)
    assert not webhooks.verify_signature("whsec_test", "v1=abc", body, now=now)


def test_a_receiver_that_answers_503_gets_the_event_again_after_the_back_off(
    receiver, django_capture_on_commit_callbacks
):
    system = webhook_system(receiver.url)
    _secret(system, receiver)
    receiver.answers = [(503, '{"error": "maintenance"}')]

    _subject, request = _erase(django_capture_on_commit_callbacks)

    task = ConnectorTask.objects.get(request=request, system=system)
    assert (task.state, task.attempts, task.last_error) == ("waiting", 1, "HTTP 503: webhook: HTTP 503")
    task = task_run(task_id=task.pk, now=task.next_attempt_at)

    assert task.state == "done"
    deliveries = list(WebhookDelivery.objects.filter(task=task).order_by("attempt"))
    assert [(d.attempt, d.response_status, d.outcome) for d in deliveries] == [
        (1, 503, "retryable"),
        (2, 200, "delivered"),
    ]
    assert len({d.event_id for d in deliveries}) == 1
    assert [r.event["id"] for r in receiver.received] == [str(task.idempotency_key)] * 2
    assert all(r.signature_valid for r in receiver.received)


def test_a_receiver_that_is_down_keeps_the_task_until_it_is_back(receiver, django_capture_on_commit_callbacks):
    system = webhook_system(closed_port())
    _secret(system, receiver)

    _subject, request = _erase(django_capture_on_commit_callbacks)

    task = ConnectorTask.objects.get(request=request, system=system)
    assert task.state == "waiting"
    [down] = WebhookDelivery.objects.filter(task=task)
    assert (down.response_status, down.outcome) == (None, "retryable")
    assert down.error.startswith("connection failed")
    system.base_url = receiver.url
    system.save(update_fields=["base_url"])

    task = task_run(task_id=task.pk, now=task.next_attempt_at)

    assert task.state == "done"
    assert WebhookDelivery.objects.filter(task=task).count() == 2
    assert len(receiver.received) == 1


def test_a_refusal_fails_the_task_with_its_status_and_the_echoed_email_is_redacted(
    receiver, django_capture_on_commit_callbacks
):
    system = webhook_system(receiver.url)
    _secret(system, receiver)
    receiver.answers = [(422, "")]

    subject, request = _erase(django_capture_on_commit_callbacks)
    receiver.answers = [(400, json.dumps({"error": f"unknown contact {subject.email}"}))]

    task = ConnectorTask.objects.get(request=request, system=system)
    assert task.state == "failed"
    assert "HTTP 422: the receiver refused the event" in task.last_error
    delivery = webhooks.redeliver(delivery=WebhookDelivery.objects.get(task=task), actor=dpo_user())
    assert (delivery.attempt, delivery.response_status, delivery.outcome) == (2, 400, "failed")
    assert subject.email not in delivery.response_excerpt
    assert "[redacted]" in delivery.response_excerpt


def test_a_wrong_secret_is_refused_by_the_receiver_and_no_secret_fails_at_once(
    receiver, django_capture_on_commit_callbacks
):
    system = webhook_system(receiver.url)
    _secret(system, receiver)
    receiver.secret = "whsec_not_the_one"

    _subject, request = _erase(django_capture_on_commit_callbacks)

    task = ConnectorTask.objects.get(request=request, system=system)
    assert task.state == "failed"
    assert [r.signature_valid for r in receiver.received] == [False]
    assert WebhookDelivery.objects.get(task=task).response_status == 401

    unsigned = webhook_system(receiver.url, name="Sans secret")
    with pytest.raises(PermanentError, match="no signing secret"):
        webhooks.send(ConnectorTask(system=unsigned, subject_ref=1, action="erase"))


def test_plain_http_is_refused_except_to_this_machine():
    webhooks.check_url("http://127.0.0.1:8080/hook")
    webhooks.check_url("http://localhost/hook")
    webhooks.check_url("https://hooks.example.com/ijinus")
    with pytest.raises(PermanentError, match="https"):
        webhooks.check_url("http://hooks.example.com/ijinus")
