"""The DPO issues (key shown once) and revokes API keys in the admin; customer service cannot."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connectors.models import ApiClient
from ijinus_privacy.models import AuditEvent
from tests.connectors.api_fixtures import Api, _fresh_rate_limits, issue  # noqa: F401
from tests.factories import dpo_user, support_user

pytestmark = pytest.mark.django_db

CHECK = {"email": "camille.durand@exemple.fr", "channel": "newsletter_email"}


def test_the_dpo_issues_a_key_shown_once_that_then_works(client):
    client.force_login(dpo_user())

    response = client.post(
        reverse("admin:connectors_apiclient_add"),
        {"name": "emailing", "description": "Outil d'e-mailing", "scopes": ["consents:read"], "rate_limit": ""},
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = response.context["key"]
    assert key.startswith("ijp_")
    assert key in response.content.decode()
    api_client = ApiClient.objects.get(name="emailing")
    assert api_client.scopes == ["consents:read"]
    assert api_client.created_by_username == "dpo"
    change = client.get(reverse("admin:connectors_apiclient_change", args=[api_client.pk])).content.decode()
    listing = client.get(reverse("admin:connectors_apiclient_changelist")).content.decode()
    assert key not in change
    assert key not in listing
    assert api_client.key_prefix in listing
    assert Api(key).post("marketable/", CHECK).status_code == 200
    assert AuditEvent.objects.filter(object_type="connectors.apiclient", reason="API key issued").exists()


def test_the_add_form_refuses_a_key_without_scope(client):
    client.force_login(dpo_user())

    response = client.post(reverse("admin:connectors_apiclient_add"), {"name": "website", "rate_limit": "lots"})

    assert response.status_code == 200
    assert not ApiClient.objects.exists()
    assert "e.g. 120/minute" in response.content.decode()


def test_the_dpo_revokes_a_key_and_it_stops_working(client):
    api_client, key = issue()
    client.force_login(dpo_user())

    response = client.post(
        reverse("admin:connectors_apiclient_changelist"),
        {"action": "revoke", "_selected_action": [api_client.pk]},
        follow=True,
    )

    assert "1 key revoked." in response.content.decode()
    api_client.refresh_from_db()
    assert (api_client.revoked_at is not None, api_client.revoked_by_username) == (True, "dpo")
    assert Api(key).post("marketable/", CHECK).status_code == 401


def test_customer_service_neither_sees_issues_nor_revokes_keys(client):
    api_client, _key = issue()
    client.force_login(support_user())

    pages = [
        client.get(reverse("admin:connectors_apiclient_changelist")).status_code,
        client.get(reverse("admin:connectors_apiclient_add")).status_code,
        client.post(reverse("admin:connectors_apiclient_add"), {"name": "x", "scopes": ["consents:read"]}).status_code,
        client.post(
            reverse("admin:connectors_apiclient_changelist"), {"action": "revoke", "_selected_action": [api_client.pk]}
        ).status_code,
    ]

    assert pages == [403, 403, 403, 403]
    assert ApiClient.objects.get().revoked_at is None
    assert not support_user().has_perm("connectors.issue_apiclient")


def test_the_dpo_role_holds_the_key_permissions_and_nobody_edits_or_deletes_clients():
    dpo = dpo_user()

    assert dpo.has_perm("connectors.issue_apiclient")
    assert dpo.has_perm("connectors.revoke_apiclient")
    assert not dpo.has_perm("connectors.change_apiclient")
    assert not dpo.has_perm("connectors.delete_apiclient")
