"""What is owed to the requester and to recipients within the Art. 12(3) period. Read-only.

R1.2.4: the one-month limit of Art. 12(3) applies to the answer, to a notice of extension and to a
notice of refusal. A refusal *is* the answer (Art. 12(4)): it is due on the request's due date
(one month, or the extended period once an extension was notified in time). The extension notice
is due before the one-month due date (Art. 12(3); the service refuses an extension recorded later,
but its e-mail may still leave late). A refusal notice has "gone out" once its e-mail left, or once
it was kept for postal dispatch (no e-mail address: staff post the PDF).

R1.12.4: a recipient notification (Art. 19) is due within the request's response period, the
request's due date (Art. 19 sets no deadline of its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone

from ijinus_privacy.models import OutboxMessage

from .letters import LETTER_PURPOSE
from .models import Letter, RecipientNotification, Request, State

REFUSED_STATES = (State.REFUSED, State.PARTLY_REFUSED)


def _refusal_gone_out() -> Exists:
    """A refusal letter of the request that was e-mailed, or kept for posting (never queued for e-mail)."""
    queued = OutboxMessage.objects.filter(purpose=LETTER_PURPOSE, object_id=Cast(OuterRef("pk"), CharField()))
    letters = Letter.objects.filter(request=OuterRef("pk"), kind=Letter.Kind.REFUSAL).filter(
        Q(sent_at__isnull=False) | ~Exists(queued)
    )
    return Exists(letters)


def refusal_notices_pending():
    """Refused requests (fully or partly) whose refusal notice has not gone out (R1.2.4)."""
    return Request.objects.filter(state__in=REFUSED_STATES).exclude(_refusal_gone_out())


@dataclass(frozen=True)
class DueRow:
    pk: int  # the request
    due_on: date | None
    overdue: bool
    label: str  # what is due: the recipient's name for a notification


def refusal_notices_due(*, today: date | None = None, limit: int = 10) -> tuple[list[DueRow], bool]:
    """Refusal notices not gone out, oldest due first: the first ``limit``, and whether there are more.
    One query whatever their number (``limit + 1`` rows read, no count)."""
    today = today or timezone.localdate()
    found = list(refusal_notices_pending().order_by("due_on", "id").values_list("pk", "due_on")[: limit + 1])
    rows = [DueRow(pk=pk, due_on=due_on, overdue=due_on < today, label="") for pk, due_on in found[:limit]]
    return rows, len(found) > limit


def notifications_overdue_qs(today: date):
    """Art. 19 notifications still to send after their request's due date (R1.12.4)."""
    return RecipientNotification.objects.open().filter(request__due_on__lt=today)


def notifications_overdue(*, today: date | None = None, limit: int = 10) -> tuple[list[DueRow], bool]:
    """Art. 19 notifications overdue, oldest due first: the first ``limit``, and whether there are more (one query)."""
    today = today or timezone.localdate()
    found = list(
        notifications_overdue_qs(today)
        .order_by("request__due_on", "id")
        .values_list("request_id", "request__due_on", "recipient__name")[: limit + 1]
    )
    rows = [DueRow(pk=pk, due_on=due_on, overdue=True, label=name) for pk, due_on, name in found[:limit]]
    return rows, len(found) > limit


def letter_due_on(letter: Letter, request: Request) -> date | None:
    """The latest day this letter could leave on time (R1.2.4); ``None`` for letters with no such limit."""
    if letter.kind == Letter.Kind.EXTENSION_NOTICE:
        return request.first_due_on
    if letter.kind == Letter.Kind.REFUSAL:
        return request.due_on
    return None


def sent_late(letter: Letter, request: Request) -> date | None:
    """The due date this letter missed, when it left after it; ``None`` when on time or not sent."""
    due = letter_due_on(letter, request)
    if due is None or letter.sent_at is None:
        return None
    return due if timezone.localdate(letter.sent_at) > due else None


@dataclass(frozen=True)
class LateNotice:
    kind_label: str
    sent_on: date
    due_on: date


def late_notices(request: Request) -> list[LateNotice]:
    """Refusal and extension notices of the request that left after their due date (one query)."""
    late = []
    letters = request.letters.filter(
        kind__in=[Letter.Kind.REFUSAL, Letter.Kind.EXTENSION_NOTICE], sent_at__isnull=False
    ).order_by("id")
    for letter in letters:
        due = sent_late(letter, request)
        if due is not None:
            late.append(
                LateNotice(
                    kind_label=str(letter.get_kind_display()), sent_on=timezone.localdate(letter.sent_at), due_on=due
                )
            )
    return late
