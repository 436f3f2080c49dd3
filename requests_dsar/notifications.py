"""Scheduled e-mails: the DPO's daily reminder (R1.2.3; ids, due dates and states only, no personal
data) and reminders to requesters who have not answered (R1.4.3)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from ijinus_privacy import actors
from ijinus_privacy.outbox import outbox_enqueue

from .models import ClockPause, Letter, Request

if TYPE_CHECKING:
    from .erasure.services import Reappearance

DUE_SOON_DAYS = 7


def _notices_lines(today: date) -> list[str]:
    """Refusal notices not gone out (R1.2.4) and Art. 19 notifications overdue (R1.12.4): ids and dates."""
    from .notices import notifications_overdue_qs, refusal_notices_pending

    lines = []
    refusals = list(refusal_notices_pending().order_by("due_on", "id").values_list("pk", "due_on"))
    if refusals:
        lines += ["", "Refusal notices not sent yet (Art. 12(4)):"]
        for pk, due_on in refusals:
            flag = "OVERDUE" if due_on < today else f"{(due_on - today).days} day(s) left"
            lines.append(f"#{pk}  due {due_on.isoformat()}  {flag}")
    overdue = list(
        notifications_overdue_qs(today)
        .order_by("request__due_on", "id")
        .values_list("pk", "request_id", "request__due_on")
    )
    if overdue:
        lines += ["", "Recipient notifications overdue (Art. 19):"]
        lines += [
            f"notification #{pk}  request #{request_id}  due {due_on.isoformat()}" for pk, request_id, due_on in overdue
        ]
    return lines


def due_soon_reminder_send(*, today: date | None = None) -> int:
    """E-mail the DPO the open requests due within 7 days (overdue included), with the refusal notices
    not gone out and the Art. 19 notifications overdue; return how many requests are due."""
    today = today or timezone.localdate()
    due = list(
        Request.objects.due_within(DUE_SOON_DAYS, today=today).by_due_date().values_list("pk", "due_on", "state")
    )
    notices = _notices_lines(today)
    if not due and not notices:
        return 0
    # A paused clock (R1.4.1) moves the due date when it resumes: such a request is not overdue.
    paused_since = dict(
        ClockPause.objects.filter(request_id__in=[pk for pk, _due, _state in due], ended_on__isnull=True).values_list(
            "request_id", "started_on"
        )
    )
    lines = [f"Requests due by {today.isoformat()} + {DUE_SOON_DAYS} days:", ""]
    for pk, due_on, state in due:
        days_left = (due_on - today).days
        if pk in paused_since:
            flag = f"PAUSED since {paused_since[pk].isoformat()} (due date moves when it resumes)"
        else:
            flag = "OVERDUE" if days_left < 0 else f"{days_left} day(s) left"
        lines.append(f"#{pk}  due {due_on.isoformat()}  {state}  {flag}")
    lines += notices
    outbox_enqueue(
        purpose="requests_dsar.dpo_reminder",
        to=[settings.DPO_EMAIL],
        subject=f"[IJINUS Privacy] {len(due)} request(s) due within {DUE_SOON_DAYS} days"
        + (", notices due" if notices else ""),
        body="\n".join(lines),
    )
    return len(due)


def reapply_alert_send(*, found: Sequence[Reappearance]) -> None:
    """Tell the DPO that erased people came back and what was done (R1.10.7): ids and counts only."""
    held = [match for match in found if match.held]
    lines = [
        f"{len(found)} erased person(s) reappeared (backup restore, re-import); "
        f"{len(found) - len(held)} erased again, {len(held)} under a legal hold left for you to decide.",
        "",
    ]
    for match in found:
        state = "HELD: legal hold in force, decide" if match.held else "erased again"
        lines.append(f"subject #{match.subject_id}  tombstone #{match.tombstone_id}  {state}")
    outbox_enqueue(
        purpose="requests_dsar.reapply_alert",
        to=[settings.DPO_EMAIL],
        subject=f"[IJINUS Privacy] {len(found)} erased person(s) reappeared",
        body="\n".join(lines),
    )


REMINDER_LETTER = {
    ClockPause.Reason.IDENTITY: Letter.Kind.IDENTITY_REQUEST,
    ClockPause.Reason.CLARIFICATION: Letter.Kind.CLARIFICATION_REQUEST,
}


def pause_reminders_send(*, today: date | None = None) -> int:
    """Remind requesters who have not answered for ``DSAR_PAUSE_REMINDER_DAYS`` (R1.4.3).

    One reminder per period: a request is skipped when its last letter of that kind is recent.
    The DPO decides any closure (``request_close_unverified``); nothing closes on its own.
    """
    from .letters import letter_send

    today = today or timezone.localdate()
    every = settings.DSAR_PAUSE_REMINDER_DAYS
    cutoff = today - timedelta(days=every)
    sent = 0
    pauses = ClockPause.objects.filter(ended_on__isnull=True, started_on__lte=cutoff).select_related("request")
    for pause in pauses:
        kind = REMINDER_LETTER[pause.reason]
        last = pause.request.letters.filter(kind=kind).order_by("-id").values_list("created_at", flat=True).first()
        if last is not None and timezone.localdate(last) > cutoff:
            continue
        letter_send(request=pause.request, kind=kind, actor=actors.system("reminders"))
        sent += 1
    return sent
