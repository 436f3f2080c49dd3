"""POST /api/v1/requests/ (the intake rules of the admin) and GET /api/v1/requests/<reference>/ (status only)."""

from __future__ import annotations

import re

import pytest

from connectors.models import ApiRequestReference, Scope
from ijinus_privacy.models import OutboxMessage
from requests_dsar.models import IdentityCheck, Request, RequestEvent
from tests.connectors.api_fixtures import Api, _fresh_rate_limits, issue  # noqa: F401
from tests.factories import DataSubjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> Api:
    _client, key = issue(scopes=[Scope.REQUESTS_WRITE, Scope.REQUESTS_READ])
    return Api(key)


def _request(**overrides) -> dict:
    return {
        "received_on": "2026-03-09",
        "channel": "web_form",
        "rights": ["access", "erasure"],
        "details": "Tout ce que vous avez sur moi.",
        "requester_name": "Camille Durand",
        "requester_email": "camille.durand@exemple.fr",
        "language": "fr",
        **overrides,
    }


def test_a_request_is_logged_with_its_receipt_date_and_a_public_reference(api, today):
    response = api.post("requests/", _request())

    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"R(-[A-Z2-9]{4}){4}", body["reference"])
    request = ApiRequestReference.objects.get(reference=body["reference"]).request
    assert (request.received_on.isoformat(), request.channel, request.requester_email) == (
        "2026-03-09",
        "web_form",
        "camille.durand@exemple.fr",
    )
    assert sorted(request.items.values_list("right", flat=True)) == ["access", "erasure"]
    assert (body["state"], body["due_on"], body["expected"]) == ("received", request.due_on.isoformat(), "nothing")
    assert RequestEvent.objects.get(request=request, kind="logged").actor_username == "system:api:website"


def test_a_signed_in_platform_session_verifies_identity_at_once(api, today):
    response = api.post("requests/", _request(channel="platform_ticket", identity="platform_session"))

    body = response.json()
    assert (response.status_code, body["identity_check"], body["state"]) == (201, "verified", "received")
    check = IdentityCheck.objects.get()
    assert (check.method, check.status) == ("platform_session", "verified")


def test_an_email_link_check_goes_to_the_address_on_file_and_pauses_the_clock(api, today):
    person = DataSubjectFactory(email="camille.durand@exemple.fr")

    response = api.post("requests/", _request(identity="email_link"))

    body = response.json()
    assert (response.status_code, body["state"], body["expected"], body["identity_check"]) == (
        201,
        "awaiting_info",
        "identity_link",
        "pending",
    )
    assert Request.objects.get().subject == person
    assert OutboxMessage.objects.filter(purpose="requests_dsar.identity_link").exists()


def test_an_email_link_for_an_unknown_address_is_refused_and_nothing_is_logged(api, today):
    response = api.post("requests/", _request(identity="email_link"))

    assert response.status_code == 400
    assert response.json() == {"identity": ["A one-time link goes only to an address already on file."]}
    assert not Request.objects.exists()
    assert not ApiRequestReference.objects.exists()


def test_intake_errors_come_back_per_field_in_english_and_french(today):
    _client, key = issue(scopes=[Scope.REQUESTS_WRITE])
    body = _request(received_on="2030-01-01", channel="phone", rights=["access", "access"], oral_summary="")

    english = Api(key).post("requests/", body)
    french = Api(key, language="fr").post("requests/", body)
    empty = Api(key).post("requests/", {"channel": "pigeon", "rights": []})

    assert english.status_code == french.status_code == 400
    assert english.json() == {"rights": ["Each right appears once per request."]}
    assert french.json() == {"rights": ["Chaque droit ne figure qu'une fois par demande."]}
    assert set(empty.json()) == {"received_on", "channel", "rights"}
    assert empty.json()["received_on"] == ["This field is required."]
    once = Api(key, language="fr").post("requests/", {**body, "rights": ["access"]})
    assert once.json() == {
        "received_on": ["La date de réception ne peut pas être dans le futur."],
        "oral_summary": ["Une demande orale nécessite un résumé écrit (art. 12(1))."],
    }
    assert not Request.objects.exists()


def test_the_status_says_the_state_the_due_date_and_what_is_expected_and_nothing_personal(api, today):
    DataSubjectFactory(email="camille.durand@exemple.fr")
    reference = api.post("requests/", _request(identity="email_link")).json()["reference"]

    response = api.get(f"requests/{reference}/")
    french = Api(api.client.defaults["HTTP_AUTHORIZATION"].split()[1], language="fr").get(f"requests/{reference}/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "reference",
        "state",
        "state_label",
        "received_on",
        "due_on",
        "closed_on",
        "rights",
        "expected",
        "expected_label",
        "identity_check",
    }
    assert (body["state"], body["expected"]) == ("awaiting_info", "identity_link")
    assert body["expected_label"] == "Follow the link we sent by e-mail to confirm your identity."
    assert french.json()["expected_label"] == (
        "Suivez le lien que nous vous avons envoyé par e-mail pour confirmer votre identité."
    )
    assert "exemple.fr" not in response.content.decode()
    assert "Camille" not in response.content.decode()


def test_an_unknown_reference_is_404(api):
    assert api.get("requests/R-AAAA-BBBB-CCCC-DDDD/").status_code == 404


def test_reading_a_status_needs_the_read_scope():
    _client, key = issue(scopes=[Scope.REQUESTS_WRITE])
    reference = Api(key).post("requests/", _request()).json()["reference"]

    assert Api(key).get(f"requests/{reference}/").status_code == 403
