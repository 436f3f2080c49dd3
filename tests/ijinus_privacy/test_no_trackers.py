"""R2.5.1 on our own pages: the public pages of the back office set no tracker, so they need no banner.

LIL art. 82 exempts only what is strictly necessary for the service the person asked for: the CSRF
token that protects the request form and the language the person chose. No other cookie, no
third-party script, image or frame (a pixel is a tracker too).
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from requests_dsar.models import WebSubmission

pytestmark = pytest.mark.django_db

STRICTLY_NECESSARY = {"csrftoken", "django_language"}
PAGES = (
    "/privacy/request/",
    "/privacy/request/?lang=en",
    "/privacy/request/confirm/not-a-token/",
    "/privacy/identity/1/not-a-token/",
    "/privacy/export/not-a-token/",
    "/privacy/unsubscribe/not-a-token/",
)
THIRD_PARTY = re.compile(r"""<(script|img|iframe|link)\b[^>]*\b(src|href)=["']?(https?:)?//""", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


def test_r2_5_1_public_pages_set_only_strictly_necessary_cookies_and_load_nothing_from_elsewhere(client):
    seen: dict[str, int] = {}
    for url in PAGES:
        page = client.get(url)
        seen[url] = page.status_code
        assert set(page.cookies) <= STRICTLY_NECESSARY, (url, set(page.cookies))
        assert not THIRD_PARTY.search(page.content.decode()), url

    sent = client.post(
        "/privacy/request/",
        {"rights": ["access"], "email": "yvette.le-goff@exemple.fr", "name": "Yvette Le Goff", "details": ""},
        REMOTE_ADDR="203.0.113.9",
    )
    assert sent.status_code == 200
    assert WebSubmission.objects.count() == 1  # the request went through: the page after it was checked too
    assert set(sent.cookies) <= STRICTLY_NECESSARY
    assert not THIRD_PARTY.search(sent.content.decode())
    # Every page answered (the form, and a clear page for an unknown link): none was skipped by a 500.
    assert seen["/privacy/request/"] == 200
    assert all(status < 500 for status in seen.values()), seen
