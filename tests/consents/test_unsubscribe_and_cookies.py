"""One-click unsubscribe (R2.3.1, R1.13.2) and cookie consent lifetime (R2.4.3, R2.5.2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone, translation

from consents import selectors, services
from consents.models import Channel, ConsentEvent, Suppression
from consents.tasks import cookie_consent_expiry_task
from consents.unsubscribe import unsubscribe_token, unsubscribe_url
from tests.factories import DataSubjectFactory, give

pytestmark = pytest.mark.django_db

EMAIL = Channel.NEWSLETTER_EMAIL


def _url(person, channel=EMAIL, prefix=""):
    token = unsubscribe_token(subject_id=person.pk, channel=channel)
    with translation.override("fr"):
        return prefix + reverse("consents_public:unsubscribe", kwargs={"token": token})


def test_get_shows_one_button_and_records_nothing(client):
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=1))
    response = client.get(_url(person))
    assert response.status_code == 200
    assert b'<form method="post">' in response.content
    assert services.current_event(subject=person, channel=EMAIL).action == "given"


def test_one_click_post_records_the_withdrawal_without_login(client):
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=1))
    response = client.post(_url(person, prefix="/en"))
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    event = services.current_event(subject=person, channel=EMAIL)
    assert (event.action, event.mechanism, event.collection_point) == ("withdrawn", "one_click", "email_link")
    assert person.pk not in set(selectors.marketable(channel=EMAIL).values_list("pk", flat=True))
    assert Suppression.objects.filter(channel=EMAIL).count() == 2  # e-mail and phone


def test_rfc_8058_one_click_post_from_a_mail_client_works(client):
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=1))
    response = client.post(
        _url(person), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert services.current_event(subject=person, channel=EMAIL).action == "withdrawn"


def test_a_tampered_token_gets_a_clear_400_page_and_records_nothing(client):
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=1))
    url = _url(person)
    tampered = url.replace(url.split("/")[-2], url.split("/")[-2][:-3] + "abc")
    response = client.post(tampered)
    assert response.status_code == 400
    assert "lien" in response.content.decode() or "link" in response.content.decode()
    assert services.current_event(subject=person, channel=EMAIL).action == "given"


def test_a_reused_link_shows_already_unsubscribed_and_adds_no_event(client):
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=1))
    client.post(_url(person, prefix="/en"))
    again = client.post(_url(person, prefix="/en"))
    assert again.status_code == 200
    assert b"already unsubscribed" in again.content
    assert ConsentEvent.objects.filter(subject=person, action="withdrawn").count() == 1
    assert b"already unsubscribed" in client.get(_url(person, prefix="/en")).content


def test_the_link_of_an_erased_person_stays_calm(client, django_user_model):
    from subjects import services as subject_services
    from tests.factories import dpo_user

    person = DataSubjectFactory(consumer=True, admitted=True)
    url = _url(person, prefix="/en")
    subject_services.subject_delete(subject_ids=[person.pk], actor=dpo_user())
    assert client.post(url).status_code == 200


def test_unsubscribe_url_is_absolute_and_carries_no_address():
    person = DataSubjectFactory(consumer=True, admitted=True)
    url = unsubscribe_url(subject_id=person.pk, channel=EMAIL, language="en")
    assert url.startswith("http")
    assert "/en/privacy/unsubscribe/" in url
    assert person.email not in url


# --- Cookies ------------------------------------------------------------------------------------


def test_cookie_consent_expires_at_13_months_once():
    now = timezone.now()
    old = give(None, Channel.COOKIES_AUDIENCE, visitor_id="v-123", at=now - relativedelta(months=13, days=1))
    recent_person = DataSubjectFactory(consumer=True, admitted=True)
    give(recent_person, Channel.COOKIES_ADVERTISING, at=now - relativedelta(months=12))

    assert cookie_consent_expiry_task.delay().get() == 1
    expired = ConsentEvent.objects.get(action="expired")
    assert (expired.visitor_id, expired.channel) == ("v-123", Channel.COOKIES_AUDIENCE)
    assert expired.occurred_at == old.occurred_at + relativedelta(months=13)
    assert services.cookie_consents_expire() == 0  # idempotent
    assert services.current_event(subject=recent_person, channel=Channel.COOKIES_ADVERTISING).action == "given"


def test_cookie_choices_older_than_six_months_are_to_be_asked_again():
    now = timezone.now()
    stale, fresh = DataSubjectFactory(consumer=True, admitted=True), DataSubjectFactory(consumer=True, admitted=True)
    give(stale, Channel.COOKIES_AUDIENCE, at=now - relativedelta(months=7))
    give(fresh, Channel.COOKIES_AUDIENCE, at=now - relativedelta(months=2))
    give(None, Channel.COOKIES_SOCIAL, visitor_id="v-9", action="refused", at=now - relativedelta(months=8))
    to_reask = ConsentEvent.objects.cookies_to_reask(now=now)
    assert {(e.subject_id, e.visitor_id) for e in to_reask} == {(stale.pk, ""), (None, "v-9")}


def test_the_expiry_task_is_on_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "consents.tasks.cookie_consent_expiry_task" in tasks
