"""API keys: none, bad, revoked, expired, wrong scope; hashed at rest; every call audited; rate limit."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.urls import URLPattern, get_resolver

from connectors.api import urls as api_urls
from connectors.models import ApiClient, Scope
from connectors.services import api_keys
from ijinus_privacy.models import AuditEvent
from tests.connectors.api_fixtures import Api, _fresh_rate_limits, issue  # noqa: F401
from tests.factories import dpo_user

pytestmark = pytest.mark.django_db

CHECK = {"email": "camille.durand@exemple.fr", "channel": "newsletter_email"}


def _calls(client: ApiClient) -> list[str]:
    """The audited calls of this client (the issue and revocation events are not calls)."""
    return list(
        AuditEvent.objects.filter(
            object_type="connectors.apiclient", object_id=str(client.pk), reason__regex=r"^API (GET|POST) "
        )
        .order_by("id")
        .values_list("reason", flat=True)
    )


def test_without_a_key_the_api_answers_401_with_the_scheme_to_use():
    response = Api().post("marketable/", CHECK)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_wrong_key_gets_401_in_the_callers_language():
    client, key = issue()

    wrong_secret = Api(key[:-4] + "abcd").post("marketable/", CHECK)
    unknown = Api("ijp_000000000000_nothing").post("marketable/", CHECK)
    french = Api("not-a-key", language="fr").post("marketable/", CHECK)

    assert (wrong_secret.status_code, wrong_secret.json()) == (401, {"detail": "Invalid API key."})
    assert unknown.status_code == 401
    assert (french.status_code, french.json()) == (401, {"detail": "Clé d'API non valide."})
    assert _calls(client) == []  # nobody to name: nothing written to the audit trail


def test_a_revoked_key_gets_401_and_the_refused_call_is_audited():
    client, key = issue()
    assert Api(key).post("marketable/", CHECK).status_code == 200

    assert api_keys.api_client_revoke(client=client, actor=dpo_user(), reason="laptop stolen") is True
    response = Api(key).post("marketable/", CHECK)

    assert (response.status_code, response.json()) == (401, {"detail": "This API key has been revoked."})
    assert _calls(client) == ["API POST /api/v1/marketable/ -> 200", "API POST /api/v1/marketable/ -> 401"]
    client.refresh_from_db()
    assert (client.revoked_by_username, client.revocation_reason) == ("dpo", "laptop stolen")
    assert api_keys.api_client_revoke(client=client, actor=dpo_user()) is False


def test_an_expired_key_gets_401(today):
    expiry = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(days=30)
    _client, key = issue(expires_at=expiry)
    assert Api(key).post("marketable/", CHECK).status_code == 200

    with time_machine.travel(expiry + dt.timedelta(seconds=1), tick=False):
        response = Api(key, language="fr").post("marketable/", CHECK)

    assert (response.status_code, response.json()) == (401, {"detail": "Cette clé d'API a expiré."})


@pytest.mark.parametrize(
    ("path", "method", "scope"),
    [
        ("consents/", "post", Scope.CONSENTS_WRITE),
        ("marketable/", "post", Scope.CONSENTS_READ),
        ("requests/", "post", Scope.REQUESTS_WRITE),
        ("requests/R-AAAA-BBBB-CCCC-DDDD/", "get", Scope.REQUESTS_READ),
    ],
)
def test_a_key_without_the_scope_gets_403(path, method, scope):
    others = [other for other in Scope.values if other != scope]
    client, key = issue(scopes=others)
    api = Api(key)

    response = api.get(path) if method == "get" else api.post(path, {})

    assert response.status_code == 403
    assert response.json() == {"detail": "This API key does not have the scope this call needs."}
    assert _calls(client)[-1].endswith("-> 403")


def test_the_key_is_shown_once_and_only_its_prefix_and_hash_are_stored():
    client, key = issue()

    stored = ApiClient.objects.filter(pk=client.pk).values().get()
    assert key not in str(stored)
    assert key.split("_")[1] == stored["key_prefix"]
    assert stored["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    secret = key.split("_", 2)[2]
    assert not any(secret in str(row) for row in AuditEvent.objects.values())


def test_every_call_is_audited_with_the_client_route_and_status_and_no_personal_data():
    client, key = issue()
    api = Api(key)

    api.post("marketable/", CHECK)
    api.post("marketable/", {"email": "not an e-mail", "channel": "newsletter_email"})
    api.get("requests/R-AAAA-BBBB-CCCC-DDDD/")

    events = AuditEvent.objects.filter(reason__regex=r"^API (GET|POST) ").order_by("id")
    assert [(e.actor_username, e.action, e.reason) for e in events] == [
        ("system:api:website", "view", "API POST /api/v1/marketable/ -> 200"),
        ("system:api:website", "view", "API POST /api/v1/marketable/ -> 400"),
        ("system:api:website", "view", "API GET /api/v1/requests/{reference}/ -> 404"),
    ]
    assert not any("exemple.fr" in str(row) or "R-AAAA" in str(row) for row in AuditEvent.objects.values())
    client.refresh_from_db()
    assert client.last_used_at is not None


def test_the_rate_limit_per_key_answers_429_with_retry_after(settings):
    settings.API_RATE_LIMIT = "2/minute"
    client, key = issue()
    _other, other_key = issue(name="ijitrack")

    statuses = [Api(key).post("marketable/", CHECK).status_code for _call in range(3)]
    limited = Api(key, language="fr").post("marketable/", CHECK)
    other = Api(other_key).post("marketable/", CHECK)

    assert statuses == [200, 200, 429]
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "Requête ralentie" in limited.json()["detail"]
    assert other.status_code == 200  # counted per key
    assert _calls(client)[-1] == "API POST /api/v1/marketable/ -> 429"


def test_a_client_may_have_its_own_rate_limit(settings):
    settings.API_RATE_LIMIT = "100/minute"
    _client, key = issue(rate_limit="1/minute")

    statuses = [Api(key).post("marketable/", CHECK).status_code for _call in range(2)]

    assert statuses == [200, 429]


def test_issuing_refuses_bad_scopes_expiry_and_rate(today):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        api_keys.api_client_issue(
            name="website",
            scopes=["everything"],
            expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
            rate_limit="lots",
            actor=dpo_user(),
        )

    assert set(refused.value.message_dict) == {"scopes", "expires_at", "rate_limit"}
    assert not ApiClient.objects.exists()


# Every /api/v1/ URL, and what a call without a key gets. A new URL fails until it is listed here.
PUBLIC = {"schema": 200, "docs": 200}
WITH_KEY = {
    "consents": ("post", "consents/"),
    "marketable": ("post", "marketable/"),
    "requests": ("post", "requests/"),
    "request-status": ("get", "requests/R-AAAA-BBBB-CCCC-DDDD/"),
}


def test_url_walk_every_api_url_is_listed_and_refuses_a_call_without_a_key():
    names = {pattern.name for pattern in api_urls.urlpatterns if isinstance(pattern, URLPattern)}
    assert names == set(PUBLIC) | set(WITH_KEY)
    assert "api" in get_resolver().namespace_dict
    api = Api()
    for name, (method, path) in WITH_KEY.items():
        response = api.get(path) if method == "get" else api.post(path, {})
        assert response.status_code == 401, name
    for name, status in PUBLIC.items():
        assert api.get(f"{name}/").status_code == status, name


def test_no_api_url_takes_an_email():
    for pattern in api_urls.urlpatterns:
        assert "email" not in str(pattern.pattern)
