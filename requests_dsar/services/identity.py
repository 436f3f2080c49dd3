"""Identity checks, proportionate to the request and the channel (R1.5); the clock pauses while they wait (R1.4)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit

from ..models import (
    ClockPause,
    IdentityCheck,
    Request,
    RequestEvent,
    State,
)
from .timeline import hash_token, record_event
from .workflow import request_ask_information, request_information_received

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


IDENTITY_TOKEN_VALIDITY = timedelta(hours=72)
IDENTITY_TOKEN_MAX_ATTEMPTS = 5


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
    actors.require(actor, "requests_dsar.verify_identity")
    if not request.is_open:
        raise ValidationError(_("This request is closed."))
    if not doubt_reason.strip():
        raise ValidationError(_("Record the reasonable doubt that calls for a check (Art. 12(6))."))
    if method == IdentityCheck.Method.DOCUMENT and not document_justification.strip():
        raise ValidationError(
            _(
                "Asking for an identity document needs the DPO's justification of necessity "
                "(EDPB Guidelines 01/2022, §§73-79)."
            )
        )
    if method == IdentityCheck.Method.DOCUMENT:
        actors.require(actor, "requests_dsar.decide_request")
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
    record_event(request=request, kind=RequestEvent.Kind.IDENTITY, actor=actor, reason=check.get_method_display())
    audit.record(action=audit.Action.CREATE, actor=actor, obj=check, subject_id=request.subject_id, fields=["method"])
    if method == IdentityCheck.Method.EMAIL_LINK:
        from ..letters import identity_link_send

        identity_link_send(check=check, token=token)
    if method == IdentityCheck.Method.PLATFORM_SESSION:
        _identity_verified(check=check, actor=actor)
    return IdentityCheckStarted(check=check, token=token, late=late)


def _identity_checked(*, check: IdentityCheck, status: str, actor: User | None, document_type: str = "") -> None:
    """Close the check with its outcome, who checked and when."""
    check.status = status
    check.checked_on = timezone.localdate()
    check.checked_by = actors.staff_or_none(actor)
    check.checked_by_username = actors.username(actor)
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
    record_event(request=request, kind=RequestEvent.Kind.IDENTITY, actor=actor, reason=_("Identity verified"))
    request.refresh_from_db()
    if request.state == State.AWAITING_INFO:
        request_information_received(request=request, actor=actor)


@transaction.atomic
def identity_check_record_callback(*, check: IdentityCheck, confirmed: bool, actor: User | None) -> IdentityCheck:
    """Staff called the number on file (never one given with the request) and record the outcome (R1.5.2).

    Who called and when is the check's ``checked_by`` / ``checked_on`` and the timeline event.
    """
    actors.require(actor, "requests_dsar.verify_identity")
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
    record_event(request=check.request, kind=RequestEvent.Kind.IDENTITY, actor=actor, reason=outcome)
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
            audit.record(
                action=audit.Action.CHANGE,
                actor=actors.system("identity-link"),
                obj=check,
                fields=["attempts"],
                reason="wrong token",
            )
            error = IdentityTokenError(_("This code is not valid."))
        else:
            _identity_verified(check=check, actor=actors.system("identity-link"))
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
    actors.require(actor, "requests_dsar.verify_identity")
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
        record_event(
            request=check.request,
            kind=RequestEvent.Kind.IDENTITY,
            actor=actor,
            reason=_("Copy of the identity document received by e-mail deleted (EDPB Guidelines 01/2022, §§73-79)"),
        )
        audit.record(
            action=audit.Action.DELETE,
            actor=actor,
            object_type="requests_dsar.identity_document_copy",
            object_id=check.pk,
            subject_id=check.request.subject_id,
        )
    return check
