"""Reads for the DPO dashboard (admin index) and the daily reminder (R1.2.3, R1.16.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from ijinus_privacy.dates import add_months

from .models import ANSWERED_STATES, OPEN_STATES, ClockPause, ExportJob, Request, RequestEvent, State

DUE_SOON_DAYS = 7


KPI_MONTHS = 12


@dataclass(frozen=True)
class Kpis:
    """Shares of the requests answered over the last ``months`` (R1.16.3); ``None`` when none was."""

    answered: int
    within_one_month: float | None
    within_three_months: float | None
    extended: float | None
    refused: float | None
    since: date | None = None
    months: int = KPI_MONTHS


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _kpis_from(row: dict[str, int], *, since: date | None = None) -> Kpis:
    answered = row["answered"]
    return Kpis(
        since=since,
        answered=answered,
        within_one_month=_share(row["within_one_month"], answered),
        within_three_months=_share(row["within_three_months"], answered),
        extended=_share(row["extended"], answered),
        refused=_share(row["refused"], answered),
    )


def _kpi_counts() -> dict[str, Count]:
    answered = Q(state__in=ANSWERED_STATES)
    return {
        "answered": Count("pk", filter=answered),
        "within_one_month": Count("pk", filter=answered & Q(closed_on__lte=F("first_due_on"))),
        "within_three_months": Count("pk", filter=answered & Q(closed_on__lte=F("ceiling_due_on"))),
        # The extension is one-to-one: a LEFT JOIN, hashed once, not a subquery per request (issue 13).
        "extended": Count("pk", filter=answered & Q(extension__isnull=False)),
        "refused": Count("pk", filter=Q(state__in=[State.REFUSED, State.PARTLY_REFUSED])),
    }


def kpis(*, today: date | None = None, months: int = KPI_MONTHS) -> Kpis:
    """The shares over the requests answered in the last ``months`` (a rolling year, as the EDPB's
    coordinated actions report them): one aggregate query over the ``closed_on`` index, so its cost
    follows a year's requests, never the whole history (issue 13)."""
    since = add_months(today or timezone.localdate(), -months)
    answered = Request.objects.answered().filter(closed_on__gte=since)
    return _kpis_from(answered.aggregate(**_kpi_counts()), since=since)


@dataclass(frozen=True)
class OpenRequestRow:
    pk: int
    state: str
    state_label: str
    received_on: date
    due_on: date
    days_left: int
    age_days: int
    overdue: bool
    paused: bool
    pause_reason: str
    rights: str
    idle_days: int
    idle: bool

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)


def open_requests(*, today: date | None = None, limit: int = 200, only_pk: int | None = None) -> list[OpenRequestRow]:
    """Open requests by due date, with days left, the reason of a running pause, and a flag when
    nothing happened for ``DSAR_IDLE_DAYS`` (R1.2.3). Two queries. ``only_pk``: one request's row
    (the summary at the top of its page)."""
    today = today or timezone.localdate()
    idle_after = settings.DSAR_IDLE_DAYS
    open_pause = ClockPause.objects.filter(request=OuterRef("pk"), ended_on__isnull=True).values("reason")[:1]
    last_event = RequestEvent.objects.filter(request=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
    base = Request.objects.open() if only_pk is None else Request.objects.open().filter(pk=only_pk)
    requests = list(
        base.annotate(pause_reason=Subquery(open_pause), last_event_at=Subquery(last_event))
        .by_due_date()
        .prefetch_related("items")[:limit]
    )
    pause_labels = dict(ClockPause.Reason.choices)
    rows = []
    for request in requests:
        last_action = timezone.localdate(request.last_event_at) if request.last_event_at else request.received_on
        idle_days = (today - last_action).days
        rows.append(
            OpenRequestRow(
                pk=request.pk,
                state=request.state,
                state_label=request.get_state_display(),
                received_on=request.received_on,
                due_on=request.due_on,
                days_left=(request.due_on - today).days,
                age_days=(today - request.received_on).days,
                overdue=request.due_on < today and not request.pause_reason,
                paused=bool(request.pause_reason),
                pause_reason=str(pause_labels.get(request.pause_reason, "")) if request.pause_reason else "",
                rights=", ".join(str(item.get_right_display()) for item in request.items.all()),
                idle_days=idle_days,
                idle=idle_days >= idle_after,
            )
        )
    return rows


@dataclass(frozen=True)
class OpenCounts:
    """The headline numbers: open, overdue, due within ``DUE_SOON_DAYS`` (not overdue), paused."""

    open: int
    overdue: int
    due_soon: int
    paused: int


def _open_counts(today: date) -> dict[str, Count]:
    running = Q(state__in=OPEN_STATES, is_paused=False)
    return {
        "open": Count("pk", filter=Q(state__in=OPEN_STATES)),
        "overdue": Count("pk", filter=running & Q(due_on__lt=today)),
        "due_soon": Count(
            "pk", filter=running & Q(due_on__gte=today, due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
        ),
        "paused": Count("pk", filter=Q(state__in=OPEN_STATES, is_paused=True)),
    }


def _with_pause(queryset):
    return queryset.annotate(is_paused=Exists(ClockPause.objects.filter(request=OuterRef("pk"), ended_on__isnull=True)))


def open_counts(*, today: date | None = None) -> OpenCounts:
    """One aggregate query over open requests only (the ``state, due_on`` index): its cost follows
    the open requests, not the history of answered ones."""
    today = today or timezone.localdate()
    return OpenCounts(**_with_pause(Request.objects.open()).aggregate(**_open_counts(today)))


def headline(*, today: date | None = None) -> tuple[OpenCounts, Kpis]:
    """The open counts and the R1.16.3 shares, for the dashboard cards: two queries, whatever the history.

    Apart on purpose: in one query the clock-pause check ran once per answered request too (issue 13:
    305 ms at 50,000 requests, against 20 ms for the two).
    """
    return open_counts(today=today), kpis(today=today)


def changelist_queries(*, today: date) -> dict[str, str]:
    """Request changelist filters matching the headline numbers, for their links."""
    running = "state__in=" + ",".join(sorted(OPEN_STATES - {State.AWAITING_INFO}))
    soon = (today + timedelta(days=DUE_SOON_DAYS)).isoformat()
    return {
        "open": "state__in=" + ",".join(sorted(OPEN_STATES)),
        "overdue": f"{running}&due_on__lt={today.isoformat()}",
        "due_soon": f"{running}&due_on__gte={today.isoformat()}&due_on__lte={soon}",
        "paused": f"state__exact={State.AWAITING_INFO}",
        "answered": "state__in=" + ",".join(sorted(ANSWERED_STATES)),
    }


@dataclass(frozen=True)
class ExportAwaiting:
    pk: int
    request_id: int | None
    kind_label: str
    finished_at: datetime | None


def exports_awaiting_approval(*, limit: int = 10) -> tuple[int, list[ExportAwaiting]]:
    """Built exports the DPO has not approved yet (R1.7.4): the count and the oldest ``limit``. Two queries."""
    waiting = ExportJob.objects.live().filter(status=ExportJob.Status.DONE, approved_at__isnull=True)
    rows = [
        ExportAwaiting(
            pk=job.pk, request_id=job.request_id, kind_label=str(job.get_kind_display()), finished_at=job.finished_at
        )
        for job in waiting.order_by("finished_at", "id").only("pk", "request_id", "kind", "finished_at")[:limit]
    ]
    count = len(rows) if len(rows) < limit else waiting.count()
    return count, rows


@dataclass(frozen=True)
class ExportAttention:
    pk: int
    request_id: int | None
    kind_label: str
    progress_label: str
    failed_or_stuck: bool


def exports_needing_attention(*, limit: int = 10) -> tuple[int, list[ExportAttention]]:
    """Exports not built yet or stopped: pending (maybe waiting for the queue), stuck, failed. Two queries."""
    jobs = ExportJob.objects.needing_attention()
    rows = [
        ExportAttention(
            pk=job.pk,
            request_id=job.request_id,
            kind_label=str(job.get_kind_display()),
            progress_label=str(job.progress_label),
            failed_or_stuck=job.can_restart,
        )
        for job in jobs.order_by("created_at", "id")[:limit]
    ]
    count = len(rows) if len(rows) < limit else jobs.count()
    return count, rows


EXPORTS_AWAITING_QUERY = "status__exact=done&approved_at__isnull=True&purged_at__isnull=True"


@dataclass(frozen=True)
class TriageRow:
    pk: int
    received_on: date
    age_days: int
    channel_label: str
    state_label: str
    rights: str
    owner: str  # the owner's username, "" when nobody owns it


def to_triage(*, today: date | None = None, limit: int = 10) -> tuple[int, list[TriageRow]]:
    """The triage inbox: open requests just received or owned by nobody, newest first, with their owner.

    Read from the ``dsar_request_triage`` partial index (only these rows, newest first): the page, its
    rights and the count; three queries whatever the history (the count always runs, so the page's
    cost does not change when the inbox grows past ``limit``).
    """
    today = today or timezone.localdate()
    requests = list(
        Request.objects.to_triage()
        .select_related("owner")
        .prefetch_related("items")
        .order_by("-received_on", "-id")[:limit]
    )
    rows = [
        TriageRow(
            pk=request.pk,
            received_on=request.received_on,
            age_days=(today - request.received_on).days,
            channel_label=str(request.get_channel_display()),
            state_label=str(request.get_state_display()),
            rights=", ".join(str(item.get_right_display()) for item in request.items.all()),
            owner=request.owner.get_username() if request.owner_id else "",
        )
        for request in requests
    ]
    return Request.objects.to_triage().count(), rows
