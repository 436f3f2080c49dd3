"""The DPO dashboard (admin index), its KPIs, the daily reminder and the request admin."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from requests_dsar import dashboard, services
from requests_dsar.fulfilment import objection_from_request
from requests_dsar.models import ClockPause, Extension, Letter, Request, Right, State
from requests_dsar.notifications import due_soon_reminder_send, pause_reminders_send
from requests_dsar.tasks import due_soon_reminder_task
from tests.factories import DataSubjectFactory, dpo_user, logged_request, support_user
from tests.mail import deliver

pytestmark = pytest.mark.django_db


def _answered(*, received_on, closed_on, state=State.COMPLETED, extended=False):
    request = logged_request(received_on=received_on)
    if extended:
        Extension.objects.create(request=request, reason="large_volume", explanation="x", notice_sent_on=received_on)
        services.refresh_due_dates(request)
        request.save()
    Request.objects.filter(pk=request.pk).update(state=state, closed_on=closed_on)
    return request


def test_kpis_share_answered_within_one_and_three_months_extended_and_refused():
    _answered(received_on=date(2026, 1, 5), closed_on=date(2026, 1, 20))  # within 1 month
    _answered(received_on=date(2026, 1, 5), closed_on=date(2026, 3, 20), extended=True)  # within 3 months
    _answered(received_on=date(2026, 1, 5), closed_on=date(2026, 2, 1), state=State.REFUSED)
    _answered(received_on=date(2026, 1, 5), closed_on=date(2026, 6, 1))  # late
    logged_request()  # open: not counted

    kpis = dashboard.kpis(today=date(2026, 7, 1))

    assert kpis.answered == 4
    assert kpis.within_one_month == 50.0
    assert kpis.within_three_months == 75.0
    assert kpis.extended == 25.0
    assert kpis.refused == 25.0


def test_kpis_cover_the_requests_answered_in_the_last_twelve_months():
    _answered(received_on=date(2025, 6, 1), closed_on=date(2025, 6, 30))  # a year and a day before: left out
    _answered(received_on=date(2025, 6, 1), closed_on=date(2025, 7, 1), state=State.REFUSED)  # the first day in
    _answered(received_on=date(2026, 6, 1), closed_on=date(2026, 6, 20))

    kpis = dashboard.kpis(today=date(2026, 7, 1))

    assert (kpis.answered, kpis.since, kpis.months) == (2, date(2025, 7, 1), 12)
    assert kpis.refused == 50.0
    assert dashboard.kpis(today=date(2026, 7, 1), months=24).answered == 3


def test_dashboard_lists_open_requests_by_due_date_with_overdue_and_paused(
    any_day, admin_client, django_assert_max_num_queries
):  # any_day first: the admin logs in on that day
    today = timezone.localdate()
    assert today == any_day
    later = logged_request(received_on=today)
    overdue = logged_request(received_on=date(2020, 1, 6))
    # Received three weeks before the other: its deadline stays earlier whatever holidays move either.
    paused = logged_request(received_on=today - timedelta(days=21))
    services.request_ask_information(request=paused, reason=ClockPause.Reason.IDENTITY, actor=None, asked_on=today)
    closed = _answered(received_on=date(2020, 1, 6), closed_on=date(2020, 1, 10))

    # The whole DPO dashboard (tests/ijinus_privacy/test_dashboard.py): breaches one, triage three, information
    # four, notices due two (refusal notices not sent, Art. 19 notifications overdue).
    with django_assert_max_num_queries(32):
        response = admin_client.get(reverse("admin:index"))

    assert response.status_code == 200
    rows = response.context["dsar_open"]
    assert [row.pk for row in rows] == [overdue.pk, paused.pk, later.pk]
    assert closed.pk not in [row.pk for row in rows]
    assert rows[0].overdue
    assert rows[0].days_left < 0
    assert rows[1].paused
    assert "identité" in rows[1].pause_reason
    html = response.text
    assert 'class="dsar-row dsar-overdue"' in html
    assert "Délai suspendu :" in html
    by_due_date = html[html.index('id="dsar-dashboard"') :]  # the triage inbox above lists requests too
    assert by_due_date.index(f"#{overdue.pk}<") < by_due_date.index(f"#{later.pk}<")


def test_daily_reminder_lists_ids_due_dates_and_states_without_personal_data(mailoutbox, settings):
    settings.DPO_EMAIL = "dpo@ijinus.example"
    subject = DataSubjectFactory(last_name="Lefebvre")
    today = date(2026, 4, 1)
    due_soon = logged_request(received_on=date(2026, 3, 5), subject=subject)  # due 7 April
    not_yet = logged_request(received_on=date(2026, 3, 31))  # due 30 April

    assert due_soon_reminder_send(today=today) == 1
    deliver()

    message = mailoutbox[0]
    assert message.to == ["dpo@ijinus.example"]
    assert f"#{due_soon.pk}" in message.body
    assert "2026-04-07" in message.body
    assert "received" in message.body
    assert f"#{not_yet.pk} " not in message.body
    assert "Lefebvre" not in message.subject + message.body
    assert subject.email not in message.subject + message.body


def test_daily_reminder_task_sends_nothing_when_nothing_is_due(mailoutbox):
    assert due_soon_reminder_task.delay().get() == 0
    assert mailoutbox == []


def test_customer_service_logs_a_phone_request_in_the_admin(client):
    user = support_user()
    client.force_login(user)
    subject = DataSubjectFactory()

    response = client.post(
        reverse("admin:requests_dsar_request_add"),
        {
            "received_on": "2026-03-03",
            "channel": "phone",
            "subject": subject.pk,
            "language": "fr",
            "oral_summary": "Demande d'accès et d'effacement par téléphone",
            "rights": [Right.ACCESS, Right.ERASURE],
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    request = Request.objects.get()
    assert request.due_on == date(2026, 4, 3)
    assert request.created_by == user
    assert request.items.count() == 2


def test_oral_request_without_summary_shows_the_error_on_the_form(client):
    client.force_login(support_user())

    response = client.post(
        reverse("admin:requests_dsar_request_add"),
        {
            "received_on": "2026-03-03",
            "channel": "phone",
            "requester_name": "X",
            "language": "fr",
            "rights": ["access"],
        },
    )

    assert response.status_code == 200
    assert "written summary" in response.text
    assert not Request.objects.exists()


def test_customer_service_does_not_get_the_decision_page(client):
    request = logged_request()
    client.force_login(support_user())

    decide = client.get(reverse("admin:requests_dsar_request_act", args=[request.pk, "decide"]))
    note = client.get(reverse("admin:requests_dsar_request_act", args=[request.pk, "note"]))
    page = client.get(reverse("admin:requests_dsar_request_change", args=[request.pk]))

    assert decide.status_code == 403
    assert note.status_code == 200
    assert "/act/decide/" not in page.text
    assert "/act/identity/" in page.text


def test_dpo_refuses_through_the_admin_and_sees_illegal_steps_as_errors(client):
    dpo = dpo_user()
    client.force_login(dpo)
    request = logged_request(rights=(Right.OBJECTION_MARKETING,))
    Request.objects.filter(pk=request.pk).update(state=State.AWAITING_DECISION)
    item = request.items.get()
    url = reverse("admin:requests_dsar_request_act", args=[request.pk, "decide"])

    response = client.post(url, {"justification": "x", f"ground_{item.pk}": "12_5"})

    # The marketing objection offers no ground at all: the choice is invalid on the form.
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.state == State.AWAITING_DECISION

    objection_from_request(request=request, channel="all", actor=dpo)
    client.post(url, {"justification": "Objection absolue, appliquée"})
    request.refresh_from_db()
    assert request.state == State.COMPLETED


def test_dashboard_flags_requests_without_action_for_the_configured_days(settings):
    settings.DSAR_IDLE_DAYS = 5
    today = date(2026, 3, 20)
    idle = logged_request(received_on=date(2026, 3, 2))
    idle.events.update(occurred_at=timezone.make_aware(datetime(2026, 3, 2, 10, 0)))
    active = logged_request(received_on=date(2026, 3, 2))
    active.events.update(occurred_at=timezone.make_aware(datetime(2026, 3, 18, 10, 0)))

    rows = {row.pk: row for row in dashboard.open_requests(today=today)}

    assert rows[idle.pk].idle
    assert rows[idle.pk].idle_days == 18
    assert not rows[active.pk].idle


def test_requesters_who_do_not_answer_are_reminded_once_per_period(mailoutbox, settings):
    settings.DSAR_PAUSE_REMINDER_DAYS = 14
    request = logged_request(received_on=date(2026, 3, 2))
    services.request_ask_information(
        request=request, reason=ClockPause.Reason.CLARIFICATION, actor=None, asked_on=date(2026, 3, 3)
    )

    assert pause_reminders_send(today=date(2026, 3, 10)) == 0
    assert pause_reminders_send(today=date(2026, 3, 17)) == 1
    assert pause_reminders_send(today=date(2026, 3, 18)) == 0
    deliver()

    assert len(mailoutbox) == 1
    assert request.letters.get().kind == Letter.Kind.CLARIFICATION_REQUEST
    request.refresh_from_db()
    assert request.state == State.AWAITING_INFO
