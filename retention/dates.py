"""Calendar arithmetic for retention periods (R4.1.2).

Periods are whole calendar months, computed like Regulation 1182/71 art. 3 (R1.2.1): the same day
``n`` months later, or the last day of that month when it has no such day. There is no weekend or
holiday roll-over: a retention period is not a deadline owed to someone.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def expiry_cutoff(today: date, months: int) -> date:
    """The latest trigger date whose period of ``months`` has run out on ``today``.

    ``add_months`` is monotonic, so "trigger + months <= today" is exactly "trigger <= cutoff":
    sweeps can then compare plain date columns (index-friendly) instead of computing per row.
    """
    cutoff = add_months(today, -months)
    while add_months(cutoff + timedelta(days=1), months) <= today:
        cutoff += timedelta(days=1)
    while add_months(cutoff, months) > today:
        cutoff -= timedelta(days=1)
    return cutoff
