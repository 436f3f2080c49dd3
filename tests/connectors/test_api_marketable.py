"""POST /api/v1/marketable/: the selector every campaign uses (consents.selectors), suppression list included."""

from __future__ import annotations

import pytest

from connectors.models import Scope
from consents.selectors import marketable
from tests.connectors.api_fixtures import Api, _fresh_rate_limits, issue  # noqa: F401
from tests.factories import DataSubjectFactory, give, withdraw

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> Api:
    _client, key = issue(scopes=[Scope.CONSENTS_READ])
    return Api(key)


def _state(api: Api, email: str, channel: str = "newsletter_email") -> bool:
    response = api.post("marketable/", {"email": email, "channel": channel})
    assert response.status_code == 200
    return response.json()["marketable"]


def test_the_answer_is_the_selectors_for_each_person(api):
    subscribed = DataSubjectFactory(email="abonne@exemple.fr")
    give(subscribed)
    unsubscribed = DataSubjectFactory(email="desabonne@exemple.fr")
    give(unsubscribed)
    withdraw(unsubscribed)
    never = DataSubjectFactory(email="jamais@exemple.fr")
    audience = set(marketable(channel="newsletter_email").values_list("email", flat=True))

    answers = {person.email: _state(api, person.email.upper()) for person in (subscribed, unsubscribed, never)}

    assert answers == {"abonne@exemple.fr": True, "desabonne@exemple.fr": False, "jamais@exemple.fr": False}
    assert {email for email, yes in answers.items() if yes} == audience & set(answers)
    assert _state(api, "inconnu@exemple.fr") is False


def test_a_suppressed_address_is_not_marketable_even_with_a_consent(api):
    from consents.services import suppression_add

    person = DataSubjectFactory(email="abonne@exemple.fr")
    give(person)
    assert _state(api, person.email) is True

    suppression_add(kind="email", value=person.email, channels=["newsletter_email"], reason="objection", actor=None)

    assert _state(api, person.email) is False


def test_only_marketing_channels_and_e_mails_are_accepted_in_both_languages():
    _client, key = issue(scopes=[Scope.CONSENTS_READ])

    english = Api(key).post("marketable/", {"email": "x", "channel": "service_push"})
    french = Api(key, language="fr").post("marketable/", {"channel": "newsletter_email"})

    assert english.status_code == 400
    assert set(english.json()) == {"email", "channel"}
    assert french.json() == {"email": ["Ce champ est obligatoire."]}


def test_the_email_never_goes_in_a_url(api):
    assert api.get("marketable/").status_code == 405
