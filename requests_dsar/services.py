"""Every write on data-subject requests: validated, in one transaction, with its audit event.

Permissions are checked here, not only in the admin, so that no path lets customer service
decide: the DPO alone approves, refuses, extends, charges a fee and closes (``decide_request``,
``extend_request``, ``charge_fee``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import audit
from ijinus_privacy.identifiers import normalise_email
from subjects.models import DataSubject

from . import deadlines
from .models import (
    DPO_ONLY_STATES,
    GROUNDS_BY_RIGHT,
    TRANSITIONS,
    ClockPause,
    Decision,
    Extension,
    IdentityCheck,
    Letter,
    Request,
    RequestEvent,
    RequestItem,
    Right,
    State,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

IDENTITY_REQUEST_MAX_WORKING_DAYS = 3  # R1.4.2, "suggested ≤ 3 working days"
IDENTITY_TOKEN_VALIDITY = timedelta(hours=72)
IDENTITY_TOKEN_MAX_ATTEMPTS = 5


def _require(actor: User | None, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("Only the DPO may do this (%(perm)s).") % {"perm": perm})


def _username(actor: User | None) -> str:
    return actor.get_username() if actor is not None and getattr(actor, "is_authenticated", False) else ""


def _actor_or_none(actor: User | None) -> User | None:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _event(
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
        actor=_actor_or_none(actor),
        actor_username=_username(actor),
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )
    event.full_clean()
    event.save()
    return event


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- deadlines --------------------------------------------------------------------------------


def _refresh_due_dates(request: Request) -> None:
    """Recompute the stored due dates from receipt, closed pauses and the extension."""
    paused = sum(pause.days for pause in request.pauses.filter(ended_on__isnull=False)) if request.pk else 0
    request.paused_days = paused
    request.first_due_on = deadlines.due_date(request.received_on, paused_days=paused)
    request.ceiling_due_on = deadlines.extended_due_date(request.received_on, paused_days=paused)
    has_extension = Extension.objects.filter(request_id=request.pk).exists() if request.pk else False
    request.due_on = request.ceiling_due_on if has_extension else request.first_due_on


def _first_due_on_so_far(request: Request, *, today: date) -> date:
    """The one-month due date counting an open pause up to ``today`` (the stored one ignores it)."""
    open_pause = request.pauses.filter(ended_on__isnull=True).first()
    if open_pause is None:
        return request.first_due_on
    paused = request.paused_days + max((today - open_pause.started_on).days, 0)
    return deadlines.due_date(request.received_on, paused_days=paused)


# --- intake -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RightAsked:
    right: str
    details: str = ""


@transaction.atomic
def request_log(
    *,
    received_on: date,
    channel: str,
    rights: Sequence[RightAsked],
    actor: User | None,
    subject: DataSubject | None = None,
    requester_name: str = "",
    requester_email: str = "",
    requester_phone: str = "",
    requester_address: str = "",
    language: str = "",
    representative_name: str = "",
    representative_authority: str = "",
    oral_summary: str = "",
) -> Request:
    """Register a request received through any channel, with its real receipt date (R1.1)."""
    if not rights:
        raise ValidationError(_("Choose at least one right asked (R1.1.3)."))
    if len({item.right for item in rights}) != len(rights):
        raise ValidationError(_("Each right appears once per request."))
    if subject is None and requester_email:
        subject = DataSubject.objects.with_email(requester_email).first()
    request = Request(
        received_on=received_on,
        channel=channel,
        subject=subject,
        requester_name=requester_name,
        requester_email=normalise_email(requester_email),
        requester_phone=requester_phone,
        requester_address=requester_address,
        language=language or (subject.language if subject else "fr"),
        representative_name=representative_name,
        representative_authority=representative_authority,
        oral_summary=oral_summary,
        created_by=_actor_or_none(actor),
    )
    _refresh_due_dates(request)
    request.full_clean()
    request.save()
    for asked in rights:
        item = RequestItem(request=request, right=asked.right, details=asked.details)
        item.full_clean()
        item.save()
    _event(request=request, kind=RequestEvent.Kind.LOGGED, actor=actor, to_state=request.state)
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=request,
        fields=["received_on", "channel", "subject", "requester", "items"],
    )
    return request


REQUEST_EDITABLE_FIELDS = (
    "subject",
    "requester_name",
    "requester_email",
    "requester_phone",
    "requester_address",
    "language",
    "representative_name",
    "representative_authority",
    "oral_summary",
)


@transaction.atomic
def request_update(*, request: Request, changes: dict, actor: User | None) -> Request:
    """Correct the requester's details. Receipt date, state and deadlines are not edited here."""
    unknown = set(changes) - set(REQUEST_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be edited here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for name, value in changes.items():
        setattr(request, name, value)
    request.full_clean()
    request.save(update_fields=list(changes))
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=request, fields=list(changes))
    return request


@transaction.atomic
def request_add_note(*, request: Request, text: str, actor: User | None) -> RequestEvent:
    if not text.strip():
        raise ValidationError(_("A note cannot be empty."))
    event = _event(request=request, kind=RequestEvent.Kind.NOTE, actor=actor, reason=text.strip())
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=request, fields=["timeline"], reason="note")
    return event


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
        _require(actor, "requests_dsar.decide_request")
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
    _event(
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
    _event(request=request, kind=RequestEvent.Kind.PAUSE, actor=actor, reason=pause.get_reason_display())
    late = asked_on > deadlines.add_working_days(request.received_on, IDENTITY_REQUEST_MAX_WORKING_DAYS)
    if late and not request.identity_request_late:
        request.identity_request_late = True
        request.save(update_fields=["identity_request_late"])
        _event(
            request=request,
            kind=RequestEvent.Kind.WARNING,
            actor=actor,
            reason=_("Information asked more than 3 working days after receipt: the pause may not hold (R1.4.2)."),
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
    _refresh_due_dates(request)
    request.save(update_fields=["paused_days", "first_due_on", "ceiling_due_on", "due_on"])
    _event(
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
    _require(actor, "requests_dsar.extend_request")
    today = today or timezone.localdate()
    request = Request.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise ValidationError(_("A closed request cannot be extended."))
    if Extension.objects.filter(request=request).exists():
        raise ValidationError(_("This request has already been extended; the law allows one extension."))
    first_due_on = _first_due_on_so_far(request, today=today)
    if today > first_due_on:
        raise ValidationError(
            _("The one-month due date (%(due)s) has passed: an extension can no longer be recorded (R1.3.1).")
            % {"due": first_due_on.isoformat()}
        )
    if not explanation.strip():
        raise ValidationError(_("Explain the reasons to the requester (Art. 12(3))."))
    extension = Extension(
        request=request,
        reason=reason,
        explanation=explanation.strip(),
        notice_sent_on=today,
        decided_by=_actor_or_none(actor),
    )
    extension.full_clean()
    extension.save()
    _refresh_due_dates(request)
    request.save(update_fields=["paused_days", "first_due_on", "ceiling_due_on", "due_on"])
    _event(
        request=request,
        kind=RequestEvent.Kind.EXTENSION,
        actor=actor,
        reason=f"{extension.get_reason_display()}: {request.due_on.isoformat()}",
    )
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=request, fields=["extension", "due_on"])
    if send_notice:
        from .letters import letter_send

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

    from .erasure.models import ErasureRecord
    from .models import ExportJob

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
            _("Erasure: no erasure has been executed for this request (approve the erasure plan, R1.10.3)."),
        ),
        Right.RECTIFICATION: (
            lambda: rectifications.exists() and not rectifications.pending().exists(),
            _("Rectification: every change asked must be proposed and then applied or rejected (R1.9.1)."),
        ),
        Right.RESTRICTION: (
            lambda: Restriction.objects.filter(request=request).exists(),
            _("Restriction: no restriction has been placed for this request (Art. 18, R1.11)."),
        ),
        Right.OBJECTION: (
            lambda: Objection.objects.filter(
                request=request, kind=Objection.Kind.LEGITIMATE_INTEREST, status=Objection.Status.UPHELD
            ).exists(),
            _("Objection: no Art. 21(1) objection has been recorded and upheld for this request (R1.13)."),
        ),
        Right.OBJECTION_MARKETING: (
            lambda: Objection.objects.filter(request=request, kind=Objection.Kind.DIRECT_MARKETING).exists(),
            _("Objection to direct marketing: it has not been recorded for this request (Art. 21(3), R1.13.2)."),
        ),
        Right.CONSENT_WITHDRAWAL: (
            withdrawn,
            _("Withdrawal of consent: no withdrawal has been recorded for this request (Art. 7(3), R1.14)."),
        ),
        Right.ACCESS: (
            lambda: sent("access_pdf", "access_json"),
            _("Access: the access copy has not been approved and sent (Art. 15(3), R1.7)."),
        ),
        Right.PORTABILITY: (
            lambda: sent("portability"),
            _("Portability: the portability export has not been approved and sent (Art. 20, R1.8)."),
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
    """The DPO's answer: grant everything, or refuse some or all rights on allowed grounds (R1.6.3-5)."""
    _require(actor, "requests_dsar.decide_request")
    if not justification.strip():
        raise ValidationError(_("Write the reasons for the decision: the burden of proof is on IJINUS (R1.6.3)."))
    refusals = list(refusals)
    items = list(request.items.all())
    refused_ids = set()
    for refusal in refusals:
        if refusal.item.request_id != request.pk:
            raise ValidationError(_("This right belongs to another request."))
        if not GROUNDS_BY_RIGHT.get(refusal.item.right):
            raise ValidationError(
                _("“%(right)s” cannot be refused: no refusal ground exists for it (R1.6.5).")
                % {"right": refusal.item.get_right_display()}
            )
        refused_ids.add(refusal.item.pk)
    missing = missing_fulfilment(request=request, items=[item for item in items if item.pk not in refused_ids])
    if missing:
        raise ValidationError([_("A right cannot be granted before it is carried out. Missing:"), *missing])
    if refused_ids and len(refused_ids) == len(items):
        to_state = State.REFUSED
    elif refused_ids:
        to_state = State.PARTLY_REFUSED
    else:
        to_state = State.COMPLETED
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
            decided_by=_actor_or_none(actor),
            decided_by_username=_username(actor),
        )
        decision.full_clean()
        decision.save()
    _event(request=request, kind=RequestEvent.Kind.DECISION, actor=actor, reason=justification)
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=request, fields=["decision"], reason=to_state)
    if refused_ids and send_refusal_letter:
        from .letters import letter_send

        letter_send(request=request, kind=Letter.Kind.REFUSAL, actor=actor)
    return request


@transaction.atomic
def request_close_unverified(*, request: Request, reason: str, actor: User | None) -> Request:
    """DPO closure when the requester never proved their identity (R1.4.3)."""
    _require(actor, "requests_dsar.decide_request")
    request = request_transition(request=request, to_state=State.CLOSED_UNVERIFIED, reason=reason, actor=actor)
    decision = Decision(
        request=request,
        kind=Decision.Kind.CLOSED_UNVERIFIED,
        justification=reason,
        decided_by=_actor_or_none(actor),
        decided_by_username=_username(actor),
    )
    decision.full_clean()
    decision.save()
    return request


@transaction.atomic
def request_charge_fee(
    *, request: Request, amount: Decimal, further_copy: bool, justification: str, actor: User | None
) -> Decision:
    """A reasonable fee for further copies of the same data only (Art. 15(3), R1.6.2), DPO-approved."""
    _require(actor, "requests_dsar.charge_fee")
    if not further_copy:
        raise ValidationError(
            _("A fee may only be charged for further copies of the same data; the first copy is free (R1.6.1).")
        )
    if not request.items.filter(right=Right.ACCESS).exists():
        raise ValidationError(_("A fee applies only to copies under the right of access (Art. 15(3))."))
    if amount <= 0:
        raise ValidationError(_("The fee must be a positive amount based on administrative costs."))
    if not justification.strip():
        raise ValidationError(_("Justify the amount (administrative costs, R1.6.3)."))
    request.fee_amount = amount
    request.save(update_fields=["fee_amount"])
    decision = Decision(
        request=request,
        kind=Decision.Kind.FEE,
        amount=amount,
        justification=justification,
        decided_by=_actor_or_none(actor),
        decided_by_username=_username(actor),
    )
    decision.full_clean()
    decision.save()
    _event(request=request, kind=RequestEvent.Kind.FEE, actor=actor, reason=f"{amount} EUR")
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=request, fields=["fee_amount"])
    # R1.6.2: the requester hears the amount first and may withdraw.
    from .letters import letter_send

    letter_send(request=request, kind=Letter.Kind.FEE_NOTICE, actor=actor)
    return decision


# --- identity checks (R1.5) -------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityCheckStarted:
    check: IdentityCheck
    token: str  # the raw one-time token, e-mailed and never stored; "" for other methods
    late: bool


@transaction.atomic
def identity_check_start(
    *,
    request: Request,
    method: str,
    doubt_reason: str,
    actor: User | None,
    document_justification: str = "",
    asked_on: date | None = None,
) -> IdentityCheckStarted:
    """Start a proportionate identity check, on a recorded reasonable doubt (R1.5.1-R1.5.3)."""
    _require(actor, "requests_dsar.verify_identity")
    if not request.is_open:
        raise ValidationError(_("This request is closed."))
    if not doubt_reason.strip():
        raise ValidationError(_("Record the reasonable doubt that calls for a check (R1.5.1)."))
    if method == IdentityCheck.Method.DOCUMENT and not document_justification.strip():
        raise ValidationError(_("Asking for an identity document needs the DPO's justification of necessity (R1.5.3)."))
    if method == IdentityCheck.Method.DOCUMENT:
        _require(actor, "requests_dsar.decide_request")
    check = IdentityCheck(
        request=request, method=method, doubt_reason=doubt_reason, document_justification=document_justification
    )
    token = ""
    if method == IdentityCheck.Method.EMAIL_LINK:
        if not (request.subject and request.subject.email):
            raise ValidationError(_("A one-time link goes only to an address already on file."))
        token = secrets.token_urlsafe(32)
        check.token_hash = hash_token(token)
        check.token_expires_at = timezone.now() + IDENTITY_TOKEN_VALIDITY
    if method == IdentityCheck.Method.PHONE_CALLBACK and not (request.subject and request.subject.phone):
        # Never a number the requester gives now: that proves nothing (R1.5.2).
        raise ValidationError(_("A callback goes only to a number already on file."))
    check.full_clean()
    check.save()
    late = False
    if method != IdentityCheck.Method.PLATFORM_SESSION and request.state != State.AWAITING_INFO:
        late = request_ask_information(
            request=request, reason=ClockPause.Reason.IDENTITY, actor=actor, asked_on=asked_on
        ).late
    _event(request=request, kind=RequestEvent.Kind.IDENTITY, actor=actor, reason=check.get_method_display())
    audit.record(action=audit.Action.CREATE, actor=actor, obj=check, subject_id=request.subject_id, fields=["method"])
    if method == IdentityCheck.Method.EMAIL_LINK:
        from .letters import identity_link_send

        identity_link_send(check=check, token=token)
    if method == IdentityCheck.Method.PLATFORM_SESSION:
        _identity_verified(check=check, actor=actor)
    return IdentityCheckStarted(check=check, token=token, late=late)


def _identity_checked(*, check: IdentityCheck, status: str, actor: User | None, document_type: str = "") -> None:
    """Close the check with its outcome, who checked and when."""
    check.status = status
    check.checked_on = timezone.localdate()
    check.checked_by = _actor_or_none(actor)
    check.checked_by_username = _username(actor)
    check.document_type = document_type
    check.token_hash = ""
    check.full_clean()
    check.save()
    audit.record(
        action=audit.Action.CHANGE, actor=actor, obj=check, subject_id=check.request.subject_id, fields=["status"]
    )


def _identity_verified(*, check: IdentityCheck, actor: User | None, document_type: str = "") -> None:
    _identity_checked(check=check, status=IdentityCheck.Status.VERIFIED, actor=actor, document_type=document_type)
    request = check.request
    _event(request=request, kind=RequestEvent.Kind.IDENTITY, actor=actor, reason=_("Identity verified"))
    request.refresh_from_db()
    if request.state == State.AWAITING_INFO:
        request_information_received(request=request, actor=actor)


@transaction.atomic
def identity_check_record_callback(*, check: IdentityCheck, confirmed: bool, actor: User | None) -> IdentityCheck:
    """Staff called the number on file (never one given with the request) and record the outcome (R1.5.2).

    Who called and when is the check's ``checked_by`` / ``checked_on`` and the timeline event.
    """
    _require(actor, "requests_dsar.verify_identity")
    check = IdentityCheck.objects.select_for_update().select_related("request").get(pk=check.pk)
    if check.method != IdentityCheck.Method.PHONE_CALLBACK:
        raise ValidationError(_("This check is not a callback."))
    if check.status != IdentityCheck.Status.PENDING:
        raise ValidationError(_("This check is already closed."))
    outcome = (
        _("Called back on the number on file: the person confirmed the request.")
        if confirmed
        else _("Called back on the number on file: the person did not confirm the request.")
    )
    _event(request=check.request, kind=RequestEvent.Kind.IDENTITY, actor=actor, reason=outcome)
    if confirmed:
        _identity_verified(check=check, actor=actor)  # the clock resumes
    else:
        _identity_checked(check=check, status=IdentityCheck.Status.FAILED, actor=actor)
    return check


class IdentityTokenError(ValidationError):
    pass


def identity_check_confirm_token(*, check_id: int, token: str) -> IdentityCheck:
    """The requester followed the link or typed the code: single use, expires, attempts limited.

    A wrong code is counted in a transaction that commits before the error is raised.
    """
    error = None
    with transaction.atomic():
        check = IdentityCheck.objects.select_for_update().select_related("request").get(pk=check_id)
        if check.status != IdentityCheck.Status.PENDING or not check.token_hash:
            error = IdentityTokenError(_("This link has already been used."))
        elif check.token_expires_at is None or timezone.now() > check.token_expires_at:
            error = IdentityTokenError(_("This link has expired."))
        elif not secrets.compare_digest(check.token_hash, hash_token(token)):
            check.attempts += 1
            if check.attempts >= IDENTITY_TOKEN_MAX_ATTEMPTS:
                check.status = IdentityCheck.Status.FAILED
                check.token_hash = ""
            check.save(update_fields=["attempts", "status", "token_hash"])
            audit.record(action=audit.Action.CHANGE, actor=None, obj=check, fields=["attempts"], reason="wrong token")
            error = IdentityTokenError(_("This code is not valid."))
        else:
            _identity_verified(check=check, actor=None)
    if error is not None:
        raise error
    return check


@transaction.atomic
def identity_check_record_document(
    *, check: IdentityCheck, document_type: str, actor: User | None, copy_received_and_deleted: bool = False
) -> IdentityCheck:
    """Record that a document was checked: type, date and checker only, never the document (R1.5.3).

    ``copy_received_and_deleted``: staff confirm that a copy received by e-mail was deleted; the
    deletion is logged (timeline and audit trail).
    """
    _require(actor, "requests_dsar.verify_identity")
    if check.method != IdentityCheck.Method.DOCUMENT:
        raise ValidationError(_("This check does not use a document."))
    if check.status != IdentityCheck.Status.PENDING:
        raise ValidationError(_("This check is already closed."))
    if document_type not in IdentityCheck.DocumentType.values:
        raise ValidationError(_("Choose the type of document checked."))
    _identity_verified(check=check, actor=actor, document_type=document_type)
    if copy_received_and_deleted:
        check.copy_deleted_on = timezone.localdate()
        check.save(update_fields=["copy_deleted_on"])
        _event(
            request=check.request,
            kind=RequestEvent.Kind.IDENTITY,
            actor=actor,
            reason=_("Copy of the identity document received by e-mail deleted (R1.5.3)"),
        )
        audit.record(
            action=audit.Action.DELETE,
            actor=actor,
            object_type="requests_dsar.identity_document_copy",
            object_id=check.pk,
            subject_id=check.request.subject_id,
        )
    return check
