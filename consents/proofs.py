"""Consent-proof bundles for an inspection (Art. 7(1), R2.1) and campaign audiences (R2.6.1, R1.13.3).

Both are exports of personal data: each subject in them gets an EXPORT audit event, and every
spreadsheet cell goes through ``escape_formula``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ijinus_privacy import audit
from ijinus_privacy.pdf import render_pdf
from ijinus_privacy.spreadsheets import escape_formula
from subjects.models import DataSubject

from . import selectors
from .models import ConsentEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

PROOF_COLUMNS = (
    ("event", "id"),
    ("subject", "subject_id"),
    ("visitor", "visitor_id"),
    ("channel", "channel"),
    ("action", "action"),
    ("effective_at_utc", "occurred_at"),
    ("requested_at_utc", "requested_at"),
    ("confirmed_at_utc", "confirmed_at"),
    ("notice", "notice"),
    ("notice_sha256", "notice_sha256"),
    ("collection_point", "collection_point"),
    ("collection_detail", "collection_detail"),
    ("interface_version", "interface_version"),
    ("mechanism", "mechanism"),
    ("language", "language"),
    ("entered_by", "entered_by"),
    ("staff_reference", "staff_reference"),
    ("ip_address", "ip_address"),
    ("confirmation_ip_address", "confirmation_ip_address"),
    ("tool_reference", "tool_reference"),
    ("recorded_at_utc", "recorded_at"),
)
AUDIENCE_COLUMNS = ("subject", "email", "phone", "first_names", "last_name", "organisation", "language")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return escape_formula(str(value))


def _csv(header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def proof_events(*, subject: DataSubject | None = None, channel: str = "") -> QuerySet:
    events = ConsentEvent.objects.select_related("notice").order_by("subject_id", "channel", "occurred_at", "id")
    if subject is not None:
        events = events.filter(subject=subject)
    if channel:
        events = events.filter(channel=channel)
    return events


@transaction.atomic
def proof_bundle(*, events: QuerySet, actor: User | None, title: str) -> tuple[bytes, bytes]:
    """CSV + PDF of these consent events, with the notice texts they point to; audited per subject."""
    events = list(events)
    rows = [[getattr(event, attribute) for _label, attribute in PROOF_COLUMNS] for event in events]
    csv_bytes = _csv([label for label, _attribute in PROOF_COLUMNS], rows)
    notices = {event.notice_id: event.notice for event in events if event.notice_id}
    pdf_bytes = render_pdf(
        "consents/proof_bundle.html",
        {"title": title, "events": events, "notices": notices.values(), "generated_at": timezone.now()},
    )
    for subject_id in sorted({event.subject_id for event in events if event.subject_id}):
        audit.record(
            action=audit.Action.EXPORT,
            actor=actor,
            object_type="consents.consentevent",
            subject_id=subject_id,
            fields=[attribute for _label, attribute in PROOF_COLUMNS],
            reason="Consent-proof bundle (Art. 7(1))",
        )
    return csv_bytes, pdf_bytes


@transaction.atomic
def audience_csv(*, channel: str, on: date, product_family: str | None, actor: User | None) -> tuple[bytes, int]:
    """The campaign audience: only ``selectors.marketable`` decides who is in it."""
    audience = selectors.marketable(channel=channel, on=on, product_family=product_family).order_by("pk")
    rows = list(audience.values_list("pk", *AUDIENCE_COLUMNS[1:]))
    for row in rows:
        audit.record(
            action=audit.Action.EXPORT,
            actor=actor,
            object_type="subjects.datasubject",
            object_id=row[0],
            subject_id=row[0],
            fields=list(AUDIENCE_COLUMNS[1:]),
            reason=f"Campaign audience ({channel}, {on.isoformat()})",
        )
    return _csv(AUDIENCE_COLUMNS, rows), len(rows)
