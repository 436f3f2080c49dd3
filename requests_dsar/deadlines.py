"""Legal deadlines for data-subject requests (Art. 12(3); R1.2, R1.3, R1.4).

Periods are counted under Regulation (EEC, Euratom) No 1182/71, art. 3, as the EDPB says
(Guidelines 01/2022 §§160-161):

* a period in months ends on the same date in the last month, or on that month's last day
  when the month has no such date (31 January + 1 month = 28/29 February);
* a period ending on a Saturday, Sunday or public holiday ends on the next working day.

A clock pause (identity check or clarification, R1.4.1) pushes the *nominal* end date by the
paused calendar days; the working-day roll-over is applied last, once.

The extended deadline (R1.3.2) is the earlier of "first nominal end + 2 months" and
"receipt + 3 months", both on nominal dates, because the sources do not settle the count.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.easter import easter
from django.conf import settings

from ijinus_privacy.dates import add_months


def french_public_holidays(year: int, *, alsace_moselle: bool = False) -> set[date]:
    """The eleven French national public holidays (Code du travail L.3133-1) of ``year``.

    ``alsace_moselle`` adds Good Friday and 26 December (Code du travail L.3134-13), R1.2.2.
    """
    easter_sunday = easter(year)
    holidays = {
        date(year, 1, 1),  # Jour de l'an
        easter_sunday + timedelta(days=1),  # Lundi de Pâques
        date(year, 5, 1),  # Fête du Travail
        date(year, 5, 8),  # Victoire 1945
        easter_sunday + timedelta(days=39),  # Ascension
        easter_sunday + timedelta(days=50),  # Lundi de Pentecôte
        date(year, 7, 14),  # Fête nationale
        date(year, 8, 15),  # Assomption
        date(year, 11, 1),  # Toussaint
        date(year, 11, 11),  # Armistice
        date(year, 12, 25),  # Noël
    }
    if alsace_moselle:
        holidays |= {easter_sunday - timedelta(days=2), date(year, 12, 26)}
    return holidays


def public_holidays(year: int) -> set[date]:
    """The configured calendar (R1.2.2): settings.DSAR_ALSACE_MOSELLE_HOLIDAYS adds the local days."""
    return french_public_holidays(year, alsace_moselle=getattr(settings, "DSAR_ALSACE_MOSELLE_HOLIDAYS", False))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the next one (Reg. 1182/71 art. 3(4))."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (R1.4.2 "without undue delay")."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def nominal_due_date(received: date, *, paused_days: int = 0) -> date:
    return add_months(received, 1) + timedelta(days=paused_days)


def nominal_extended_due_date(received: date, *, paused_days: int = 0) -> date:
    first_month_end = add_months(received, 1)
    ceiling = min(add_months(first_month_end, 2), add_months(received, 3))
    return ceiling + timedelta(days=paused_days)


def due_date(received: date, *, paused_days: int = 0) -> date:
    """One month from receipt (Art. 12(3), R1.2.1), pushed back by paused days (R1.4.1)."""
    if paused_days < 0:
        raise ValueError("paused_days cannot be negative.")
    return next_working_day(nominal_due_date(received, paused_days=paused_days))


def extended_due_date(received: date, *, paused_days: int = 0) -> date:
    """At most two further months (Art. 12(3), R1.3.2), pushed back by paused days."""
    if paused_days < 0:
        raise ValueError("paused_days cannot be negative.")
    return next_working_day(nominal_extended_due_date(received, paused_days=paused_days))
