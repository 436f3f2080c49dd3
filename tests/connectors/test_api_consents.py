"""POST /api/v1/consents/: the proof the admin and the import ask for, the same admission and suppression rules."""

from __future__ import annotations

import datetime as dt

import pytest

from consents import imports
from consents.models import Channel, ConsentEvent, Suppression
from consents.services import is_suppressed
from requests_dsar.erasure.services import erasure_execute
from subjects.models import DataSubject, SubjectRole
from tests.connectors.api_fixtures import Api, _fresh_rate_limits, issue  # noqa: F401
from tests.factories import DataSubjectFactory, client_to_erase, consent_notice, dpo_user, erasure_request, withdraw

pytestmark = pytest.mark.django_db


def _consent(**overrides) -> dict:
    return {
        "email": "Camille.Durand@Exemple.fr",
        "first_names": "Camille",
        "last_name": "Durand",
        "channel": "newsletter_email",
        "action": "given",
        "notice": consent_notice().pk,
        "collection_point": "web_form",
        "collection_detail": "footer-newsletter-form",
        "interface_version": "v3",
        "mechanism": "double_opt_in",
        "requested_at": "2026-03-09T08:00:00Z",
        "confirmed_at": "2026-03-09T08:05:00Z",
        "ip_address": "192.0.2.10",
        "language": "fr",
        **overrides,
    }


@pytest.fixture
def api() -> Api:
    _client, key = issue()
    return Api(key)


def test_a_consent_from_the_website_adds_the_person_with_the_proof(api):
    response = api.post("consents/", _consent())

    assert response.status_code == 201
    body = response.json()
    assert (body["recorded"], body["channel"], body["action"], body["suppressed"]) == (
        True,
        "newsletter_email",
        "given",
        False,
    )
    event = ConsentEvent.objects.get(pk=body["event"])
    assert event.subject.email == "camille.durand@exemple.fr"
    assert (event.collection_point, event.mechanism, event.entered_by) == ("web_form", "double_opt_in", "subject")
    assert (event.ip_address, event.interface_version, event.notice_id) == ("192.0.2.10", "v3", consent_notice().pk)
    assert event.occurred_at == event.confirmed_at == dt.datetime(2026, 3, 9, 8, 5, tzinfo=dt.UTC)
    assert event.subject.roles.filter(role=SubjectRole.Role.NEWSLETTER).exists()


def test_a_consent_of_a_known_person_is_added_to_their_history(api):
    person = DataSubjectFactory(email="camille.durand@exemple.fr")

    response = api.post("consents/", _consent(channel="marketing_push", notice=consent_notice("marketing_push").pk))

    assert response.status_code == 201
    assert DataSubject.objects.count() == 1
    assert ConsentEvent.objects.get(subject=person).channel == "marketing_push"


def test_a_withdrawal_is_recorded_once_and_suppresses_the_address(api):
    person = DataSubjectFactory(email="camille.durand@exemple.fr")
    withdrawal = {
        "email": person.email,
        "channel": "newsletter_email",
        "action": "withdrawn",
        "collection_point": "email_link",
        "mechanism": "one_click",
    }

    first = api.post("consents/", withdrawal)
    again = api.post("consents/", withdrawal)

    assert (first.status_code, first.json()["recorded"], first.json()["suppressed"]) == (201, True, True)
    assert (again.status_code, again.json()["recorded"], again.json()["event"]) == (200, False, None)
    assert ConsentEvent.objects.filter(subject=person, action="withdrawn").count() == 1


def test_a_withdrawal_of_an_unknown_address_keeps_it_out_of_later_imports(api):
    response = api.post(
        "consents/",
        {
            "email": "inconnu@exemple.fr",
            "channel": "newsletter_email",
            "action": "withdrawn",
            "collection_point": "emailing_tool",
            "mechanism": "one_click",
        },
    )

    assert (response.status_code, response.json()["recorded"], response.json()["suppressed"]) == (200, False, True)
    assert not DataSubject.objects.exists()
    assert is_suppressed(channel=Channel.NEWSLETTER_EMAIL, email="inconnu@exemple.fr")


def test_missing_proof_gets_field_errors_in_english_and_french_and_writes_nothing():
    _client, key = issue()
    body = _consent(notice=None, mechanism="double_opt_in", confirmed_at=None, entered_by="staff")

    english = Api(key).post("consents/", body)
    french = Api(key, language="fr").post("consents/", body)

    assert english.status_code == french.status_code == 400
    assert english.json() == {
        "notice": ["The notice version shown is required to prove a choice (EDPB Guidelines 05/2020, ¶108)."],
        "staff_reference": [
            "Staff entering a choice record how the person expressed it (EDPB Guidelines 05/2020, ¶108)."
        ],
        "confirmed_at": ["A double opt-in needs the confirmation time (EDPB Guidelines 05/2020, ¶108)."],
    }
    assert french.json()["notice"] == [
        "La version de la mention affichée est obligatoire pour prouver un choix "
        "(lignes directrices CEPD 05/2020, ¶108)."
    ]
    assert not DataSubject.objects.exists()
    assert not ConsentEvent.objects.exists()


def test_bad_values_get_field_errors_in_the_callers_language():
    _client, key = issue()
    body = _consent(email="pas-un-email", channel="fax", mechanism="automatic", ip_address="999.1.1.1")

    english = Api(key).post("consents/", body).json()
    french = Api(key, language="fr").post("consents/", body).json()

    assert set(english) == {"email", "channel", "mechanism", "ip_address"}
    assert english["email"] == ["Enter a valid email address."]
    assert french["email"] == ["Saisissez une adresse e-mail valide."]
    assert french["channel"] == ["«\xa0fax\xa0» n'est pas un choix valide."]


def test_a_future_consent_and_a_broken_body_are_400_not_500(api):
    future = api.post("consents/", _consent(requested_at=None, mechanism="button", confirmed_at="2030-01-01T00:00:00Z"))
    broken = api.post("consents/", "{not json")
    not_an_object = api.post("consents/", "[1, 2]")

    assert future.status_code == 400
    assert "occurred_at" in future.json() or "confirmed_at" in future.json()
    assert broken.status_code == 400
    assert not_an_object.status_code == 400


def _erased_person() -> DataSubject:
    dpo = dpo_user()
    person = client_to_erase(email="erased@exemple.fr", phone="0600000001")
    erasure_execute(request=erasure_request(person, actor=dpo), ground="17_1_a", justification="ok", actor=dpo)
    return person


def test_an_erased_persons_email_is_refused_as_the_import_refuses_it(api):
    _erased_person()
    import tablib

    report = imports.import_consent_proofs(
        dataset=tablib.Dataset(
            ("erased@exemple.fr", "A", "B", "2026-03-09 08:00:00", "", "", "list"), headers=list(imports.COLUMNS)
        ),
        notice=consent_notice(),
        batch_reference="b",
        actor=None,
    )

    response = api.post(
        "consents/",
        _consent(email="erased@exemple.fr", entered_by="staff", staff_reference="call 42", mechanism="oral"),
    )

    assert response.status_code == 400
    refusals = response.json()["email"]
    assert [reason for _row, reason in report.errors] == refusals
    assert any("erased under Art. 17" in reason for reason in refusals)
    assert not DataSubject.objects.filter(email="erased@exemple.fr").exists()


def test_an_erased_persons_own_new_consent_lets_them_in_again_as_in_the_admin(api, today):
    _erased_person()

    before = api.post("consents/", _consent(email="erased@exemple.fr"))  # confirmed the day before the erasure
    after = api.post(
        "consents/",
        _consent(email="erased@exemple.fr", requested_at="2026-03-10T08:50:00Z", confirmed_at="2026-03-10T08:55:00Z"),
    )

    assert before.status_code == 400
    assert after.status_code == 201, after.json()
    assert DataSubject.objects.filter(email="erased@exemple.fr").exists()


def test_a_suppressed_known_person_is_not_subscribed_again_by_staff_only_by_themselves(api):
    person = DataSubjectFactory(email="camille.durand@exemple.fr")
    withdraw(person)

    by_staff = api.post("consents/", _consent(entered_by="staff", staff_reference="call 42", mechanism="oral"))
    by_themselves = api.post("consents/", _consent(mechanism="unticked_checkbox", requested_at=None, confirmed_at=None))

    assert by_staff.status_code == 400
    assert "suppression list" in by_staff.json()["email"][0]
    assert by_themselves.status_code == 201
    assert not Suppression.objects.filter(channel="newsletter_email").exists()
