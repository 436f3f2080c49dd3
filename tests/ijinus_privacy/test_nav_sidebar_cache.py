"""The admin's sidebar is cached per user, language and page kind (issue 13, T3), never across users."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import dpo_user, support_user

pytestmark = pytest.mark.django_db

SUBJECTS = "/admin/subjects/datasubject/"


def _sidebar(response) -> str:
    html = response.content.decode()
    start = html.index('<nav class="sticky" id="nav-sidebar"')
    return html[start : html.index("</nav>", start)]


def test_each_user_sees_the_links_of_their_own_permissions(client):
    dpo, support = dpo_user(), support_user()
    client.force_login(dpo)
    dpo_sidebar = _sidebar(client.get(SUBJECTS))
    client.force_login(support)
    support_sidebar = _sidebar(client.get(SUBJECTS))

    assert reverse("admin:ijinus_privacy_auditevent_changelist") in dpo_sidebar  # the DPO reads the audit trail
    assert reverse("admin:ijinus_privacy_auditevent_changelist") not in support_sidebar  # support does not


def test_the_current_model_is_highlighted_on_each_page_kind(client):
    client.force_login(dpo_user())
    on_subjects = _sidebar(client.get(SUBJECTS))
    on_requests = _sidebar(client.get(reverse("admin:requests_dsar_request_changelist")))

    assert 'class="model-datasubject current-model"' in on_subjects
    assert 'class="model-request current-model"' in on_requests
    assert "model-datasubject current-model" not in on_requests


def test_a_cached_sidebar_costs_no_query_and_the_language_has_its_own(client):
    client.force_login(dpo_user())
    client.get(SUBJECTS)  # fills the cache
    with CaptureQueriesContext(connection) as first:
        client.get(SUBJECTS)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = _sidebar(client.get(SUBJECTS))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _sidebar(client.get(SUBJECTS))

    assert "Personnes concernées" in french or "personnes concernées" in french
    assert "Data subjects" in english or "data subjects" in english
    assert len(first) <= 6  # the list page's own budget; the sidebar adds nothing


def test_a_permission_taken_away_leaves_the_sidebar_once_its_cache_expires(client, settings):
    support = support_user()
    client.force_login(support)
    requests_list = reverse("admin:requests_dsar_request_changelist")
    assert reverse("admin:subjects_datasubject_changelist") in _sidebar(client.get(requests_list))
    support.groups.clear()
    support.user_permissions.set(Permission.objects.filter(codename="view_request"))
    support = type(support).objects.get(pk=support.pk)
    client.force_login(support)

    from django.core.cache import caches

    caches["template_fragments"].clear()  # what the expiry (NAV_SIDEBAR_CACHE_SECONDS) does
    response = client.get(requests_list)
    assert response.status_code == 200, response.status_code
    page = _sidebar(response)

    assert reverse("admin:subjects_datasubject_changelist") not in page
    assert client.get(SUBJECTS).status_code == 403  # and a stale link would have opened nothing
