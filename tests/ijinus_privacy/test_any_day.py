"""The suite passes on any date (issue 12): what reads "today" is run on month ends, leap days, French
public holidays, the Friday before a holiday weekend and a late evening, the clock stopped each time.

``any_day`` (tests/conftest.py, ``ANY_DAYS``) parametrises a test over those days. The tests below are the
date-sensitive scenarios (deadlines, 13-month cookie expiry, holds, the demo); the DPO dashboard ordering
runs on them too (tests/requests_dsar/test_dashboard.py). To run the whole suite from another day:
``IJINUS_TEST_TODAY=2028-02-29 make test``.
"""

from datetime import UTC, date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from consents.models import Channel, ConsentEvent
from consents.services import cookie_consents_expire
from requests_dsar import deadlines
from retention.models import LegalHold
from retention.services import hold_place
from tests.factories import dpo_user, give, logged_request, subject_with_role

pytestmark = pytest.mark.django_db


def test_a_request_received_today_is_due_a_month_on_at_the_next_working_day(any_day):
    request = logged_request(received_on=timezone.localdate())

    month_on = deadlines.add_months(any_day, 1)  # 31 January -> 28 (29) February (Reg. 1182/71 art. 3)
    assert request.received_on == any_day
    assert month_on.month == (any_day.month % 12) + 1
    assert request.due_on >= month_on
    assert deadlines.is_working_day(request.due_on)
    skipped = [month_on + timedelta(days=n) for n in range((request.due_on - month_on).days)]
    assert not any(deadlines.is_working_day(day) for day in skipped)  # only weekends and holidays moved it


def test_a_cookie_consent_expires_at_its_13_month_mark_and_not_a_minute_before(any_day):
    now = timezone.now()
    mark = now - relativedelta(months=13)
    # Consents given on the days around the mark, a minute either side of this time of day: at month
    # ends several of them reach their 13 months today (29, 30 and 31 January all end on 28 February).
    given = [
        give(None, Channel.COOKIES_AUDIENCE, visitor_id=f"v-{days}-{minutes}", at=moment)
        for days in range(-2, 4)
        for minutes in (-1, 1)
        if (moment := mark + timedelta(days=days, minutes=minutes)) <= now
    ]

    cookie_consents_expire()

    expired = {event.visitor_id: event for event in ConsentEvent.objects.filter(action="expired")}
    due = {event.visitor_id: event for event in given if event.occurred_at + relativedelta(months=13) <= now}
    assert set(expired) == set(due)
    assert len(due) >= 3
    for visitor_id, event in due.items():
        assert expired[visitor_id].occurred_at == event.occurred_at.astimezone(UTC) + relativedelta(months=13)
        assert expired[visitor_id].occurred_at <= now


def test_a_legal_hold_placed_today_is_due_for_review_on_its_date(any_day):
    review_on = any_day + timedelta(days=60)
    hold = hold_place(subject=subject_with_role("prospect"), reason="claim", review_on=review_on, actor=dpo_user())

    assert hold.started_on == any_day
    assert not LegalHold.objects.review_due(any_day).exists()
    assert list(LegalHold.objects.review_due(review_on)) == [hold]


def test_today_is_an_ordinary_day_with_the_clock_stopped_on_it(today):
    assert today == date(2026, 3, 10)
    assert timezone.localdate() == today
    assert timezone.now() == timezone.now()


@pytest.mark.today("2027-01-31")
def test_today_is_the_marked_day(today):
    assert today == timezone.localdate() == date(2027, 1, 31)


def test_today_is_the_day_any_day_runs_on(any_day, today):
    assert today == any_day == timezone.localdate()
