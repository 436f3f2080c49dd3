"""The request file's timeline and due dates: every service of the package writes through these."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import TYPE_CHECKING

from ijinus_privacy import actors

from .. import deadlines
from ..models import (
    Extension,
    Request,
    RequestEvent,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


def record_event(
    *,
    request: Request,
    kind: str,
    actor: User | None,
    reason: str = "",
    from_state: str = "",
    to_state: str = "",
) -> RequestEvent:
    event = RequestEvent(
        request=request,
        kind=kind,
        actor=actors.staff_or_none(actor),
        actor_username=actors.username(actor),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )
    event.full_clean()
    event.save()
    return event


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- due dates --------------------------------------------------------------------------------


def refresh_due_dates(request: Request) -> None:
    """Recompute the stored due dates from receipt, closed pauses and the extension."""
    paused = sum(pause.days for pause in request.pauses.filter(ended_on__isnull=False)) if request.pk else 0
    request.paused_days = paused
    request.first_due_on = deadlines.due_date(request.received_on, paused_days=paused)
    request.ceiling_due_on = deadlines.extended_due_date(request.received_on, paused_days=paused)
    has_extension = Extension.objects.filter(request_id=request.pk).exists() if request.pk else False
    request.due_on = request.ceiling_due_on if has_extension else request.first_due_on


def first_due_on_so_far(request: Request, *, today: date) -> date:
    """The one-month due date counting an open pause up to ``today`` (the stored one ignores it)."""
    open_pause = request.pauses.filter(ended_on__isnull=True).first()
    if open_pause is None:
        return request.first_due_on
    paused = request.paused_days + max((today - open_pause.started_on).days, 0)
    return deadlines.due_date(request.received_on, paused_days=paused)
