"""Intake: a request is logged with its receipt date, channel and the rights asked (R1.1, R1.2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit
from ijinus_privacy.identifiers import normalise_email
from subjects.models import DataSubject

from ..models import (
    Request,
    RequestEvent,
    RequestItem,
)
from .timeline import record_event, refresh_due_dates

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


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
        raise ValidationError(_("Choose at least one right asked."))
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
        created_by=actors.staff_or_none(actor),
    )
    refresh_due_dates(request)
    request.full_clean()
    request.save()
    for asked in rights:
        item = RequestItem(request=request, right=asked.right, details=asked.details)
        item.full_clean()
        item.save()
    record_event(request=request, kind=RequestEvent.Kind.LOGGED, actor=actor, to_state=request.state)
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
    event = record_event(request=request, kind=RequestEvent.Kind.NOTE, actor=actor, reason=text.strip())
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=request, fields=["timeline"], reason="note")
    return event
