"""Calendar arithmetic shared by every app: whole calendar months (R1.2.1, R4.1.2).

A period of ``n`` months ends on the same day ``n`` months later, or on the last day of that month
when it has no such day (Regulation 1182/71 art. 3, as ``dateutil.relativedelta`` computes it).
Retention periods have no weekend or holiday roll-over (a retention period is not a deadline owed to
someone); the request deadlines add that roll-over themselves (``requests_dsar/deadlines.py``).
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


def add_months(start: date, months: int) -> date:
    """Same day ``months`` later (or earlier, when negative), or the last day of that month when it has no such day."""
    return start + relativedelta(months=months)


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
