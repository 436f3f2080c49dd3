"""The public request page: e-mail confirmation, single use, expiry, rate limit, no enumeration."""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from ijinus_privacy.choices import ContactChannel
from requests_dsar.models import Request, State, WebSubmission
from requests_dsar.public import web_submissions_purge
from tests.factories import DataSubjectFactory

pytestmark = pytest.mark.django_db

FORM_URL = "/privacy/request/"
VALID = {"rights": ["access"], "email": "claire.martin@exemple.fr", "name": "Claire Martin", "details": ""}


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
    assert (request.channel, request.state) == (ContactChannel.WEB_FORM, State.RECEIVED)
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


@time_machine.travel(datetime(2026, 3, 2, 10, 30, tzinfo=UTC), tick=False)
def test_submissions_are_rate_limited_per_address(client, settings):
    settings.DSAR_PUBLIC_RATE_LIMIT = 2
    assert _submit(client).status_code == 200
    assert _submit(client).status_code == 200

    assert _submit(client).status_code == 429
    assert client.post(FORM_URL, VALID, REMOTE_ADDR="198.51.100.1").status_code == 200


def test_expired_submissions_are_purged(client, django_capture_on_commit_callbacks):
    _submit(client)
    WebSubmission.objects.update(expires_at=WebSubmission.objects.get().created_at - timedelta(seconds=1))

    assert web_submissions_purge() == 1
    assert not WebSubmission.objects.exists()


NOW = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_the_hourly_budget_is_shared_by_server_processes_and_survives_a_restart(client, settings):
    """Another process (another gunicorn worker, or the server after a restart) sees the same count."""
    for _ in range(settings.DSAR_PUBLIC_RATE_LIMIT):
        assert client.post(FORM_URL, VALID, REMOTE_ADDR="203.0.113.60").status_code == 200
    other_process = (
        "import django, time_machine; django.setup(); from django.test import Client; "
        # the pages show the DPO contact from the register: that process has its own (empty) database
        "from django.core.management import call_command; call_command('migrate', verbosity=0); "
        f"time_machine.travel({NOW.timestamp()}, tick=False).start(); "
        "c = Client(HTTP_ACCEPT_LANGUAGE='en'); "
        f"print(c.post('/privacy/request/', {VALID!r}, REMOTE_ADDR='203.0.113.60').status_code, "
        "c.post('/privacy/request/', {}, REMOTE_ADDR='203.0.113.61').status_code)"
    )
    env = {
        **{key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "TMPDIR"}},
        "DJANGO_SETTINGS_MODULE": "ijinus_privacy.settings",
        "CACHE_DIR": str(settings.CACHES["default"].get("LOCATION", "")),
        "DATABASE_URL": "sqlite:///:memory:",
    }

    result = subprocess.run(
        [sys.executable, "-c", other_process],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["429", "200"]  # that address is limited there too; another one is not


@time_machine.travel(NOW, tick=False)
def test_behind_the_proxy_each_visitor_has_their_own_budget(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.DSAR_PUBLIC_RATE_LIMIT = 2

    def post(forwarded):
        return client.post(FORM_URL, VALID, REMOTE_ADDR="10.0.0.2", headers={"x-forwarded-for": forwarded})

    assert post("203.0.113.7").status_code == 200
    assert post("203.0.113.7").status_code == 200
    assert post("203.0.113.7").status_code == 429
    assert post("9.9.9.9, 203.0.113.7").status_code == 429  # a forged entry on the left changes nothing
    assert post("198.51.100.8").status_code == 200  # another visitor behind the same proxy


@time_machine.travel(NOW, tick=False)
def test_without_a_trusted_proxy_a_forged_forwarded_header_does_not_escape_the_limit(client, settings):
    settings.DSAR_PUBLIC_RATE_LIMIT = 1

    assert client.post(FORM_URL, VALID, REMOTE_ADDR="203.0.113.7").status_code == 200
    response = client.post(FORM_URL, VALID, REMOTE_ADDR="203.0.113.7", headers={"x-forwarded-for": "198.51.100.9"})

    assert response.status_code == 429


def test_the_budget_starts_again_the_next_hour(client, settings):
    settings.DSAR_PUBLIC_RATE_LIMIT = 1
    with time_machine.travel(NOW, tick=False):
        client.post(FORM_URL, VALID, REMOTE_ADDR="203.0.113.7")
        assert client.post(FORM_URL, VALID, REMOTE_ADDR="203.0.113.7").status_code == 429

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert client.post(FORM_URL, VALID, REMOTE_ADDR="203.0.113.7").status_code == 200


def test_an_unreachable_cache_server_does_not_break_the_form(client):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=unreachable):
        response = _submit(client)

    assert response.status_code == 200
    assert "requests_dsar/public/check_your_email.html" in [template.name for template in response.templates]
    assert WebSubmission.objects.count() == 1


# --- Bad input: a clear message in the visitor's language, nothing written, never a 500 -----------

LONG_EMAIL = "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "exemple.fr"  # a valid address, 258 characters


def _nothing_written(mailoutbox) -> bool:
    return not WebSubmission.objects.exists() and not Request.objects.exists() and not mailoutbox


def _field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (FORM_URL, "Assurez-vous que cette valeur comporte au plus 254 caractères (actuellement 258)."),
        ("/en/privacy/request/", "Ensure this value has at most 254 characters (it has 258)."),
    ],
)
def test_an_over_long_e_mail_address_is_refused_on_the_form(client, mailoutbox, url, expected):
    assert len(LONG_EMAIL) == 258

    response = client.post(url, {"rights": ["access"], "email": LONG_EMAIL}, REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 200
    assert _field_errors(response, "email") == [expected]
    assert _nothing_written(mailoutbox)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("name", "n" * 201, "Assurez-vous que cette valeur comporte au plus 200 caractères (actuellement 201)."),
        ("details", "d" * 5001, "Assurez-vous que cette valeur comporte au plus 5000 caractères (actuellement 5001)."),
        ("name", "Claire\x00Martin", "Le caractère nul n’est pas autorisé."),
        ("details", "ma commande\x00", "Le caractère nul n’est pas autorisé."),
        ("email", "claire\x00@exemple.fr", "Le caractère nul n’est pas autorisé."),
        ("name", "Claire\x07Martin", "Certains caractères sont illisibles. Merci de saisir ce champ à nouveau."),
    ],
)
def test_bad_text_in_a_field_is_refused_in_french(client, mailoutbox, field, value, expected):
    data = {"rights": ["access"], "email": "claire.martin@exemple.fr", "name": "", "details": "", field: value}

    response = client.post(FORM_URL, data, REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 200
    assert expected in _field_errors(response, field)
    assert _nothing_written(mailoutbox)


def test_a_form_sent_in_another_encoding_than_utf8_is_refused(client, mailoutbox):
    latin1_body = "rights=access&email=francois%40exemple.fr&name=Fran%E7ois+L%E9vesque&details="

    response = client.generic(
        "POST", "/en/privacy/request/", latin1_body, "application/x-www-form-urlencoded", REMOTE_ADDR="203.0.113.7"
    )

    assert response.status_code == 200
    assert _field_errors(response, "name") == ["Some characters could not be read. Please type this field again."]
    assert _nothing_written(mailoutbox)


def test_a_refusal_by_the_service_is_shown_on_the_form(client, mailoutbox):
    refusal = ValidationError({"email": ["Saisissez une adresse e-mail valide."]})
    with mock.patch.object(WebSubmission, "full_clean", side_effect=refusal):
        response = _submit(client)

    assert response.status_code == 200
    assert _field_errors(response, "email") == ["Saisissez une adresse e-mail valide."]
    assert _nothing_written(mailoutbox)


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
@pytest.mark.parametrize(
    "path", [FORM_URL, "/privacy/request/confirm/abc/", "/privacy/export/abc/", "/privacy/unsubscribe/abc/"]
)
def test_a_wrong_method_gets_a_page_in_french(client, method, path):
    response = getattr(client, method)(path)

    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert "Cette page ne peut pas être utilisée ainsi" in response.text


def test_a_wrong_method_gets_a_page_in_english_on_the_english_site(client):
    response = client.put("/en/privacy/request/")

    assert response.status_code == 405
    assert "This page cannot be used this way" in response.text


def test_a_malformed_post_gets_a_page_in_french_and_writes_nothing(client, mailoutbox, settings):
    body = "&".join(["rights=access"] * (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)) + "&email=a%40exemple.fr"

    response = client.generic("POST", FORM_URL, body, "application/x-www-form-urlencoded", REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 400
    assert "Cette demande est illisible" in response.text
    assert _nothing_written(mailoutbox)


@pytest.mark.parametrize(
    "path",
    [
        "/privacy/identity/99999999999999999999999/abc/",  # beyond any database integer
        "/privacy/identity/1/a%00b/",
        "/privacy/request/confirm/a%00b/",
        "/privacy/export/%FF%FE/",
        "/privacy/unsubscribe/a%00b/",
    ],
)
def test_a_garbled_link_gets_a_page_not_an_error(client, path):
    response = client.post(path)

    assert response.status_code == 400
    assert "<h1>" in response.text
