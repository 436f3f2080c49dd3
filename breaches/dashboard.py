"""The DPO's dashboard widget: open breaches with the hours left before the CNIL notification is due,
red when overdue (Art. 33(1)). Composed by ``backoffice.dashboard``; bounded by the open breaches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from . import deadlines, obligations
from .models import Breach, NotificationPhase, RiskAssessment

OPEN_BREACH_ROWS = 20


@dataclass(frozen=True)
class OpenBreachRow:
    pk: int
    reference: str
    status_label: str
    aware_at: datetime
    due_at: datetime
    hours_left: int
    notified: bool
    due_label: str
    overdue: bool

    @property
    def hours_overdue(self) -> int:
        return max(-self.hours_left, 0)


def annotated(queryset):
    latest = RiskAssessment.objects.filter(breach=OuterRef("pk")).order_by("-assessed_at", "-id")
    return queryset.annotate(
        is_notified=Exists(NotificationPhase.objects.filter(breach=OuterRef("pk"))),
        latest_outcome=Subquery(latest.values("outcome")[:1]),
    )


def due_of(breach: Breach) -> obligations.Due:
    """What is due, from the annotated latest outcome (no query per row)."""
    outcome = getattr(breach, "latest_outcome", None)
    return obligations.BY_OUTCOME.get(outcome, obligations.Due.TO_ASSESS) if outcome else obligations.Due.TO_ASSESS


def row_of(breach: Breach, now: datetime) -> OpenBreachRow:
    due = due_of(breach)
    left = deadlines.hours_left(breach, now)
    notified = bool(breach.is_notified)
    return OpenBreachRow(
        pk=breach.pk,
        reference=breach.reference,
        status_label=str(breach.get_status_display()),
        aware_at=deadlines.in_paris(breach.aware_at),
        due_at=deadlines.notification_due(breach.aware_at),
        hours_left=int(left // 1) if left >= 0 else -int(-left // 1),
        notified=notified,
        due_label=str(due.label),
        overdue=not notified and due != obligations.Due.REGISTER_ONLY and left < 0,
    )


def open_breaches(*, now: datetime | None = None, limit: int = OPEN_BREACH_ROWS) -> tuple[int, list[OpenBreachRow]]:
    """(how many are open, the ``limit`` first by awareness, oldest first): one query unless more are open."""
    now = now or timezone.now()
    queryset = Breach.objects.open()
    breaches = list(annotated(queryset).order_by("aware_at", "pk")[: limit + 1])
    count = len(breaches) if len(breaches) <= limit else queryset.count()
    return count, [row_of(breach, now) for breach in breaches[:limit]]
