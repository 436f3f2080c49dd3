"""Webhooks in the admin: the deliveries list (read-only), "redeliver" (audited), and the signing
secret issued and shown once, stored encrypted (issue 15)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from connectors import webhooks
from connectors.models import ConnectedSystem, ConnectorTask, WebhookDelivery
from ijinus_privacy.models import AuditEvent
from tests.factories import dpo_user, support_user

from .test_webhooks_delivery import _erase, _secret, webhook_system
from .webhook_receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def test_the_dpo_issues_the_signing_secret_and_sees_it_only_once(client):
    system = webhook_system("https://hooks.example.com/ijinus")
    url = reverse("admin:connectors_webhookdelivery_secret", args=[system.pk])
    client.force_login(support_user())
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    client.force_login(dpo_user())

    assert "Issue the signing secret" in client.get(url).content.decode()
    page = client.post(url).content.decode()

    system.refresh_from_db()
    secret = system.credential()
    assert secret.startswith("whsec_")
    assert secret in page
    assert "shown only this once" in page
    assert secret.encode() not in bytes(system.credential_encrypted)
    again = client.get(url).content.decode()
    assert secret not in again
    assert "Replace the signing secret" in again
    assert AuditEvent.objects.filter(
        object_type="connectors.connectedsystem", object_id=str(system.pk), reason="Webhook signing secret issued"
    ).exists()


def test_a_system_of_another_kind_has_no_secret_page(client):
    system = webhook_system("https://hooks.example.com/ijinus", name="Plateforme", kind=ConnectedSystem.Kind.IJITRACK)
    client.force_login(dpo_user())
    assert client.get(reverse("admin:connectors_webhookdelivery_secret", args=[system.pk])).status_code == 404


def test_deliveries_are_listed_read_only_and_redelivered_from_the_list(
    client, receiver, django_capture_on_commit_callbacks
):
    system = webhook_system(receiver.url)
    _secret(system, receiver)
    receiver.answers = [(503, ""), (503, "")]
    _subject, request = _erase(django_capture_on_commit_callbacks)
    first = WebhookDelivery.objects.get(task__request=request)
    changelist = reverse("admin:connectors_webhookdelivery_changelist")
    client.force_login(support_user())
    assert client.get(changelist).status_code == 403
    client.force_login(dpo_user())

    listing = client.get(changelist)
    page = client.get(reverse("admin:connectors_webhookdelivery_change", args=[first.pk])).content.decode()

    assert listing.status_code == 200
    assert "subject.erase" in listing.content.decode()
    assert "[redacted]" in page
    assert 'name="_save"' not in page
    response = client.post(changelist, {"action": "redeliver", "_selected_action": [first.pk]}, follow=True)
    assert response.status_code == 200
    messages = " ".join(str(message) for message in response.context["messages"])
    assert f"Delivery #{first.pk} sent again as attempt 2" in messages
    again = WebhookDelivery.objects.get(redelivery_of=first)
    assert (again.attempt, again.response_status, again.requested_by_username) == (2, 503, "dpo")
    assert AuditEvent.objects.filter(
        object_type="connectors.webhookdelivery",
        object_id=str(again.pk),
        reason__startswith=f"Manual redelivery of webhook delivery #{first.pk}",
    ).exists()
    assert ConnectorTask.objects.get(request=request).state == "waiting"  # the core's retry still owns the task


def test_a_delivery_whose_identifiers_were_dropped_cannot_be_sent_again(
    client, receiver, django_capture_on_commit_callbacks
):
    system = webhook_system(receiver.url)
    _secret(system, receiver)
    _subject, request = _erase(django_capture_on_commit_callbacks)
    delivered = WebhookDelivery.objects.get(task__request=request)
    client.force_login(dpo_user())

    response = client.post(
        reverse("admin:connectors_webhookdelivery_changelist"),
        {"action": "redeliver", "_selected_action": [delivered.pk]},
        follow=True,
    )

    messages = " ".join(str(message) for message in response.context["messages"])
    assert "identifiers were dropped once the system confirmed" in messages
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.received) == 1


def test_support_cannot_redeliver(client, receiver, django_capture_on_commit_callbacks):
    system = webhook_system(receiver.url)
    _secret(system, receiver)
    receiver.answers = [(503, "")]
    _subject, request = _erase(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(task__request=request)
    with pytest.raises(PermissionDenied):
        webhooks.redeliver(delivery=delivery, actor=support_user())
    assert WebhookDelivery.objects.count() == 1
