"""The DPO dashboard's queries do not grow with the history (issue 13): ten times more answered
requests, extensions, exports, people, consent and audit events and admin actions, the same
number of queries, within the page's budget. Times at 1M people: ``make bench`` (bench_admin)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consents.models import ConsentEvent
from ijinus_privacy import audit
from requests_dsar.models import ExportJob, Extension, Request, RequestEvent, RequestItem, Right, State
from subjects.models import DataSubject
from tests.factories import dpo_user, logged_request, support_user

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-12-04")]

# Every widget (open breaches: one; the triage inbox: three; the information owed: four; the notices due:
# two, refusal notices not sent and Art. 19 notifications overdue), both export lists past their ten rows
# (then each counts its rows too).
BUDGET = 35


def _add_history(size: int, *, dpo, start: int) -> None:
    """``size`` people with consent and audit events, answered requests (a third extended, with
    items, timeline events and built exports, half approved), admin actions of the DPO; and a
    tenth as many open requests."""
    today = timezone.localdate()
    people = DataSubject.objects.bulk_create(
        DataSubject(last_name=f"Guevel{n}", first_names="Anne", email=f"anne{n}@exemple.fr")
        for n in range(start, start + size)
    )
    ConsentEvent.objects.bulk_create(
        ConsentEvent(
            subject=person,
            channel="newsletter_email",
            action="given",
            occurred_at=timezone.now() - timedelta(days=n),
            collection_point="web_form",
            mechanism="unticked_checkbox",
            entered_by="subject",
        )
        for n, person in enumerate(people)
    )
    audit.record_many({"action": audit.Action.VIEW, "actor": dpo, "obj": person} for person in people)
    received = [today - timedelta(days=40 + n % 700) for n in range(size)]
    answered = Request.objects.bulk_create(
        Request(
            subject=person,
            received_on=day,
            channel="email",
            state=(State.COMPLETED, State.REFUSED, State.PARTLY_REFUSED)[n % 3],
            first_due_on=day + timedelta(days=30),
            ceiling_due_on=day + timedelta(days=90),
            due_on=day + timedelta(days=30),
            closed_on=day + timedelta(days=n % 60),
        )
        for n, (person, day) in enumerate(zip(people, received, strict=True))
    )
    RequestItem.objects.bulk_create(RequestItem(request=request, right=Right.ACCESS) for request in answered)
    RequestEvent.objects.bulk_create(
        RequestEvent(request=request, occurred_at=timezone.now(), kind="logged", to_state="received")
        for request in answered
    )
    Extension.objects.bulk_create(
        Extension(request=request, reason="large_volume", explanation="x", notice_sent_on=request.received_on)
        for request in answered[::3]
    )
    ExportJob.objects.bulk_create(
        ExportJob(
            request=request,
            subject=request.subject,
            kind="access_pdf",
            status=ExportJob.Status.DONE,
            finished_at=timezone.now(),
            approved_at=timezone.now() if n % 2 else None,
        )
        for n, request in enumerate(answered)
    )
    kind = ContentType.objects.get_for_model(DataSubject)
    LogEntry.objects.bulk_create(
        LogEntry(user=dpo, content_type=kind, object_id=str(person.pk), object_repr="-", action_flag=CHANGE)
        for person in people
    )
    for n in range(max(1, size // 10)):
        logged_request(received_on=today - timedelta(days=n % 35), subject=people[n])


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return len(captured)


def test_ten_times_more_history_costs_the_dashboard_no_query(client, django_assert_max_num_queries):
    dpo = dpo_user()
    client.force_login(dpo)
    _add_history(30, dpo=dpo, start=0)
    client.get(reverse("admin:index"))  # warm the content-type cache
    with django_assert_max_num_queries(BUDGET):
        small = _queries(client)

    _add_history(300, dpo=dpo, start=30)

    with django_assert_max_num_queries(BUDGET):
        large = _queries(client)
    assert large == small
    page = client.get(reverse("admin:index"))
    assert page.context["dsar_kpis"].answered == 330
    assert page.context["dsar_kpis"].extended == round(100 * 110 / 330, 1)
    assert len(page.context["dsar_open"]) == 15
    assert len(page.context["recent_actions"]) == 10


def test_the_recent_actions_are_the_users_own_newest_first(client):
    dpo = dpo_user()
    other = support_user()
    kind = ContentType.objects.get_for_model(DataSubject)
    for user, object_id in ((dpo, "1"), (other, "2"), (dpo, "3")):
        LogEntry.objects.create(user=user, content_type=kind, object_id=object_id, object_repr=f"Subject #{object_id}",
                                action_flag=CHANGE)  # fmt: skip
    client.force_login(dpo)

    page = client.get(reverse("admin:index"))

    assert [entry.object_id for entry in page.context["recent_actions"]] == ["3", "1"]
    html = page.text
    assert html.index("Subject #3") < html.index("Subject #1")
    assert "Subject #2" not in html


def test_the_kpis_read_answered_requests_in_one_pass_without_a_subquery_per_request(django_assert_num_queries):
    from requests_dsar import dashboard

    request = logged_request(received_on=date(2026, 1, 5))
    Extension.objects.create(request=request, reason="large_volume", explanation="x", notice_sent_on=date(2026, 1, 6))
    Request.objects.filter(pk=request.pk).update(state=State.COMPLETED, closed_on=date(2026, 3, 1))

    with CaptureQueriesContext(connection) as captured:
        kpis = dashboard.kpis()

    assert (kpis.answered, kpis.extended, kpis.within_one_month, kpis.within_three_months) == (1, 100.0, 0.0, 100.0)
    [query] = captured.captured_queries
    assert query["sql"].count("SELECT") == 1  # a join, not a subquery evaluated once per request
