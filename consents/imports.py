"""Import consent proofs from the e-mailing tool's export (CSV/XLSX; R2.1, DESIGN.md flow 3).

Columns: ``email``, ``first_names``, ``last_name``, ``optin_time``, ``optin_ip``,
``confirmation_time``, ``source_list``. Every row is checked first; one bad row and nothing is
written, each refusal reported with its row number and reason (a missing or unreadable consent
time, a suppressed address, a duplicate...). Then, in one transaction, subjects are created or
updated through ``subjects.services`` and a ``given`` event is recorded with the tool's original
timestamps (double opt-in: request and confirmation). A row whose event is already on record is
skipped, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import tablib
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_ipv46_address
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ijinus_privacy import audit, uploads
from ijinus_privacy.identifiers import normalise_email
from subjects import services as subject_services
from subjects.admission import admission_refusals, refusal_hint
from subjects.models import DataSubject, SubjectRole

from . import services
from .models import Channel, ConsentEvent, Notice

COLUMNS = ("email", "first_names", "last_name", "optin_time", "optin_ip", "confirmation_time", "source_list")
REQUIRED_COLUMNS = ("email", "optin_time")
FILE_COLUMNS = uploads.Columns(expected=COLUMNS, required=REQUIRED_COLUMNS)


@dataclass
class ImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)
    created_subjects: int = 0
    events: int = 0
    skipped: int = 0


def _moment(value) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value or "").strip()
        if not text:
            return None
        moment = parse_datetime(text.replace(" ", "T", 1) if "T" not in text else text)
        if moment is None:
            raise ValueError
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def _check_row(row: dict, *, notice: Notice, seen: dict[str, int], number: int) -> tuple[dict | None, list[str]]:
    reasons: list[str] = []
    email = normalise_email(str(row.get("email") or ""))
    try:
        validate_email(email)
    except ValidationError:
        reasons.append(_("e-mail: missing or not an e-mail address"))
    try:
        optin = _moment(row.get("optin_time"))
        if optin is None:
            reasons.append(_("optin_time: no consent time, so no proof of consent (R2.1.3)"))
    except ValueError:
        optin = None
        reasons.append(_("optin_time: not a date and time"))
    try:
        confirmed = _moment(row.get("confirmation_time"))
    except ValueError:
        confirmed = None
        reasons.append(_("confirmation_time: not a date and time"))
    if optin and confirmed and confirmed < optin:
        reasons.append(_("confirmation_time: before the opt-in time"))
    effective = confirmed or optin
    if effective and effective > timezone.now():
        reasons.append(_("optin_time: in the future"))
    if effective and notice.effective_on > timezone.localdate(effective):
        reasons.append(_("optin_time: before the consent wording chosen was in force"))
    ip = str(row.get("optin_ip") or "").strip()
    if ip:
        try:
            validate_ipv46_address(ip)
        except ValidationError:
            reasons.append(_("optin_ip: not an IP address"))
    if email and not reasons:
        if services.is_suppressed(channel=Channel.NEWSLETTER_EMAIL, email=email):
            reasons.append(_("e-mail: on the suppression list (unsubscribed or objected); not imported (R1.13.3)"))
        if email in seen:
            reasons.append(_("e-mail: duplicate of row %(row)s") % {"row": seen[email]})
        seen.setdefault(email, number)
    if reasons:
        return None, reasons
    return {
        "email": email,
        "first_names": str(row.get("first_names") or "").strip(),
        "last_name": str(row.get("last_name") or "").strip(),
        "requested_at": optin if confirmed else None,
        "confirmed_at": confirmed,
        "occurred_at": effective,
        "ip": ip or None,
        "source_list": str(row.get("source_list") or "").strip()[:200],
    }, []


def _admission_errors(checked: list[tuple[int, dict]]) -> list[tuple[int, str]]:
    """New people only: an erased (Art. 17) or suppressed person is not created again by a file.

    The tool's opt-in is entered by staff through this import, so it never counts as the person's
    own new consent (``subjects.admission``); they sign up again themselves.
    """
    known = set(
        DataSubject.objects.filter(email__in=[row["email"] for _n, row in checked]).values_list("email", flat=True)
    )
    new = [(number, row) for number, row in checked if row["email"] not in known]
    errors = []
    for position, refusals in admission_refusals([(row["email"], "") for _number, row in new]).items():
        number = new[position][0]
        errors += [(number, refusal.message()) for refusal in refusals]
        errors.append((number, refusal_hint()))
    return errors


def import_consent_proofs(*, dataset: tablib.Dataset, notice: Notice, batch_reference: str, actor) -> ImportReport:
    """Check every row, then write all or nothing (newsletter e-mail consents)."""
    report = ImportReport()
    headers = [str(header or "").strip().lower() for header in (dataset.headers or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in headers]
    if missing:
        report.errors.append((0, _("missing columns: %(columns)s") % {"columns": ", ".join(missing)}))
        return report
    if notice.kind != Notice.Kind.CONSENT_TEXT or notice.channel != Channel.NEWSLETTER_EMAIL:
        report.errors.append((0, _("choose the newsletter consent wording the e-mailing tool showed")))
        return report
    checked = []
    seen: dict[str, int] = {}
    for number, values in enumerate(dataset, 1):
        row = dict(zip(headers, values, strict=False))
        clean, reasons = _check_row(row, notice=notice, seen=seen, number=number)
        report.errors += [(number, reason) for reason in reasons]
        if clean:
            checked.append((number, clean))
    report.errors += _admission_errors(checked)
    if report.errors:
        report.errors.sort(key=lambda error: error[0])
        return report
    with transaction.atomic():
        _write(
            [clean for _number, clean in checked],
            notice=notice,
            batch_reference=batch_reference,
            actor=actor,
            report=report,
        )
        audit.record(
            action=audit.Action.CREATE,
            actor=actor,
            object_type="consents.consentevent",
            fields=list(COLUMNS),
            reason=f"Consent-proof import {batch_reference}: {report.events} events",
        )
    return report


def _write(rows: list[dict], *, notice: Notice, batch_reference: str, actor, report: ImportReport) -> None:
    existing = {
        subject.email: subject for subject in DataSubject.objects.filter(email__in=[row["email"] for row in rows])
    }
    for row in rows:
        subject = existing.get(row["email"])
        if subject is None:
            subject = subject_services.subject_create(
                fields={"email": row["email"], "first_names": row["first_names"], "last_name": row["last_name"]},
                actor=actor,
            )
            report.created_subjects += 1
        else:
            names = {key: row[key] for key in ("first_names", "last_name") if row[key] and not getattr(subject, key)}
            if names:
                subject_services.subject_update(subject=subject, fields=names, actor=actor)
        subject_services.role_set(
            subject=subject,
            role=SubjectRole.Role.NEWSLETTER,
            collected_on=timezone.localdate(row["occurred_at"]),
            actor=actor,
        )
        if ConsentEvent.objects.filter(
            subject=subject,
            channel=Channel.NEWSLETTER_EMAIL,
            action=ConsentEvent.Action.GIVEN,
            occurred_at=row["occurred_at"],
        ).exists():
            report.skipped += 1
            continue
        services.consent_record(
            subject=subject,
            channel=Channel.NEWSLETTER_EMAIL,
            action=ConsentEvent.Action.GIVEN,
            notice=notice,
            collection_point=ConsentEvent.CollectionPoint.EMAILING_TOOL,
            collection_detail=_("source list: %(list)s") % {"list": row["source_list"]} if row["source_list"] else "",
            mechanism=ConsentEvent.Mechanism.DOUBLE_OPT_IN
            if row["confirmed_at"]
            else ConsentEvent.Mechanism.UNTICKED_CHECKBOX,
            language=subject.language,
            entered_by=ConsentEvent.EnteredBy.STAFF,
            staff_reference=batch_reference,
            occurred_at=row["occurred_at"],
            requested_at=row["requested_at"],
            confirmed_at=row["confirmed_at"],
            ip_address=row["ip"],
            actor=actor,
        )
        report.events += 1
