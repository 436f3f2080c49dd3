"""The admin: the DPO manages connected systems (credential write-only), sees each system's task on
the request's page, retries or waives it; customer service sees the tasks, not the systems."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connectors.models import ConnectedSystem, ConnectorTask
from ijinus_privacy.models import AuditEvent
from tests.factories import client_to_erase, dpo_user, erasure_request, support_user

from .conftest import ijitrack_system
from .servers import closed_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting_task(django_capture_on_commit_callbacks):
    from requests_dsar.erasure.services import erasure_execute

    dpo = dpo_user()
    subject = client_to_erase()
    ijitrack_system(closed_port())
    request = erasure_request(subject, actor=dpo)
    with django_capture_on_commit_callbacks(execute=True):
        erasure_execute(request=request, ground="17_1_a", justification="Demande fondée", actor=dpo)
    return ConnectorTask.objects.get(request=request)


def test_the_dpo_adds_a_system_whose_credential_is_encrypted_and_never_shown(client):
    client.force_login(dpo_user())

    response = client.post(
        reverse("admin:connectors_connectedsystem_add"),
        {
            "name": "Plateforme ijitrack",
            "kind": "ijitrack",
            "base_url": "https://v2.ijitrack.example/privacy/v1",
            "audience_id": "",
            "credential": "s3cret-token-123",
            "supports_erase": "on",
            "supports_collect": "on",
            "timeout_seconds": "10",
            "max_attempts": "8",
        },
    )

    assert response.status_code == 302
    system = ConnectedSystem.objects.get()
    assert system.active is False
    assert system.actions == ["collect", "erase"]
    assert b"s3cret" not in bytes(system.credential_encrypted)
    assert system.credential() == "s3cret-token-123"
    assert AuditEvent.objects.filter(object_type="connectors.connectedsystem", action="create").exists()
    page = client.get(reverse("admin:connectors_connectedsystem_change", args=[system.pk]))
    assert page.status_code == 200
    assert "s3cret" not in page.content.decode()


def test_customer_service_sees_tasks_but_not_the_systems(client, waiting_task):
    client.force_login(support_user())

    assert client.get(reverse("admin:connectors_connectedsystem_changelist")).status_code == 403
    assert client.get(reverse("admin:connectors_connectortask_changelist")).status_code == 200
    assert client.get(reverse("admin:connectors_connectortask_waive", args=[waiting_task.pk])).status_code == 403
    page = client.get(reverse("admin:requests_dsar_request_change", args=[waiting_task.request_id]))
    assert page.status_code == 200
    assert "Plateforme ijitrack" in page.content.decode()


def test_the_request_page_shows_each_system_with_its_state_and_the_dpo_waives_it(client, waiting_task):
    client.force_login(dpo_user())
    page = client.get(reverse("admin:requests_dsar_request_change", args=[waiting_task.request_id]))
    text = page.content.decode()
    assert "Plateforme ijitrack" in text
    assert "system unreachable" in text
    assert "waive with a reason" in text

    url = reverse("admin:connectors_connectortask_waive", args=[waiting_task.pk]) + "?back=request"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    response = client.post(url, {"reason": "Le compte a été supprimé à la main par l'équipe plateforme"})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:requests_dsar_request_change", args=[waiting_task.request_id])
    waiting_task.refresh_from_db()
    assert waiting_task.state == ConnectorTask.State.WAIVED


def test_the_task_list_filters_and_retries(client, waiting_task, ijitrack_server, django_capture_on_commit_callbacks):
    client.force_login(dpo_user())
    ijitrack_server.add_account("melisande.q-brunehaut@exemple.fr")
    ConnectedSystem.objects.update(base_url=ijitrack_server.url)
    changelist = reverse("admin:connectors_connectortask_changelist")

    listed = client.get(changelist, {"state__exact": "waiting", "action__exact": "erase"})
    assert listed.status_code == 200
    assert f">{waiting_task.pk}<" in listed.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {"action": "retry", "_selected_action": [waiting_task.pk]}, follow=True)

    assert response.status_code == 200
    waiting_task.refresh_from_db()
    assert waiting_task.state == ConnectorTask.State.DONE
    assert ijitrack_server.accounts == {}


def test_erasing_from_the_plan_says_the_request_waits_for_the_connected_systems(
    client, django_capture_on_commit_callbacks
):
    dpo = dpo_user()
    client.force_login(dpo)
    subject = client_to_erase()
    ijitrack_system(closed_port())
    request = erasure_request(subject, actor=dpo)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:requests_dsar_request_erasure_plan", args=[request.pk]),
            {"ground": "17_1_a", "justification": "Demande fondée", "confirm": "on"},
            follow=True,
        )

    text = response.content.decode()
    assert "decide the request once each of them confirmed" in text
    assert "Plateforme ijitrack" in text
    request.refresh_from_db()
    assert request.state == "awaiting_decision"


def test_the_task_list_filters_by_system(client, waiting_task):
    client.force_login(dpo_user())
    changelist = reverse("admin:connectors_connectortask_changelist")

    shown = client.get(changelist, {"system": waiting_task.system_id}).content.decode()
    other = client.get(changelist, {"system": waiting_task.system_id + 1}).content.decode()

    assert f">{waiting_task.pk}<" in shown
    assert f">{waiting_task.pk}<" not in other


def test_the_dpo_retries_from_the_request_page(
    client, waiting_task, ijitrack_server, django_capture_on_commit_callbacks
):
    client.force_login(dpo_user())
    ijitrack_server.add_account("melisande.q-brunehaut@exemple.fr")
    ConnectedSystem.objects.update(base_url=ijitrack_server.url)
    page = client.get(reverse("admin:requests_dsar_request_change", args=[waiting_task.request_id])).content.decode()
    retry = reverse("admin:connectors_connectortask_retry", args=[waiting_task.pk])
    assert f'formaction="{retry}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:requests_dsar_request_change", args=[waiting_task.request_id])
    waiting_task.refresh_from_db()
    assert waiting_task.state == ConnectorTask.State.DONE
    client.force_login(support_user())
    assert client.post(retry).status_code == 403
