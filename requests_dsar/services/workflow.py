"""The workflow: states, pauses for information, extension, decisions, fees and closing (R1.2-R1.6)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit

from .. import connected, deadlines
from ..models import (
    DPO_ONLY_STATES,
    GROUNDS_BY_RIGHT,
    TRANSITIONS,
    ClockPause,
    Decision,
    Extension,
    Letter,
    Request,
    RequestEvent,
    RequestItem,
    Right,
    State,
)
from .timeline import first_due_on_so_far, record_event, refresh_due_dates

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

IDENTITY_REQUEST_MAX_WORKING_DAYS = 3  # R1.4.2, "suggested ≤ 3 working days"


# --- workflow ---------------------------------------------------------------------------------


@transaction.atomic
def request_transition(*, request: Request, to_state: str, reason: str = "", actor: User | None) -> Request:
    """Move the request along the workflow; anything not in ``TRANSITIONS`` is refused."""
    request = Request.objects.select_for_update().get(pk=request.pk)
    from_state = request.state
    if to_state not in TRANSITIONS.get(from_state, ()):
        raise ValidationError(
            _("A request cannot go from “%(from)s” to “%(to)s”.")
            % {"from": State(from_state).label, "to": State(to_state).label if to_state in State else to_state}
        )
    if to_state in DPO_ONLY_STATES:
        actors.require(actor, "requests_dsar.decide_request")
    if to_state in DPO_ONLY_STATES and not reason.strip():
        raise ValidationError(_("Give the reason for this step."))
    request.state = to_state
    fields = ["state"]
    if to_state not in TRANSITIONS or not TRANSITIONS[to_state]:
        request.closed_on = timezone.localdate()
        fields.append("closed_on")
        open_pause = request.pauses.filter(ended_on__isnull=True).first()
        if open_pause is not None:
            open_pause.ended_on = max(request.closed_on, open_pause.started_on)
            open_pause.save(update_fields=["ended_on"])
    request.save(update_fields=fields)
    record_event(
        request=request,
        kind=RequestEvent.Kind.TRANSITION,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=request, fields=fields, reason=f"{from_state}>{to_state}")
    return request


@dataclass(frozen=True)
class PauseResult:
    pause: ClockPause
    late: bool


@transaction.atomic
def request_ask_information(
    *, request: Request, reason: str, actor: User | None, asked_on: date | None = None
) -> PauseResult:
    """Ask for identity information or a clarification: the clock pauses (R1.4.1).

    Returns ``late=True`` when asked more than 3 working days after receipt (R1.4.2): the
    request is flagged and the caller shows a warning.
    """
    asked_on = asked_on or timezone.localdate()
    if asked_on < request.received_on:
        raise ValidationError(_("Information cannot be asked before the request was received."))
    request_transition(request=request, to_state=State.AWAITING_INFO, reason=reason, actor=actor)
    request.refresh_from_db()
    pause = ClockPause(request=request, reason=reason, started_on=asked_on)
    pause.full_clean()
    pause.save()
    record_event(request=request, kind=RequestEvent.Kind.PAUSE, actor=actor, reason=pause.get_reason_display())
    late = asked_on > deadlines.add_working_days(request.received_on, IDENTITY_REQUEST_MAX_WORKING_DAYS)
    if late and not request.identity_request_late:
        request.identity_request_late = True
        request.save(update_fields=["identity_request_late"])
        record_event(
            request=request,
            kind=RequestEvent.Kind.WARNING,
            actor=actor,
            reason=_(
                "Information asked more than 3 working days after receipt: the pause may not hold "
                "(EDPB Guidelines 01/2022, §159)."
            ),
        )
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=request, fields=["clock_pause"], reason=pause.reason)
    return PauseResult(pause=pause, late=late)


@transaction.atomic
def request_information_received(*, request: Request, actor: User | None, received_on: date | None = None) -> Request:
    """The requester answered: the pause ends, due dates move by the paused days, work resumes."""
    received_on = received_on or timezone.localdate()
    pause = request.pauses.filter(ended_on__isnull=True).first()
    if pause is None:
        raise ValidationError(_("The clock is not paused."))
    if received_on < pause.started_on:
        raise ValidationError(_("The answer cannot arrive before the question was sent."))
    pause.ended_on = received_on
    pause.full_clean()
    pause.save(update_fields=["ended_on"])
    request_transition(request=request, to_state=State.IN_PROGRESS, reason=_("Information received"), actor=actor)
    request.refresh_from_db()
    refresh_due_dates(request)
    request.save(update_fields=["paused_days", "first_due_on", "ceiling_due_on", "due_on"])
    record_event(
        request=request,
        kind=RequestEvent.Kind.RESUME,
        actor=actor,
        reason=_("%(days)s day(s) paused; due on %(due)s") % {"days": pause.days, "due": request.due_on.isoformat()},
    )
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=request, fields=["clock_pause", "due_on"])
    return request


@transaction.atomic
def request_extend(
    *,
    request: Request,
    reason: str,
    explanation: str,
    actor: User | None,
    today: date | None = None,
    send_notice: bool = True,
) -> Extension:
    """Extend by two further months (Art. 12(3), R1.3.1): DPO only, before the first due date."""
    actors.require(actor, "requests_dsar.extend_request")
    today = today or timezone.localdate()
    request = Request.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise ValidationError(_("A closed request cannot be extended."))
    if Extension.objects.filter(request=request).exists():
        raise ValidationError(_("This request has already been extended; the law allows one extension."))
    first_due_on = first_due_on_so_far(request, today=today)
    if today > first_due_on:
        raise ValidationError(
            _("The one-month due date (%(due)s) has passed: an extension can no longer be recorded (Art. 12(3)).")
            % {"due": date_format(first_due_on, "SHORT_DATE_FORMAT")}
        )
    if not explanation.strip():
        raise ValidationError(_("Explain the reasons to the requester (Art. 12(3))."))
    extension = Extension(
        request=request,
        reason=reason,
        explanation=explanation.strip(),
        notice_sent_on=today,
        decided_by=actors.staff_or_none(actor),
    )
    extension.full_clean()
    extension.save()
    refresh_due_dates(request)
    request.save(update_fields=["paused_days", "first_due_on", "ceiling_due_on", "due_on"])
    record_event(
        request=request,
        kind=RequestEvent.Kind.EXTENSION,
        actor=actor,
        reason=f"{extension.get_reason_display()}: {request.due_on.isoformat()}",
    )
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=request, fields=["extension", "due_on"])
    if send_notice:
        from ..letters import letter_send

        letter_send(request=request, kind=Letter.Kind.EXTENSION_NOTICE, actor=actor)
    return extension


SUPERSEDED_BY_ERASURE = frozenset(
    {Right.RECTIFICATION, Right.RESTRICTION, Right.OBJECTION, Right.OBJECTION_MARKETING, Right.CONSENT_WITHDRAWAL}
)


def missing_fulfilment(*, request: Request, items: Iterable[RequestItem]) -> list[str]:
    """What is not yet recorded as done for the rights about to be granted (R1.6.3: proof of action).

    Granting a right that changes something (erase, rectify, restrict, stop, withdraw, send) needs
    its durable trace: an erasure record, decided rectifications, a restriction, an objection, a
    consent event, or exports sent. Returns one message per missing fulfilment, empty when none.
    """
    from consents.models import ConsentEvent
    from subjects.models import Objection, Rectification, Restriction

    from ..models import ErasureRecord, ExportJob

    def sent(*kinds: str) -> bool:
        return ExportJob.objects.filter(request=request, kind__in=kinds, sent_at__isnull=False).exists()

    def withdrawn() -> bool:
        if request.subject_id is None:
            return False
        events = ConsentEvent.objects.filter(subject_id=request.subject_id)
        if events.filter(action=ConsentEvent.Action.WITHDRAWN, staff_reference=f"request #{request.pk}").exists():
            return True
        # Nothing left to withdraw: every current choice of the person is already negative.
        current = list(events.current())
        return bool(current) and not any(event.is_positive for event in current)

    rectifications = Rectification.objects.filter(request=request)
    checks = {
        Right.ERASURE: (
            lambda: ErasureRecord.objects.filter(request=request).exists(),
            _("Erasure: no erasure has been executed for this request (approve the erasure plan, Art. 17(3))."),
        ),
        Right.RECTIFICATION: (
            lambda: rectifications.exists() and not rectifications.pending().exists(),
            _("Rectification: every change asked must be proposed and then applied or rejected (Art. 16)."),
        ),
        Right.RESTRICTION: (
            lambda: Restriction.objects.filter(request=request).exists(),
            _("Restriction: no restriction has been placed for this request (Art. 18)."),
        ),
        Right.OBJECTION: (
            lambda: Objection.objects.filter(
                request=request, kind=Objection.Kind.LEGITIMATE_INTEREST, status=Objection.Status.UPHELD
            ).exists(),
            _("Objection: no Art. 21(1) objection has been recorded and upheld for this request."),
        ),
        Right.OBJECTION_MARKETING: (
            lambda: Objection.objects.filter(request=request, kind=Objection.Kind.DIRECT_MARKETING).exists(),
            _("Objection to direct marketing: it has not been recorded for this request (Art. 21(2)-(3))."),
        ),
        Right.CONSENT_WITHDRAWAL: (
            withdrawn,
            _("Withdrawal of consent: no withdrawal has been recorded for this request (Art. 7(3))."),
        ),
        Right.ACCESS: (
            lambda: sent("access_pdf", "access_json"),
            _("Access: the access copy has not been approved and sent (Art. 15(3))."),
        ),
        Right.PORTABILITY: (
            lambda: sent("portability"),
            _("Portability: the portability export has not been approved and sent (Art. 20)."),
        ),
    }
    erased = ErasureRecord.objects.filter(request=request).exists()
    missing = []
    for item in items:
        check = checks.get(item.right)
        if item.right in SUPERSEDED_BY_ERASURE and erased:
            continue  # the data is gone: nothing left to rectify, restrict, process or market
        if check is not None and not check[0]():
            missing.append(str(check[1]))
    return missing


# The states a request goes through, from where it is, to reach the DPO's decision.
_TO_DECISION: dict[str, tuple[str, ...]] = {
    State.RECEIVED: (State.IN_PROGRESS, State.AWAITING_DECISION),
    State.IN_PROGRESS: (State.AWAITING_DECISION,),
}


@dataclass(frozen=True)
class ItemRefusal:
    item: RequestItem
    ground: str
    justification: str


@transaction.atomic
def request_decide(
    *,
    request: Request,
    refusals: Iterable[ItemRefusal] = (),
    justification: str,
    actor: User | None,
    send_refusal_letter: bool = True,
) -> Request:
    """The DPO's answer: grant everything, or refuse some or all rights on allowed grounds (R1.6.3-5).

    A request still received or in progress is moved to "awaiting DPO decision" first, each step
    recorded on the timeline and in the audit trail: the DPO decides without changing the state by
    hand. A request whose clock is paused waits for the requester: the refusal says what to do first.
    """
    actors.require(actor, "requests_dsar.decide_request")
    if not justification.strip():
        raise ValidationError(_("Write the reasons for the decision: the burden of proof is on IJINUS (Art. 12(5))."))
    request = Request.objects.select_for_update().get(pk=request.pk)
    if request.state == State.AWAITING_INFO:
        raise ValidationError(
            _(
                "The clock is paused while the requester is asked for identity or clarification: record the "
                "outcome of the identity check or the information received first (or close the request as "
                "unverified)."
            )
        )
    if not request.is_open:
        raise ValidationError(_("This request is already closed: add a note or send a letter instead."))
    refusals = list(refusals)
    items = list(request.items.all())
    refused_ids = set()
    for refusal in refusals:
        if refusal.item.request_id != request.pk:
            raise ValidationError(_("This right belongs to another request."))
        if not GROUNDS_BY_RIGHT.get(refusal.item.right):
            raise ValidationError(
                _("“%(right)s” cannot be refused: no refusal ground exists for it.")
                % {"right": refusal.item.get_right_display()}
            )
        refused_ids.add(refusal.item.pk)
    missing = missing_fulfilment(request=request, items=[item for item in items if item.pk not in refused_ids])
    granted = [item for item in items if item.pk not in refused_ids]
    pending = connected.completion_pending(request, {item.right for item in granted}) if granted else []
    if missing or pending:
        messages = [_("A right cannot be granted before it is carried out. Missing:"), *missing] if missing else []
        if pending:
            messages += [
                _("A right cannot be granted before every connected system confirmed it or the DPO waived it:"),
                *pending,
            ]
        raise ValidationError(messages)
    if refused_ids and len(refused_ids) == len(items):
        to_state = State.REFUSED
    elif refused_ids:
        to_state = State.PARTLY_REFUSED
    else:
        to_state = State.COMPLETED
    for step in _TO_DECISION.get(request.state, ()):
        request = request_transition(
            request=request, to_state=step, reason=_("Moved on for the DPO's decision"), actor=actor
        )
    request_transition(request=request, to_state=to_state, reason=justification, actor=actor)
    request.refresh_from_db()
    for item in items:
        refusal = next((r for r in refusals if r.item.pk == item.pk), None)
        decision = Decision(
            request=request,
            item=item,
            kind=Decision.Kind.REFUSED if refusal else Decision.Kind.GRANTED,
            ground=refusal.ground if refusal else "",
            justification=(refusal.justification if refusal else "") or justification,
            decided_by=actors.staff_or_none(actor),
            decided_by_username=actors.username(actor),
        )
        decision.full_clean()
        decision.save()
    record_event(request=request, kind=RequestEvent.Kind.DECISION, actor=actor, reason=justification)
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=request, fields=["decision"], reason=to_state)
    if refused_ids and send_refusal_letter:
        from ..letters import letter_send

        letter_send(request=request, kind=Letter.Kind.REFUSAL, actor=actor)
    return request


@transaction.atomic
def request_close_unverified(*, request: Request, reason: str, actor: User | None) -> Request:
    """DPO closure when the requester never proved their identity (R1.4.3)."""
    actors.require(actor, "requests_dsar.decide_request")
    request = request_transition(request=request, to_state=State.CLOSED_UNVERIFIED, reason=reason, actor=actor)
    decision = Decision(
        request=request,
        kind=Decision.Kind.CLOSED_UNVERIFIED,
        justification=reason,
        decided_by=actors.staff_or_none(actor),
        decided_by_username=actors.username(actor),
    )
    decision.full_clean()
    decision.save()
    return request


@transaction.atomic
def request_charge_fee(
    *, request: Request, amount: Decimal, further_copy: bool, justification: str, actor: User | None
) -> Decision:
    """A reasonable fee for further copies of the same data only (Art. 15(3), R1.6.2), DPO-approved."""
    actors.require(actor, "requests_dsar.charge_fee")
    if not further_copy:
        raise ValidationError(
            _("A fee may only be charged for further copies of the same data; the first copy is free (Art. 12(5)).")
        )
    if not request.items.filter(right=Right.ACCESS).exists():
        raise ValidationError(_("A fee applies only to copies under the right of access (Art. 15(3))."))
    if amount <= 0:
        raise ValidationError(_("The fee must be a positive amount based on administrative costs."))
    if not justification.strip():
        raise ValidationError(_("Justify the amount (administrative costs, Art. 12(5))."))
    request.fee_amount = amount
    request.save(update_fields=["fee_amount"])
    decision = Decision(
        request=request,
        kind=Decision.Kind.FEE,
        amount=amount,
        justification=justification,
        decided_by=actors.staff_or_none(actor),
        decided_by_username=actors.username(actor),
    )
    decision.full_clean()
    decision.save()
    record_event(request=request, kind=RequestEvent.Kind.FEE, actor=actor, reason=f"{amount} EUR")
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=request, fields=["fee_amount"])
    # R1.6.2: the requester hears the amount first and may withdraw.
    from ..letters import letter_send

    letter_send(request=request, kind=Letter.Kind.FEE_NOTICE, actor=actor)
    return decision


# --- owner ------------------------------------------------------------------------------------


@transaction.atomic
def request_assign(*, request: Request, owner: User, actor: User | None) -> Request:
    """Make ``owner`` (a staff member who may handle requests) the request's owner: the triage inbox's
    "assign to me". Recorded on the timeline and in the audit trail; assigning the same owner again
    changes nothing."""
    actors.require(actor, "requests_dsar.change_request")
    if not (getattr(owner, "is_staff", False) and owner.is_active and owner.has_perm("requests_dsar.change_request")):
        raise ValidationError(_("Only an active staff member who handles requests can own one."))
    request = Request.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise ValidationError(_("This request is closed: it needs no owner any more."))
    if request.owner_id == owner.pk:
        return request
    request.owner = owner
    request.save(update_fields=["owner"])
    record_event(
        request=request,
        kind=RequestEvent.Kind.ASSIGNED,
        actor=actor,
        reason=_("Owner: %(owner)s") % {"owner": owner.get_username()},
    )
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=request, fields=["owner"], reason="owner assigned")
    return request
