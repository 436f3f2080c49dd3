"""The DPO's dashboard on the admin index: every widget for the DPO, DPO-only widgets hidden from
customer service, overdue rows marked, a fixed query budget on a demo-sized database."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from backoffice.demo import seed_demo_all
from ijinus_privacy.celery import app as celery_app
from requests_dsar.models import Request
from tests.conftest import paris_moment
from tests.factories import dpo_user, support_user

# The demo is dated back from today: the clock stops on a fixed day (the demo on other days: test_demo.py).
DAY = "2026-12-04"
pytestmark = [pytest.mark.django_db, pytest.mark.today(DAY)]

WIDGETS = (
    "dsar-cards",
    "dsar-dashboard",
    "dash-exports",
    "dash-retention",
    "dash-register",
    "dash-sensitive",
    "dash-audit",
)
DPO_ONLY = ("dash-exports", "dash-retention", "dash-sensitive", "dash-audit")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Demo data as ``make run`` seeds it (fewer subjects), dated back from DAY: seeded once for the module.

    The tests only read it. It is written in a transaction left open around them (each test's own
    transaction is a savepoint inside it, rolled back after the test) and rolled back after the last
    one, as ``TestCase.setUpTestData`` does. Seeded as a test would be: clock stopped on DAY, English,
    tasks inline, files in a temporary directory.
    """
    files = tmp_path_factory.mktemp("demo")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with (
            django_db_blocker.unblock(),
            time_machine.travel(paris_moment(DAY), tick=False),
            translation.override("en"),
            override_settings(MEDIA_ROOT=str(files / "media"), AUDIT_ANCHOR_DIR=str(files / "audit-anchors")),
        ):
            eager = celery_app.conf.task_always_eager
            celery_app.conf.task_always_eager = True
            try:
                seed_demo_all(subjects=120, seed=2026, today=paris_moment(DAY).date())
            finally:
                celery_app.conf.task_always_eager = eager
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _index(client, user, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the admin's language, not the browser's
    return client.get(reverse("admin:index"))


def test_the_dpo_sees_every_widget_with_the_demo_numbers(client, demo):
    response = _index(client, dpo_user())

    assert response.status_code == 200
    html = response.text
    for widget in WIDGETS:
        assert f'id="{widget}"' in html, widget
    counts = response.context["dsar_counts"]
    assert counts.overdue >= 1
    assert counts.due_soon >= 1
    assert counts.paused >= 1
    assert re.search(rf'id="card-overdue"[^>]*><span class="ij-figure">{counts.overdue}<', html)
    assert "Exports awaiting your approval" in html
    assert response.context["exports_count"] == 2
    assert "Dry run" in html
    assert "Legal holds past their review date" in html
    assert response.context["retention"].holds_review_due == 1
    assert "events today" in html


def test_the_open_requests_table_keeps_the_15_most_urgent_and_links_to_all(client, demo):
    response = _index(client, dpo_user())

    rows = response.context["dsar_open"]
    assert len(rows) == 15
    assert [row.due_on for row in rows] == sorted(row.due_on for row in rows)
    open_total = Request.objects.open().count()
    assert open_total > 15
    assert f"The 15 most urgent of {open_total}: all open requests" in response.text
    assert "?state__in=awaiting_decision,awaiting_info,in_progress,received" in response.text


def test_overdue_rows_are_marked_and_say_by_how_many_days(client, demo):
    response = _index(client, dpo_user())

    overdue = [row for row in response.context["dsar_open"] if row.overdue]
    assert overdue
    html = response.text
    assert html.count('class="dsar-row dsar-overdue"') == len(overdue)
    assert f"{overdue[0].days_overdue} days overdue" in html
    assert all(not row.paused for row in overdue)


def test_customer_service_sees_requests_but_not_the_dpo_only_widgets(client, demo):
    response = _index(client, support_user())

    assert response.status_code == 200
    html = response.text
    assert 'id="dsar-dashboard"' in html
    assert 'id="dash-register"' in html  # the register is view-only for them, not hidden (R3.1)
    for widget in DPO_ONLY:
        assert f'id="{widget}"' not in html, widget
    assert "Exports awaiting your approval" not in html
    assert "Sensitive-data flags" not in html


def test_the_dashboard_is_in_french_for_a_french_user(client, demo):
    response = _index(client, dpo_user(), language="fr")

    html = response.text
    assert "Demandes ouvertes par échéance" in html
    assert "Exports en attente de votre validation" in html
    assert "Dernier balayage de conservation" in html


def test_the_index_runs_a_fixed_number_of_queries(client, demo, django_assert_max_num_queries):
    user = dpo_user()
    client.force_login(user)
    client.get(reverse("admin:index"))  # warm the content-type cache

    # 20, the information owed (four: Art. 14 overdue, re-consent flags, campaigns, the opposition list),
    # outgoing e-mails (one), erased people back (one aggregate), exports waiting or stopped (two),
    # open breaches (one, breaches.dashboard), the triage inbox (three: its page, their rights, the count)
    # +2 for the notices due (refusal notices not sent, Art. 19 notifications overdue: one list each)
    with django_assert_max_num_queries(34):
        response = client.get(reverse("admin:index"))

    assert response.status_code == 200


def test_the_headline_query_gives_the_same_numbers_as_the_separate_reads(demo, today):
    from requests_dsar import dashboard

    assert dashboard.headline(today=today) == (dashboard.open_counts(today=today), dashboard.kpis())
