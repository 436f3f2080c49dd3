"""The 72-hour clock of Art. 33(1): from the moment IJINUS became aware of the breach.

Times are absolute: the due time is ``aware_at`` plus 72 real hours, computed in UTC, so a clock
running across the change to or from summer time still lasts 72 hours (shown in Europe/Paris, one
wall-clock hour more or less). A breach is overdue when the CNIL has not been notified, a
notification is (or may be) due, and the due time has passed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils import timezone

if TYPE_CHECKING:
    from .models import Breach

NOTIFICATION_HOURS = 72  # Art. 33(1)
REMINDER_HOURS = 48  # the DPO's e-mail when not yet notified
PARIS = ZoneInfo("Europe/Paris")


def _absolute(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("The 72-hour clock needs a timezone-aware datetime.")
    return moment.astimezone(UTC)


def notification_due(aware_at: datetime) -> datetime:
    """``aware_at`` + 72 hours exactly (real hours, whatever the clock change), in Europe/Paris time."""
    return (_absolute(aware_at) + timedelta(hours=NOTIFICATION_HOURS)).astimezone(PARIS)


def reminder_due(aware_at: datetime) -> datetime:
    return (_absolute(aware_at) + timedelta(hours=REMINDER_HOURS)).astimezone(PARIS)


def notified(breach: Breach) -> bool:
    """The CNIL has received at least a first (initial or complete) notification."""
    return breach.phases.exists()


def hours_left(breach: Breach, now: datetime | None = None) -> float:
    """Hours until the notification is due; negative once it is past."""
    # Both in UTC: Python subtracts two datetimes of the same zone by their wall clocks.
    due = _absolute(notification_due(breach.aware_at))
    return (due - _absolute(now or timezone.now())).total_seconds() / 3600


def is_overdue(breach: Breach, now: datetime | None = None, *, is_notified: bool | None = None) -> bool:
    """Not notified, a notification not ruled out by the assessment, and past the 72 hours."""
    from . import obligations

    if breach.status == breach.Status.CLOSED:
        return False
    if is_notified is None:
        is_notified = notified(breach)
    if is_notified or obligations.due(breach) == obligations.Due.REGISTER_ONLY:
        return False
    return hours_left(breach, now) < 0


def reminder_cutoff(now: datetime) -> datetime:
    """Breaches of which IJINUS became aware at or before this moment are 48 hours old at ``now``."""
    return _absolute(now) - timedelta(hours=REMINDER_HOURS)


def in_paris(moment: datetime | None) -> datetime | None:
    return moment.astimezone(PARIS) if moment is not None else None
