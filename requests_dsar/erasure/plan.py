"""The erasure plan (R1.10.2-R1.10.3): for each personal-data source, what erasure does and why.

The plan is computed from the registry (every source, its categories and its rows for this
person) and from the exceptions of Art. 17(3) below. A source all of whose categories an exception
covers keeps the records still inside their period: they move to the intermediate archive
(``ErasureKeep``) with an end date; the others are deleted. The request file is anonymised
(kept for accountability, Art. 5(2)). Nothing here writes.

Durations: invoices and payments are accounting documents, kept 10 years from the close of the
fiscal year they belong to (C. com. L.123-22; ``ACCOUNTING_RETENTION_MONTHS``; the fiscal year ends
with the month ``settings.FISCAL_YEAR_END_MONTH``, December by default). Contract evidence follows
the 5-year limitation (C. civ. art. 2224, C. com. L.110-4). A kept record's period starts on its
latest date (invoice date, payment date, contract end), or the close of that date's fiscal year for
accounting documents; a record with a date still open (a contract without an end date) counts from
today. The DPO validates these choices (LEGAL.md §7).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.dates import add_months
from ijinus_privacy.personal_data import PersonalDataSource, registry
from ijinus_privacy.written_in import writing_language
from retention.models import LegalHold

from ..exports import wording
from ..models import RefusalGround


class PlanAction:
    DELETE = "delete"
    ANONYMISE = "anonymise"
    KEEP = "keep"

    LABELS = {
        DELETE: _("Delete"),
        ANONYMISE: _("Anonymise irreversibly"),
        KEEP: _("Keep in intermediate archive"),
    }


# C. com. L.123-22: accounting documents and supporting documents are kept 10 years (statute, not
# the policy's role rule "inactive-client-contract", whose start and length the DPO may change).
ACCOUNTING_RETENTION_MONTHS = 120


def fiscal_year_close(day: date, *, end_month: int | None = None) -> date:
    """The last day of the fiscal year ``day`` belongs to (``FISCAL_YEAR_END_MONTH``, 12 = calendar year)."""
    end_month = end_month or settings.FISCAL_YEAR_END_MONTH
    year = day.year if day.month <= end_month else day.year + 1
    return date(year, end_month, calendar.monthrange(year, end_month)[1])


@dataclass(frozen=True)
class KeepException:
    """An Art. 17(3) exception that keeps some categories for a period (R1.10.2)."""

    categories: frozenset[str]
    ground: str
    reason: Promise
    months: int
    from_fiscal_year_close: bool = False

    def keep_until(self, anchor: date) -> date:
        """The end of the period for a record dated ``anchor``."""
        start = fiscal_year_close(anchor) if self.from_fiscal_year_close else anchor
        return add_months(start, self.months)


KEEP_EXCEPTIONS: tuple[KeepException, ...] = (
    KeepException(
        categories=frozenset({"billing", "payment"}),
        ground=RefusalGround.ERASURE_LEGAL_OBLIGATION,
        reason=_("Accounting documents and supporting documents (invoices, payments): C. com. L.123-22, 10 years"),
        months=ACCOUNTING_RETENTION_MONTHS,
        from_fiscal_year_close=True,
    ),
    KeepException(
        categories=frozenset({"contract"}),
        ground=RefusalGround.ERASURE_LEGAL_CLAIMS,
        reason=_("Contract evidence for legal claims: 5-year limitation (C. civ. art. 2224, C. com. L.110-4)"),
        months=60,
    ),
)


@dataclass(frozen=True)
class KeptRecord:
    """One record to move to the archive: its fields as they are, its ground and end date."""

    source: str
    record_type: str
    record_ref: int
    ground: str
    reason: str
    keep_until: date
    payload: dict[str, Any]


@dataclass
class PlanLine:
    source: str
    label: str
    categories: tuple[str, ...]
    action: str
    rows: int
    reason: str = ""
    ground: str = ""
    until: date | None = None

    @property
    def action_label(self) -> str:
        return str(PlanAction.LABELS[self.action])

    @property
    def category_labels(self) -> list[str]:
        """The data categories by their short names in the page's language ("Identité", "Contact
        details"), the code only where no name is written."""
        language = writing_language()
        return [(wording.data_category(code, language) or code).split(":")[0].strip() for code in self.categories]

    @property
    def ground_label(self) -> str:
        return str(RefusalGround(self.ground).label) if self.ground else ""


@dataclass
class ErasurePlan:
    subject_id: int
    lines: list[PlanLine] = field(default_factory=list)
    kept_records: list[KeptRecord] = field(default_factory=list)
    holds: list[LegalHold] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return bool(self.holds)

    def kept_summary(self) -> list[dict[str, Any]]:
        """Kept lines as plain values for the deletion proof and the letter (no personal value)."""
        return [
            {
                "source": line.source,
                "label": line.label,
                "rows": line.rows,
                "ground": line.ground,
                "reason": line.reason,
                "until": line.until.isoformat() if line.until else None,
            }
            for line in self.lines
            if line.action == PlanAction.KEEP
        ]

    def counts(self) -> dict[str, int]:
        return {line.source: line.rows for line in self.lines if line.action != PlanAction.KEEP}

    def as_text(self) -> str:
        rows = [f"Erasure plan for data subject #{self.subject_id}"]
        for hold in self.holds:
            rows.append(f"  REFUSED: legal hold #{hold.pk} in force ({hold.get_reason_display()}) - Art. 17(3)(e)")
        for line in self.lines:
            until = f" until {line.until.isoformat()}" if line.until else ""
            reason = f" - {line.reason}" if line.reason else ""
            rows.append(f"  {line.source}: {line.action_label} {line.rows} row(s){until}{reason}")
        return "\n".join(rows)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def _record_anchor(row: models.Model, date_fields: list[str], today: date) -> date:
    dates = [getattr(row, name) for name in date_fields]
    if not dates or any(value is None for value in dates):
        return today
    return max(value.date() if hasattr(value, "date") and callable(value.date) else value for value in dates)


def _kept_records(source: PersonalDataSource, subject_id: int, exception: KeepException, today: date):
    """Records of a model source still inside the exception's period, with their end dates."""
    kept: list[KeptRecord] = []
    for part in getattr(source, "parts", ()):
        opts = part.model._meta
        date_fields = [
            name for name in part.fields if isinstance(opts.get_field(name), models.DateField | models.DateTimeField)
        ]
        for row in part.model._default_manager.filter(**{part.subject_field: subject_id}).order_by("pk"):
            until = exception.keep_until(_record_anchor(row, date_fields, today))
            if until <= today:
                continue
            payload = {name: _plain(getattr(row, opts.get_field(name).attname)) for name in part.fields}
            kept.append(
                KeptRecord(
                    source=source.name,
                    record_type=opts.label_lower,
                    record_ref=row.pk,
                    ground=str(exception.ground),
                    reason=str(exception.reason),
                    keep_until=until,
                    payload=payload,
                )
            )
    return kept


def erasure_plan(*, subject_id: int, today: date | None = None) -> ErasurePlan:
    """What an erasure of this subject would do, source by source (shown to the DPO before approval)."""
    today = today or timezone.localdate()
    plan = ErasurePlan(subject_id=subject_id)
    plan.holds = list(LegalHold.objects.in_force().filter(subject_id=subject_id))
    for source in registry:
        rows = len(source.collect(subject_id).records)
        # Kept only when the exception covers every category the source holds: nothing else rides along.
        exception = next((e for e in KEEP_EXCEPTIONS if set(source.categories) <= e.categories), None)
        kept = _kept_records(source, subject_id, exception, today) if exception and rows else []
        if kept:
            plan.kept_records += kept
            plan.lines.append(
                PlanLine(
                    source=source.name,
                    label=str(source.label),
                    categories=tuple(source.categories),
                    action=PlanAction.KEEP,
                    rows=len(kept),
                    reason=str(exception.reason),
                    ground=str(exception.ground),
                    until=max(record.keep_until for record in kept),
                )
            )
        note = getattr(source, "kept_on_erasure", "")
        if rows > len(kept):
            plan.lines.append(
                PlanLine(
                    source=source.name,
                    label=str(source.label),
                    categories=tuple(source.categories),
                    action=PlanAction.ANONYMISE if note else PlanAction.DELETE,
                    rows=rows - len(kept) if not note else rows,
                    reason=str(note),
                )
            )
    return plan
