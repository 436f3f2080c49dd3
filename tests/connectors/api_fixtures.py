"""Helpers of the API tests (tests/connectors/test_api_*.py): issue a key, call the API with it."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from connectors.models import ApiClient, Scope
from connectors.services import api_keys
from tests.factories import dpo_user

ALL_SCOPES = tuple(Scope.values)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits are counted in the cache per client id: ids repeat from one test to the next."""
    cache.clear()
    yield
    cache.clear()


def issue(name: str = "website", scopes=ALL_SCOPES, **options) -> tuple[ApiClient, str]:
    return api_keys.api_client_issue(name=name, scopes=scopes, actor=dpo_user(), **options)


class Api:
    """The test client with an API key and a language."""

    def __init__(self, key: str = "", language: str = "en"):
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if key:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        self.client = Client(**headers)

    def post(self, path: str, body: dict | str):
        data = body if isinstance(body, str) else json.dumps(body, default=str)
        return self.client.post(f"/api/v1/{path}", data=data, content_type="application/json")

    def get(self, path: str):
        return self.client.get(f"/api/v1/{path}")
