"""The DPO's dashboard on the admin index: each widget read in one or two queries, shown only to
the users whose permissions cover it (R1.16.3, R3.1, R4.5.2, R4.7.1, R4.6, R5.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breaches import dashboard as breaches_dashboard
from consents.models import ProcessingActivity
from consents.services.information import information_dashboard_counts
from ijinus_privacy.models import AuditEvent, OutboxMessage
from requests_dsar import dashboard as requests_dashboard
from requests_dsar import notices
from requests_dsar.models import ErasureTombstone
from retention.models import LegalHold, RetentionRule, SweepRun
from subjects.models import SensitiveDataFlag

OPEN_REQUEST_ROWS = 15
TRIAGE_ROWS = 10

# What a sweep run counted, by the keys the sweepers use (R4.7.1): a committed run says what it did,
# a dry run what it would do (it changed nothing).
SWEEP_COUNT_LABELS = {
    "subjects_deleted": (_("people deleted"), _("people would be deleted")),
    "subjects_anonymised": (_("people anonymised"), _("people would be anonymised")),
    "subjects_archived": (
        _("people moved to the intermediate archive"),
        _("people would move to the intermediate archive"),
    ),
    "roles_ended": (_("relationships ended"), _("relationships would end")),
    "records_deleted": (_("records deleted"), _("records would be deleted")),
    "interests_deleted": (_("assumed interests deleted"), _("assumed interests would be deleted")),
    "interests_due_for_review": (_("assumed interests due for review"), _("assumed interests due for review")),
    "subjects_interest_review": (_("people with interests to review"), _("people with interests to review")),
    "marketing_bases_deleted": (_("marketing bases deleted"), _("marketing bases would be deleted")),
    "export_files_deleted": (_("export files deleted"), _("export files would be deleted")),
}


def sweep_count_label(key: str, *, committed: bool) -> str:
    """The words for one count of a sweep run: "deleted" for a committed run, "would be deleted" for a dry run."""
    labels = SWEEP_COUNT_LABELS.get(key)
    if labels is None:
        return key.replace("_", " ")
    return str(labels[0] if committed else labels[1])


@dataclass(frozen=True)
class LastSweep:
    pk: int
    started_at: datetime
    as_of: date
    committed: bool
    status: str
    status_label: str
    rules: int
    totals: list[tuple[str, int]]
    skipped: int
    errors: int


@dataclass(frozen=True)
class Retention:
    last_sweep: LastSweep | None
    rules_awaiting: list[str] | None
    holds_review_due: int | None
    today: date


@dataclass(frozen=True)
class Register:
    activities: int
    incomplete: list[tuple[int, str, int]]  # (pk, code, number of missing fields)
    activities_with_questions: int
    open_questions: int
    awaiting_validation: int  # active entries the DPO has not validated (Art. 39(1)(b))
    transfer_gaps: list[tuple[int, str]]  # (pk, code) of entries with an undocumented transfer (Art. 44-46)


NOTICE_ROWS = 10


@dataclass(frozen=True)
class NoticesDue:
    """What the one-month period of Art. 12(3) also covers: refusal notices not gone out (R1.2.4) and
    Art. 19 notifications still to send after their request's due date (R1.12.4)."""

    refusals: list[notices.DueRow]
    more_refusals: bool
    notifications: list[notices.DueRow]
    more_notifications: bool


def notices_widget(today: date) -> NoticesDue:
    """Two queries, whatever the number of notices due: each list reads ``NOTICE_ROWS + 1`` rows, no count."""
    refusals, more_refusals = notices.refusal_notices_due(today=today, limit=NOTICE_ROWS)
    notifications, more_notifications = notices.notifications_overdue(today=today, limit=NOTICE_ROWS)
    return NoticesDue(refusals, more_refusals, notifications, more_notifications)


def requests_widgets(today: date) -> dict[str, Any]:

    counts, kpis = requests_dashboard.headline(today=today)
    triage_count, triage = requests_dashboard.to_triage(today=today, limit=TRIAGE_ROWS)
    return {
        "dsar_counts": counts,
        "dsar_kpis": kpis,
        "dsar_open": requests_dashboard.open_requests(today=today, limit=OPEN_REQUEST_ROWS),
        "dsar_triage": triage,
        "dsar_triage_count": triage_count,
        "dsar_queries": requests_dashboard.changelist_queries(today=today),
        "dsar_notices": notices_widget(today),
    }


def breaches_widget(*, now: datetime | None = None) -> dict[str, Any]:
    """Open breaches with the hours left before the CNIL notification is due, red when overdue (Art. 33(1))."""
    count, rows = breaches_dashboard.open_breaches(now=now)
    return {"breaches_open_count": count, "breaches_open": rows}


def exports_widget() -> dict[str, Any]:

    count, rows = requests_dashboard.exports_awaiting_approval()
    attention_count, attention_rows = requests_dashboard.exports_needing_attention()
    return {
        "exports_count": count,
        "exports_rows": rows,
        "exports_query": requests_dashboard.EXPORTS_AWAITING_QUERY,
        "exports_attention_count": attention_count,
        "exports_attention_rows": attention_rows,
    }


def last_sweep() -> LastSweep | None:

    run = SweepRun.objects.order_by("-id").first()
    if run is None:
        return None
    totals: dict[str, int] = {}
    for per_rule in run.counts.values():
        for action, value in per_rule.items():
            totals[action] = totals.get(action, 0) + value
    return LastSweep(
        pk=run.pk,
        started_at=run.started_at,
        as_of=run.as_of,
        committed=run.committed,
        status=run.status,
        status_label=str(run.get_status_display()),
        rules=len(run.counts),
        totals=[
            (sweep_count_label(key, committed=run.committed), value) for key, value in sorted(totals.items()) if value
        ],
        skipped=len(run.skipped),
        errors=len(run.errors),
    )


def retention_widget(user: AbstractBaseUser, today: date) -> Retention | None:

    can_runs = user.has_perm("retention.view_sweeprun")
    can_rules = user.has_perm("retention.view_retentionrule")
    can_holds = user.has_perm("retention.view_legalhold")
    if not (can_runs or can_rules or can_holds):
        return None
    rules = None
    if can_rules:
        rules = list(
            RetentionRule.objects.enabled()
            .filter(requires_approval=True, approved_at__isnull=True)
            .order_by("code")
            .values_list("code", flat=True)
        )
    return Retention(
        last_sweep=last_sweep() if can_runs else None,
        rules_awaiting=rules,
        holds_review_due=LegalHold.objects.review_due(today).count() if can_holds else None,
        today=today,
    )


def register_widget() -> Register:
    """The register holds tens of entries: completeness is checked in Python on one prefetched read."""

    activities = list(ProcessingActivity.objects.exclude(status=ProcessingActivity.Status.RETIRED).with_register())
    incomplete = []
    transfer_gaps = []
    questions = 0
    with_questions = 0
    for activity in activities:
        missing = activity.missing_fields()
        if missing:
            incomplete.append((activity.pk, activity.code, len(missing)))
        if activity.transfer_gaps():
            transfer_gaps.append((activity.pk, activity.code))
        lines = [line for line in activity.open_questions.splitlines() if line.strip()]
        questions += len(lines)
        with_questions += bool(lines)
    return Register(
        activities=len(activities),
        incomplete=incomplete,
        activities_with_questions=with_questions,
        open_questions=questions,
        awaiting_validation=sum(a.status != ProcessingActivity.Status.VALIDATED for a in activities),
        transfer_gaps=transfer_gaps,
    )


@dataclass(frozen=True)
class Information:
    """The information duties still owed (Art. 13, 14; EDPB 05/2020 on consent; C. consom. L.223-1)."""

    art14_overdue: int
    reconsent_open: int
    campaigns_running: int
    bloctel_list_date: date | None
    bloctel_stale: bool
    today: date


def information_widget(today: date) -> Information:
    counts = information_dashboard_counts(today=today)
    return Information(
        art14_overdue=counts["art14_overdue"],
        reconsent_open=counts["reconsent_open"],
        campaigns_running=counts["policy_campaigns_running"],
        bloctel_list_date=counts["bloctel_list_date"],
        bloctel_stale=counts["bloctel_stale"],
        today=today,
    )


def audit_events_today(today: date) -> int:

    start = timezone.make_aware(datetime.combine(today, time.min))
    return AuditEvent.objects.filter(occurred_at__gte=start).count()


# Erased people found again and re-erased by the daily ``reapply_erasures`` run stay on the dashboard this long.
REAPPEARED_DAYS = 30


@dataclass(frozen=True)
class Reappeared:
    erased_again: int  # tombstones re-applied within REAPPEARED_DAYS
    held: int  # people back under a legal hold, waiting for the DPO
    since: date


def reappeared_widget(today: date) -> Reappeared:
    """Erased people who came back (R1.10.7): counts only, from the tombstones."""

    since = today - timedelta(days=REAPPEARED_DAYS)
    start = timezone.make_aware(datetime.combine(since, time.min))
    counts = ErasureTombstone.objects.aggregate(
        erased_again=Count("pk", filter=Q(last_reapplied_at__gte=start)),
        held=Count("pk", filter=Q(held_found_at__isnull=False)),
    )
    return Reappeared(erased_again=counts["erased_again"], held=counts["held"], since=since)


@dataclass(frozen=True)
class Outbox:
    failed: int
    waiting: int  # queued or sending for longer than OUTBOX_WAITING_MINUTES
    oldest_waiting: datetime | None
    waiting_since: datetime


OUTBOX_WAITING_MINUTES = 15


def outbox_widget(*, now: datetime | None = None) -> Outbox:
    """E-mails that did not leave: failed for good, or still waiting after a quarter of an hour."""

    now = now or timezone.now()
    since = now - timedelta(minutes=OUTBOX_WAITING_MINUTES)
    waiting = Q(state__in=[OutboxMessage.State.QUEUED, OutboxMessage.State.SENDING], created_at__lt=since)
    row = OutboxMessage.objects.filter(Q(state=OutboxMessage.State.FAILED) | waiting).aggregate(
        failed=Count("pk", filter=Q(state=OutboxMessage.State.FAILED)),
        waiting=Count("pk", filter=waiting),
        oldest=Min("created_at", filter=waiting),
    )
    return Outbox(failed=row["failed"], waiting=row["waiting"], oldest_waiting=row["oldest"], waiting_since=since)


RECENT_ACTIONS = 10


def recent_actions(user: AbstractBaseUser) -> list[LogEntry]:
    """The user's last admin actions, newest first, by id: the primary key's index walked backwards
    stops after ``RECENT_ACTIONS`` rows, where Django's ``get_admin_log`` sorts every action the
    user ever made by time (no index on it) to keep ten."""
    actions = LogEntry.objects.filter(user_id=user.pk).select_related("content_type").order_by("-id")
    return list(actions[:RECENT_ACTIONS])


def context_for(user: AbstractBaseUser, *, today: date | None = None) -> dict[str, Any]:
    """Every widget the user may see; a widget the user may not see is absent (``None``).

    Each read is bounded by an index or by the open work (open requests, exports waiting, open
    flags), so the page's queries and time do not grow with the history: 1M people, 3M consent
    events, 2M audit events and 50,000 requests render in a fixed number of queries (issue 13,
    ``make bench``). The R1.16.3 shares read the requests answered in the last 12 months (an index on
    ``closed_on``), so they follow a year's activity, not the history.
    """
    today = today or timezone.localdate()
    context: dict[str, Any] = {"dashboard_today": today, "recent_actions": recent_actions(user)}
    if user.has_perm("breaches.view_breach"):
        context.update(breaches_widget())
    if user.has_perm("requests_dsar.view_request"):
        context.update(requests_widgets(today))
        context["dsar_can_assign"] = user.has_perm("requests_dsar.change_request")
    if user.has_perm("requests_dsar.approve_export"):
        context.update(exports_widget())
    context["retention"] = retention_widget(user, today)
    if user.has_perm("consents.view_processingactivity"):
        context["register"] = register_widget()
    if user.has_perm("consents.view_indirectcollection") or user.has_perm("consents.view_reconsentflag"):
        context["information"] = information_widget(today)
    if user.has_perm("subjects.view_sensitivedataflag"):
        context["sensitive_open"] = SensitiveDataFlag.objects.open().count()
    if user.has_perm("requests_dsar.view_erasuretombstone"):
        context["reappeared"] = reappeared_widget(today)
    if user.has_perm("ijinus_privacy.view_auditevent"):
        context["audit_today"] = audit_events_today(today)
        context["audit_since"] = timezone.make_aware(datetime.combine(today, time.min))
    if user.has_perm("ijinus_privacy.view_outboxmessage"):
        context["outbox"] = outbox_widget()
    return context
