"""The dashboard's triage inbox: a request received today shows with its owner; "assign to me" sets the
owner through the service, on the timeline and in the audit trail; a dry run's counts read "would"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from ijinus_privacy.models import AuditEvent
from requests_dsar.models import Request, RequestEvent
from retention.models import SweepRun
from retention.services import sweep
from tests.factories import dpo_user, logged_request, subject_with_role, support_user

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-12-04")]


def _triage_section(html: str) -> str:
    start = html.index('id="dash-triage"')
    return html[start : html.index('id="dsar-dashboard"')]


def test_a_request_received_today_is_in_the_triage_inbox_though_not_among_the_15_most_urgent(client, today):
    urgent = [logged_request(received_on=today - timedelta(days=25 + n)) for n in range(16)]
    new = logged_request(received_on=today)
    client.force_login(support_user())

    response = client.get(reverse("admin:index"))

    assert new.pk not in [row.pk for row in response.context["dsar_open"]]  # 15 older ones are more urgent
    triage = _triage_section(response.text)
    assert f">#{new.pk}<" in triage
    row = triage[triage.index(f">#{new.pk}<") :].split("</tr>")[0]
    assert "today" in row
    assert "nobody" in row
    assert "Assign to me" in row
    assert response.context["dsar_triage_count"] == len(urgent) + 1


def test_assign_to_me_sets_the_owner_writes_the_timeline_and_the_audit_trail(client, today):
    request = logged_request(received_on=today)
    support = support_user()
    client.force_login(support)
    events_before = AuditEvent.objects.filter(object_id=str(request.pk), reason="owner assigned").count()

    response = client.post(reverse("admin:dashboard_assign_to_me", args=[request.pk]), follow=True)

    assert response.status_code == 200
    request.refresh_from_db()
    assert request.owner == support
    assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.ASSIGNED, actor=support).exists()
    event = AuditEvent.objects.filter(object_id=str(request.pk), reason="owner assigned").get()
    assert event.actor == support
    assert events_before == 0
    # Still new (received), so still in the inbox, now with its owner shown.
    row = _triage_section(response.text).split(f">#{request.pk}<")[1].split("</tr>")[0]
    assert "support" in row
    assert "yours" in row


def test_an_owned_request_in_progress_leaves_the_inbox(client, today):
    from requests_dsar.services import request_assign, request_transition

    dpo = dpo_user()
    request = logged_request(received_on=today)
    request_assign(request=request, owner=dpo, actor=dpo)
    request_transition(request=Request.objects.get(pk=request.pk), to_state="in_progress", actor=dpo)
    client.force_login(dpo)

    response = client.get(reverse("admin:index"))

    assert f">#{request.pk}<" not in _triage_section(response.text)
    assert "Nothing to triage" in response.text


def test_assign_to_me_is_post_only_and_needs_the_change_permission(client, today):
    from tests.factories import archivist_user

    request = logged_request(received_on=today)
    client.force_login(support_user())
    assert client.get(reverse("admin:dashboard_assign_to_me", args=[request.pk])).status_code == 403
    client.force_login(archivist_user())
    assert client.post(reverse("admin:dashboard_assign_to_me", args=[request.pk])).status_code == 403
    request.refresh_from_db()
    assert request.owner is None


def test_the_dashboard_words_a_dry_run_as_would_and_a_committed_run_as_done(client, today):
    subject_with_role("prospect", collected_on=today.replace(year=today.year - 5))
    client.force_login(dpo_user())

    dry = sweep(now=today, commit=False)
    html = client.get(reverse("admin:index")).text
    retention = html[html.index('id="dash-retention"') :]
    assert dry.committed is False
    assert "1</strong> people would be deleted" in retention
    assert "people deleted" not in retention

    sweep(now=today, commit=True)
    html = client.get(reverse("admin:index")).text
    retention = html[html.index('id="dash-retention"') :]
    assert "1</strong> people deleted" in retention
    assert "would" not in retention.split("</dd>")[0]
    assert SweepRun.objects.count() == 2
