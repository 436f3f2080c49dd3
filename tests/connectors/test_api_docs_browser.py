"""The API's Swagger UI in a real browser, under the site's Content-Security-Policy: every endpoint listed."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_renders_every_endpoint_without_a_csp_violation(live_server, browser_page):
    page = browser_page
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock", timeout=15000)

    paths = sorted(page.locator(".opblock-summary-path").all_inner_texts())
    assert [path.replace("\u200b", "") for path in paths] == [
        "/api/v1/consents/",
        "/api/v1/marketable/",
        "/api/v1/requests/",
        "/api/v1/requests/{reference}/",
    ]
    assert problems == []
