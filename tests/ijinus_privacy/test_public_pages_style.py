"""Public pages carry the project's own stylesheet (same origin, so the CSP allows it)."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/privacy/request/", "/en/privacy/request/"])
def test_public_pages_link_the_public_stylesheet(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert 'href="/static/ijinus_privacy/public.css"' in response.text
    assert finders.find("ijinus_privacy/public.css") is not None
