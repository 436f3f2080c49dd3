"""The public request page: e-mail confirmation, single use, expiry, rate limit, no enumeration."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from requests_dsar.models import Channel, Request, State, WebSubmission
from requests_dsar.public import web_submissions_purge
from tests.requests_dsar.factories import DataSubjectFactory

pytestmark = pytest.mark.django_db

FORM_URL = "/privacy/request/"


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


def _submit(client, email="claire.martin@exemple.fr", **extra):
    data = {"rights": ["access", "erasure"], "email": email, "name": "Claire Martin", "details": "", **extra}
    return client.post(FORM_URL, data, REMOTE_ADDR="203.0.113.7")


def _confirmation_path(message) -> str:
    return re.search(r"https?://[^/\s\"]+(/\S+/confirm/[^/\s\"]+/)", message.body).group(1)


def test_the_page_answers_in_french_and_english(client):
    assert client.get(FORM_URL).status_code == 200
    english = client.get("/en/privacy/request/")
    assert english.status_code == 200
    assert 'lang="en"' in english.text


def test_nothing_is_received_before_the_e_mail_is_confirmed(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client)

    assert response.status_code == 200
    assert Request.objects.count() == 0
    assert mailoutbox[0].to == ["claire.martin@exemple.fr"]
    assert "Claire" not in mailoutbox[0].subject


def test_valid_link_registers_the_request_as_received_by_web_form(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _submit(client)
    path = _confirmation_path(mailoutbox[0])

    assert client.get(path).status_code == 200  # a GET shows a button only
    assert Request.objects.count() == 0
    response = client.post(path)

    assert response.status_code == 200
    request = Request.objects.get()
    assert (request.channel, request.state) == (Channel.WEB_FORM, State.RECEIVED)
    assert sorted(request.items.values_list("right", flat=True)) == ["access", "erasure"]
    assert request.requester_email == "claire.martin@exemple.fr"


def test_reused_link_is_refused(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _submit(client)
    path = _confirmation_path(mailoutbox[0])
    client.post(path)

    response = client.post(path)

    assert response.status_code == 400
    assert "déjà été utilisé" in response.text
    assert Request.objects.count() == 1


def test_expired_link_is_refused(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _submit(client)
    path = _confirmation_path(mailoutbox[0])
    WebSubmission.objects.update(expires_at=WebSubmission.objects.get().created_at - timedelta(seconds=1))

    response = client.post(path)

    assert response.status_code == 400
    assert "Ce lien a expiré" in response.text
    assert Request.objects.count() == 0


def test_english_submission_gets_an_english_e_mail_and_page(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/privacy/request/",
            {"rights": ["portability"], "email": "j.doe@exemple.fr", "name": "", "details": ""},
            REMOTE_ADDR="203.0.113.8",
        )

    assert "Check your e-mail" in response.text
    assert mailoutbox[0].subject == "Confirm your personal-data request"
    response = client.post(_confirmation_path(mailoutbox[0]))
    assert "Your request has been received" in response.text
    assert Request.objects.get().language == "en"


def test_french_page_shows_french_labels(client):
    response = client.get(FORM_URL)

    assert "Que souhaitez-vous faire" in response.text
    assert "Opposition à la prospection commerciale" in response.text


def test_tampered_link_is_refused(client):
    response = client.post(reverse("requests_dsar_public:confirm", args=["abc:def:ghi"]))

    assert response.status_code == 400
    assert Request.objects.count() == 0


def test_same_answer_for_known_and_unknown_addresses(client):
    known = DataSubjectFactory()

    answer_known = _submit(client, email=known.email)
    answer_unknown = _submit(client, email="inconnu@exemple.fr")

    assert answer_known.status_code == answer_unknown.status_code == 200
    assert answer_known.templates[0].name == answer_unknown.templates[0].name


def test_submissions_are_rate_limited_per_address(client, settings):
    settings.DSAR_PUBLIC_RATE_LIMIT = 2
    assert _submit(client).status_code == 200
    assert _submit(client).status_code == 200

    assert _submit(client).status_code == 429
    assert client.post(FORM_URL, {}, REMOTE_ADDR="198.51.100.1").status_code == 200


def test_expired_submissions_are_purged(client, django_capture_on_commit_callbacks):
    _submit(client)
    WebSubmission.objects.update(expires_at=WebSubmission.objects.get().created_at - timedelta(seconds=1))

    assert web_submissions_purge() == 1
    assert not WebSubmission.objects.exists()
