"""Deadlines under Regulation 1182/71 with the French calendar (R1.2.1, R1.3.2, R1.4.1)."""

from datetime import date

import pytest

from requests_dsar.deadlines import (
    add_working_days,
    due_date,
    extended_due_date,
    french_public_holidays,
)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        # R1.2.1 (a): nominal Sun 5 April, Mon 6 April is Easter Monday.
        (date(2026, 3, 5), date(2026, 4, 7)),
        # R1.2.1 (b): 31 August -> 30 September (EDPB Example 33).
        (date(2026, 8, 31), date(2026, 9, 30)),
        # R1.2.1 (c): 31 January -> nominal Sat 28 February -> Mon 2 March.
        (date(2026, 1, 31), date(2026, 3, 2)),
    ],
)
def test_legal_examples_of_the_one_month_deadline(received, expected):
    assert due_date(received) == expected


def test_legal_example_of_the_extended_deadline_takes_the_earlier_count():
    # R1.3.2: 31 Jan -> 28 Feb + 2 months = 28 April, earlier than receipt + 3 months = 30 April.
    assert extended_due_date(date(2026, 1, 31)) == date(2026, 4, 28)


def test_the_eleven_french_public_holidays_of_2026():
    assert french_public_holidays(2026) == {
        date(2026, 1, 1),
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 1),
        date(2026, 5, 8),
        date(2026, 5, 14),  # Ascension
        date(2026, 5, 25),  # Whit Monday
        date(2026, 7, 14),
        date(2026, 8, 15),
        date(2026, 11, 1),
        date(2026, 11, 11),
        date(2026, 12, 25),
    }


@pytest.mark.parametrize(
    ("year", "easter_monday", "ascension", "whit_monday"),
    [
        (2024, date(2024, 4, 1), date(2024, 5, 9), date(2024, 5, 20)),
        (2025, date(2025, 4, 21), date(2025, 5, 29), date(2025, 6, 9)),
        (2027, date(2027, 3, 29), date(2027, 5, 6), date(2027, 5, 17)),
    ],
)
def test_moveable_holidays_follow_easter_each_year(year, easter_monday, ascension, whit_monday):
    holidays = french_public_holidays(year)

    assert {easter_monday, ascension, whit_monday} <= holidays
    assert len(holidays) == 11


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (date(2025, 12, 1), date(2026, 1, 2)),  # Thu 1 Jan -> Fri 2 Jan
        (date(2026, 3, 6), date(2026, 4, 7)),  # Easter Monday -> Tue
        (date(2026, 4, 1), date(2026, 5, 4)),  # Fri 1 May -> Mon 4 May
        (date(2026, 4, 8), date(2026, 5, 11)),  # Fri 8 May -> Mon 11 May
        (date(2026, 4, 14), date(2026, 5, 15)),  # Ascension Thu -> Fri
        (date(2026, 4, 25), date(2026, 5, 26)),  # Whit Monday -> Tue
        (date(2026, 6, 14), date(2026, 7, 15)),  # Tue 14 July -> Wed
        (date(2026, 7, 15), date(2026, 8, 17)),  # Sat 15 August -> Mon 17
        (date(2026, 10, 1), date(2026, 11, 2)),  # Sun 1 November -> Mon 2
        (date(2026, 10, 11), date(2026, 11, 12)),  # Wed 11 November -> Thu 12
        (date(2026, 11, 25), date(2026, 12, 28)),  # Fri 25 December -> Mon 28
    ],
)
def test_a_deadline_on_each_public_holiday_rolls_to_the_next_working_day(received, expected):
    assert due_date(received) == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (date(2024, 1, 31), date(2024, 2, 29)),  # leap year: Thu 29 Feb
        (date(2025, 1, 31), date(2025, 2, 28)),  # common year: Fri 28 Feb
        (date(2028, 1, 30), date(2028, 2, 29)),  # leap year, 30th -> 29th
        (date(2026, 3, 31), date(2026, 4, 30)),  # 31 -> 30-day month
        (date(2026, 5, 31), date(2026, 6, 30)),
        (date(2026, 12, 31), date(2027, 2, 1)),  # year end: Sun 31 Jan -> Mon 1 Feb
        (date(2026, 6, 15), date(2026, 7, 15)),  # plain case, a Wednesday
    ],
)
def test_month_ends_and_leap_years(received, expected):
    assert due_date(received) == expected


def test_alsace_moselle_calendar_adds_good_friday(settings):
    # Received 29 Feb 2024: nominal Fri 29 March 2024 is Good Friday, then Easter weekend and Monday.
    assert due_date(date(2024, 2, 29)) == date(2024, 3, 29)
    settings.DSAR_ALSACE_MOSELLE_HOLIDAYS = True

    assert due_date(date(2024, 2, 29)) == date(2024, 4, 2)


def test_pause_moves_the_nominal_date_before_the_roll_over():
    # Nominal 5 April + 1 paused day = Easter Monday 6 April -> Tue 7 April (not 8 April).
    assert due_date(date(2026, 3, 5), paused_days=1) == date(2026, 4, 7)
    # Nominal Sat 28 Feb + 2 days = Mon 2 March, a working day (not Wed 4 March).
    assert due_date(date(2026, 1, 31), paused_days=2) == date(2026, 3, 2)
    assert due_date(date(2026, 6, 15), paused_days=10) == date(2026, 7, 27)


@pytest.mark.parametrize(
    ("received", "paused_days", "expected"),
    [
        (date(2026, 3, 5), 0, date(2026, 6, 5)),
        (date(2026, 8, 31), 0, date(2026, 11, 30)),
        (date(2025, 11, 30), 0, date(2026, 3, 2)),  # nominal Sat 28 Feb 2026
        (date(2023, 11, 30), 0, date(2024, 2, 29)),  # leap year
        (date(2026, 1, 31), 5, date(2026, 5, 4)),  # 28 April + 5 = Sun 3 May -> Mon 4 May
    ],
)
def test_extended_deadline(received, paused_days, expected):
    assert extended_due_date(received, paused_days=paused_days) == expected


def test_negative_pause_is_refused():
    with pytest.raises(ValueError, match="negative"):
        due_date(date(2026, 3, 5), paused_days=-1)


def test_three_working_days_skip_the_weekend_and_holidays():
    # Thu 2 April 2026 + 3 working days: Fri 3, (weekend, Easter Monday), Tue 7, Wed 8.
    assert add_working_days(date(2026, 4, 2), 3) == date(2026, 4, 8)
