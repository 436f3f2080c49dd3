"""The telephone opposition list (Bloctel) and the check before a marketing call (C. consom. L.223-1).

The DPO imports the list of numbers Bloctel returned for our file, with the date Bloctel produced
it. Only keyed hashes are kept (``ijinus_privacy.identifiers.identifier_hash``): nobody can read
the numbers back, and the same number always gives the same hash. An import is all or nothing:
any unreadable row refuses the whole file, with the row numbers (never the values). The new
list replaces the previous one, whose hashes are deleted in the same transaction.

``phone_marketing_check`` answers "may we call this number for marketing": a consumer whose number
is on the list may only be called about a current contract (L.223-1); professional contacts
called in that capacity are outside L.223-1 (the suppression list still applies to everyone).
Files are scrubbed at least monthly: a list older than a month gives a warning.

From 11 August 2026 (loi n° 2025-594, new C. consom. L.223-1), a consumer is called for marketing
only with their prior consent, or about a current contract: the check asks the consent service
(``information.consent_covers``) as well.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit
from ijinus_privacy.bulk import bulk_insert
from ijinus_privacy.choices import Channel
from ijinus_privacy.dates import add_months
from ijinus_privacy.identifiers import IdentifierKind, identifier_hash, normalise_phone
from subjects.models import Contract, DataSubject

from ..models import BloctelList, BloctelNumber
from .consent import is_suppressed
from .information import consent_covers

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

STALE_AFTER_MONTHS = 1
# Loi n° 2025-594 of 30 June 2025, art. 3 and 13 III: prior consent for consumer calls from this day.
PRIOR_CONSENT_FROM = date(2026, 8, 11)
MAX_ROW_ERRORS = 50


@dataclass
class BloctelImportReport:
    bloctel_list: BloctelList | None = None
    numbers: int = 0
    errors: list[str] = field(default_factory=list)


def _rows(content: bytes) -> list[str]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    values = []
    for row in csv.reader(io.StringIO(text), delimiter=";" if ";" in text.split("\n", 1)[0] else ","):
        values.append(row[0].strip() if row else "")
    return values


def _is_phone(normalised: str) -> bool:
    digits = normalised.lstrip("+")
    return digits.isdigit() and 8 <= len(digits) <= 15


@transaction.atomic
def bloctel_import(*, content: bytes, list_date: date, actor: User | None) -> BloctelImportReport:
    """Replace the opposition list with this file (one number per line; a header line is skipped).

    All or nothing: a report with ``errors`` means nothing was written.
    """
    actors.require(actor, "consents.import_bloctellist")
    report = BloctelImportReport()
    today = timezone.localdate()
    if list_date > today:
        report.errors.append(_("The date of the list cannot be in the future."))
        return report
    hashes: set[str] = set()
    for line_number, value in enumerate(_rows(content), start=1):
        if not value:
            continue
        normalised = normalise_phone(value)
        if not _is_phone(normalised):
            if line_number == 1 and not any(ch.isdigit() for ch in value):
                continue  # a header
            if len(report.errors) < MAX_ROW_ERRORS:
                report.errors.append(_("Line %(line)d: not a phone number.") % {"line": line_number})
            continue
        hashes.add(identifier_hash(IdentifierKind.PHONE, normalised))
    if not hashes and not report.errors:
        report.errors.append(_("The file holds no phone number."))
    if report.errors:
        return report
    previous = list(BloctelList.objects.values_list("pk", flat=True))
    BloctelNumber.objects.filter(bloctel_list_id__in=previous).delete()
    bloctel_list = BloctelList.objects.create(
        list_date=list_date,
        number_count=len(hashes),
        file_sha256=hashlib.sha256(content).hexdigest(),
        imported_by=actors.staff_or_none(actor),
    )
    bulk_insert(BloctelNumber, [BloctelNumber(bloctel_list=bloctel_list, number_hash=h) for h in sorted(hashes)])
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=bloctel_list,
        fields=["list_date", "number_hash"],
        reason=f"opposition list: {len(hashes)} numbers, {len(previous)} earlier list(s) replaced",
    )
    report.bloctel_list = bloctel_list
    report.numbers = len(hashes)
    return report


@dataclass(frozen=True)
class BloctelStatus:
    list_date: date | None
    stale: bool

    @property
    def warning(self) -> str:
        if self.list_date is None:
            return _("No telephone opposition list (Bloctel) has been imported: consumers cannot be called.")
        if self.stale:
            return _(
                "The telephone opposition list (Bloctel) dates from %(date)s: more than a month old. "
                "Import a new one before calling consumers (C. consom. L.223-1)."
            ) % {"date": self.list_date.strftime("%d/%m/%Y")}
        return ""


def bloctel_status(*, today: date | None = None) -> BloctelStatus:
    today = today or timezone.localdate()
    current = BloctelList.objects.order_by("-list_date", "-id").first()
    if current is None:
        return BloctelStatus(list_date=None, stale=True)
    return BloctelStatus(list_date=current.list_date, stale=add_months(current.list_date, STALE_AFTER_MONTHS) < today)


def on_bloctel_list(phone: str) -> bool:
    digest = identifier_hash(IdentifierKind.PHONE, phone)
    if not digest:
        return False
    current = BloctelList.objects.order_by("-list_date", "-id").first()
    return current is not None and BloctelNumber.objects.filter(bloctel_list=current, number_hash=digest).exists()


def has_current_contract(subject: DataSubject, *, today: date) -> bool:
    return (
        Contract.objects.filter(subject=subject, started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .exists()
    )


@dataclass(frozen=True)
class PhoneMarketingCheck:
    allowed: bool
    reasons: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def phone_marketing_check(
    *, phone: str, subject: DataSubject | None = None, today: date | None = None
) -> PhoneMarketingCheck:
    """May we call this number for marketing today (C. consom. L.223-1; Art. 21 GDPR)."""
    today = today or timezone.localdate()
    if not normalise_phone(phone):
        return PhoneMarketingCheck(False, (_("No phone number."),))
    if is_suppressed(channel=Channel.PHONE_MARKETING, phone=phone):
        return PhoneMarketingCheck(False, (_("The person objected or withdrew: on the suppression list (Art. 21)."),))
    professional = subject is not None and subject.kind == DataSubject.Kind.PROFESSIONAL
    if professional:
        return PhoneMarketingCheck(
            True, (_("Professional contact called in that capacity: outside C. consom. L.223-1."),)
        )
    status = bloctel_status(today=today)
    warnings = (status.warning,) if status.warning else ()
    contract = subject is not None and has_current_contract(subject, today=today)
    if today >= PRIOR_CONSENT_FROM and not contract:
        consented = subject is not None and consent_covers(subject=subject, channel=Channel.PHONE_MARKETING)
        if not consented:
            return PhoneMarketingCheck(
                False,
                (
                    _(
                        "No prior consent to marketing calls: required for consumers since 11 August 2026 "
                        "(C. consom. L.223-1)."
                    ),
                ),
                warnings,
            )
    if status.list_date is None:
        return PhoneMarketingCheck(False, (status.warning,), warnings)
    if on_bloctel_list(phone):
        if contract:
            return PhoneMarketingCheck(
                True, (_("On the opposition list, but a current contract exists (C. consom. L.223-1)."),), warnings
            )
        return PhoneMarketingCheck(
            False,
            (_("Consumer registered on the telephone opposition list (Bloctel, C. consom. L.223-1)."),),
            warnings,
        )
    return PhoneMarketingCheck(True, (_("Not on the telephone opposition list."),), warnings)
