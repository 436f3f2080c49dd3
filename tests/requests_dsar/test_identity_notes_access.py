"""R5.2.1: customer service sees whether and how a requester's identity was checked, never the notes
on the check (the doubt, the document seen); the DPO sees them all."""

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from requests_dsar import services
from requests_dsar.models import IdentityCheck
from tests.factories import dpo_user, logged_request, support_user

pytestmark = pytest.mark.django_db

DOUBT = "Adresse de l'expéditeur différente de celle du dossier"


def _page(client, user, request) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("admin:requests_dsar_request_change", args=[request.pk]))
    assert response.status_code == 200
    return response.text


def test_r5_2_1_customer_service_sees_the_identity_checks_status_not_its_notes(client):
    support = support_user()
    request = logged_request(received_on=date(2026, 3, 5), actor=support)
    services.identity_check_start(
        request=request,
        method=IdentityCheck.Method.EMAIL_LINK,
        doubt_reason=DOUBT,
        actor=support,
        asked_on=date(2026, 3, 5),
    )

    support_page = _page(client, support, request)
    dpo_page = _page(client, dpo_user(), request)

    assert 'class="field-status"' in support_page.split('id="identity_checks-group"')[1]
    assert "doute" not in support_page.lower()
    assert "field-doubt_reason" not in support_page
    assert "Adresse de l&#x27;expéditeur différente" in dpo_page
