"""The 72-hour clock (Art. 33(1)): absolute hours across the clock changes and at midnight."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from breaches import deadlines
from breaches.models import NotificationPhase
from breaches.services import notification_submit
from tests import factories as f

PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def real_hours(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Elapsed time (Python subtracts two datetimes of the same zone by their wall clocks)."""
    return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)


def test_due_is_72_real_hours_across_the_autumn_clock_change():
    aware = paris(2026, 10, 23, 12, 0)  # summer time (UTC+2); clocks go back on 25 October at 03:00

    due = deadlines.notification_due(aware)

    assert real_hours(aware, due) == dt.timedelta(hours=72)
    assert (due.hour, due.day, due.utcoffset()) == (11, 26, dt.timedelta(hours=1))  # 71 wall-clock hours


def test_due_is_72_real_hours_across_the_spring_clock_change():
    aware = paris(2026, 3, 27, 12, 0)  # winter time; clocks go forward on 29 March at 02:00

    due = deadlines.notification_due(aware)

    assert real_hours(aware, due) == dt.timedelta(hours=72)
    assert (due.day, due.hour, due.utcoffset()) == (30, 13, dt.timedelta(hours=2))


def test_aware_during_the_repeated_hour_counts_from_the_real_moment():
    first = dt.datetime(2026, 10, 25, 2, 30, tzinfo=PARIS, fold=0)  # 00:30 UTC
    second = dt.datetime(2026, 10, 25, 2, 30, tzinfo=PARIS, fold=1)  # 01:30 UTC

    assert real_hours(deadlines.notification_due(first), deadlines.notification_due(second)) == dt.timedelta(hours=1)


def test_due_is_shown_in_paris_time_and_refuses_naive_times():
    due = deadlines.notification_due(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC))

    assert due.tzinfo == PARIS
    assert (due.day, due.hour) == (13, 10)
    with pytest.raises(ValueError, match="aware"):
        deadlines.notification_due(dt.datetime(2026, 3, 10, 9, 0))


@pytest.mark.django_db
def test_at_midnight_the_clock_turns_overdue_on_the_second():
    with time_machine.travel(paris(2026, 3, 10, 0, 5), tick=False):
        breach = f.breach(aware_at=paris(2026, 3, 10, 0, 0))

    due = deadlines.notification_due(breach.aware_at)
    just_before = paris(2026, 3, 12, 23, 59, 59)
    just_after = paris(2026, 3, 13, 0, 0, 1)

    assert due == paris(2026, 3, 13, 0, 0)
    assert deadlines.hours_left(breach, paris(2026, 3, 12, 0, 0)) == 24
    assert not deadlines.is_overdue(breach, just_before)
    assert deadlines.is_overdue(breach, just_after)


@pytest.mark.django_db
def test_a_notified_or_no_risk_breach_is_never_overdue():
    with time_machine.travel(paris(2026, 3, 10, 10, 0), tick=False):
        notified = f.breach(aware_at=paris(2026, 3, 10, 9, 0))
        no_risk = f.breach(aware_at=paris(2026, 3, 10, 9, 0))
        f.breach_assessed(no_risk, "low")
        notification_submit(
            breach=notified,
            actor=f.dpo_user(),
            kind=NotificationPhase.Kind.INITIAL,
            submitted_at=paris(2026, 3, 10, 9, 30),
        )
    later = paris(2026, 3, 20, 10, 0)

    assert not deadlines.is_overdue(notified, later)
    assert not deadlines.is_overdue(no_risk, later)
