from datetime import date

import pytest

from ijinus_privacy.dates import add_months, expiry_cutoff


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 3, 5), 1, date(2026, 4, 5)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 1, 31), 13, date(2027, 2, 28)),
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_of_the_month(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize("months", [0, 1, 13, 36, 120])
def test_cutoff_is_exactly_the_last_trigger_date_that_has_expired(months):
    today = date(2027, 3, 1)

    cutoff = expiry_cutoff(today, months)

    assert add_months(cutoff, months) <= today
    assert add_months(date.fromordinal(cutoff.toordinal() + 1), months) > today
