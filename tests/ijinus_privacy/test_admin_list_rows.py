"""The rows of a big list rendered from a plan (ijinus_privacy.admin_list_rows) are Django's, byte for byte."""

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.urls import reverse

from ijinus_privacy.admin_list_rows import row_plan
from ijinus_privacy.admin_scale import ScaledAdminMixin
from subjects.models import DataSubject
from tests.factories import (
    DataSubjectFactory,
    SubjectRoleFactory,
    UserFactory,
    dpo_user,
    give,
    logged_request,
    withdraw,
)

pytestmark = pytest.mark.django_db

SCALED = [model_admin for model_admin in admin.site._registry.values() if isinstance(model_admin, ScaledAdminMixin)]


def _changelist(client, model_admin, query: str = ""):
    """The list page's own ``ChangeList`` (with the action checkbox when the user has actions)."""
    opts = model_admin.opts
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + query)
    assert response.status_code == 200
    return response.context["cl"]


def superuser():
    return UserFactory(username="root", is_superuser=True)


def _people():
    """People with awkward values, a consent given then withdrawn, a request: rows in most big lists."""
    brien = DataSubjectFactory(last_name="O'Brien <b>&</b>", first_names="  Zoé  ", organisation="")
    DataSubjectFactory(kind="professional", organisation="Acme & fils", email="")  # a choice, an empty value
    for _ in range(3):
        DataSubjectFactory()
    SubjectRoleFactory(subject=brien)
    give(brien)
    withdraw(brien)
    logged_request()


def _html(rows) -> list[list[str]]:
    return [[str(cell) for cell in row] for row in rows]


@pytest.mark.parametrize("query", ["", "?o=-2", "?q=brien&kind=professional"])
def test_the_subjects_list_rows_are_djangos_own(client, query):
    _people()
    client.force_login(dpo_user())
    cl = _changelist(client, admin.site._registry[DataSubject], query)
    plan = row_plan(cl)

    assert plan is not None  # plain columns: the plan renders the rows
    assert _html(plan.rows()) == _html(results(cl))
    assert "O&#x27;Brien &lt;b&gt;&amp;&lt;/b&gt;" in "".join(cell for row in _html(plan.rows()) for cell in row)


@pytest.mark.parametrize("model_admin", SCALED, ids=lambda model_admin: model_admin.opts.label)
def test_every_scaled_list_renders_the_same_rows_as_django_or_leaves_them_to_it(client, model_admin):
    _people()
    client.force_login(superuser())  # every list and every action: the checkbox column included
    cl = _changelist(client, model_admin)
    plan = row_plan(cl)

    if plan is not None:
        assert _html(plan.rows()) == _html(results(cl))


def test_the_action_checkbox_is_djangos_own(client):
    _people()
    client.force_login(superuser())
    planned = []
    for model_admin in SCALED:
        cl = _changelist(client, model_admin)
        plan = row_plan(cl)
        if plan is not None and cl.list_display[0] == "action_checkbox" and cl.result_list:
            planned.append(model_admin.opts.label)
            rows = _html(plan.rows())
            assert rows == _html(results(cl))
            assert 'class="action-select"' in rows[0][0]

    assert planned  # some big list with actions has plain columns


def test_the_big_lists_are_planned(client):
    _people()
    client.force_login(superuser())
    planned = {
        model_admin.opts.label for model_admin in SCALED if row_plan(_changelist(client, model_admin)) is not None
    }

    assert {
        "subjects.DataSubject",
        "subjects.SubjectRole",
        "consents.ConsentEvent",
        "ijinus_privacy.AuditEvent",
        "requests_dsar.Request",
        "requests_dsar.RequestEvent",
    } <= planned


def test_a_list_with_a_relation_path_column_is_left_to_django(client):
    client.force_login(dpo_user())
    cl = _changelist(client, admin.site._registry[DataSubject])
    cl.list_display = [*cl.list_display, "roles__role"]

    assert row_plan(cl) is None


def test_the_page_shows_the_planned_rows(client):
    _people()
    client.force_login(dpo_user())
    page = client.get("/admin/subjects/datasubject/").content.decode()

    assert page.count('<tr><th class="field-id">') == 6
    assert "O&#x27;Brien &lt;b&gt;&amp;&lt;/b&gt;" in page
    assert '<th class="field-id"><a href="/admin/subjects/datasubject/' in page
