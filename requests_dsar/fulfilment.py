"""Fulfil the items of a request that concern rectification, restriction, objection, withdrawal
of consent and post-mortem directives (R1.9, R1.11, R1.13, R1.14, R1.15).

Each function checks that the request is open, linked to a subject and asks that right, calls the
subjects or consents service that does the work (validation, audit, Art. 19 signal), and writes a
note on the request's timeline naming what was done: field names and ids, never values.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ijinus_privacy import actors
from ijinus_privacy.choices import ContactChannel
from subjects.models import DeathRecord, Objection, PostMortemDirective, Rectification, Restriction

from . import connected
from .models import Request, Right
from .services import request_add_note
from .services.objection import objection_decide, objection_record
from .services.post_mortem import directive_register, subject_record_death

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

    from consents.models import ConsentEvent

# How a withdrawal reached us, as the consent event's mechanism (R2.1 proof).
MECHANISM_BY_CHANNEL = {
    ContactChannel.LETTER: "signature",
    ContactChannel.WEB_FORM: "button",
    ContactChannel.PLATFORM_TICKET: "button",
}


def _check(request: Request, *rights: str) -> None:
    if not request.is_open:
        raise ValidationError(_("This request is closed."))
    if request.subject_id is None:
        raise ValidationError(_("Link the request to a data subject first."))
    if not request.items.filter(right__in=rights).exists():
        raise ValidationError(_("This request does not ask for this right."))


@transaction.atomic
def rectification_from_request(
    *, request: Request, changes: Mapping[str, str], actor: User | None, accuracy_contested: bool = False
) -> list[Rectification]:
    """Record the changes the person asks for, field by field (R1.9.1); staff apply them after checking."""
    from subjects.services.rectification import rectification_propose

    _check(request, Right.RECTIFICATION)
    proposals = rectification_propose(
        subject=request.subject, changes=changes, request=request, accuracy_contested=accuracy_contested, actor=actor
    )
    request_add_note(
        request=request,
        text=_("Rectification proposed for: %(fields)s.") % {"fields": ", ".join(p.field_name for p in proposals)},
        actor=actor,
    )
    return proposals


@transaction.atomic
def restriction_from_request(
    *,
    request: Request,
    ground: str,
    actor: User | None,
    scope: str = Restriction.Scope.SUBJECT,
    categories: tuple[str, ...] = (),
    records: tuple[str, ...] = (),
) -> Restriction:
    """Place the restriction the person asks for (Art. 18(1), R1.11)."""
    from subjects.services.restriction import MANAGE_PERMISSION, restriction_place

    actors.require(actor, MANAGE_PERMISSION, _("Only the DPO places a restriction."))
    _check(request, Right.RESTRICTION, Right.RECTIFICATION, Right.OBJECTION)
    restriction = restriction_place(
        subject=request.subject,
        ground=ground,
        request=request,
        scope=scope,
        categories=categories,
        records=records,
        actor=actor,
    )
    request_add_note(request=request, text=_("Restriction #%(id)s placed.") % {"id": restriction.pk}, actor=actor)
    return restriction


@transaction.atomic
def objection_from_request(
    *, request: Request, actor: User | None, channel: str = Objection.ALL_CHANNELS, processing: str = ""
) -> list[Objection]:
    """Record the objections the request asks for: 21(1) (restricted meanwhile) and/or direct marketing."""

    actors.require(actor, "subjects.add_objection", _("You may not record objections."))
    _check(request, Right.OBJECTION, Right.OBJECTION_MARKETING)
    rights = set(request.items.values_list("right", flat=True))
    kinds = {
        Right.OBJECTION: {"kind": Objection.Kind.LEGITIMATE_INTEREST, "processing": processing},
        Right.OBJECTION_MARKETING: {"kind": Objection.Kind.DIRECT_MARKETING, "channel": channel},
    }
    objections = [
        objection_record(subject=request.subject, request=request, actor=actor, **fields)
        for right, fields in kinds.items()
        if right in rights
    ]
    request_add_note(
        request=request,
        text=_("Objection recorded: %(ids)s.") % {"ids": ", ".join(f"#{o.pk}" for o in objections)},
        actor=actor,
    )
    return objections


@transaction.atomic
def objection_decide_from_request(
    *, request: Request, objection: Objection, upheld: bool, actor: User | None, notice: str = ""
) -> Objection:
    """The DPO's decision on the request's Art. 21(1) objection (R1.13.1); not upheld lifts the restriction."""
    from django.utils import timezone

    _check(request, Right.OBJECTION)
    if objection.request_id != request.pk:
        raise ValidationError(_("This objection belongs to another request."))
    objection = objection_decide(
        objection=objection,
        upheld=upheld,
        notice=notice,
        notice_sent_on=None if upheld else timezone.localdate(),
        actor=actor,
    )
    text = _("Objection #%(id)s upheld.") if upheld else _("Objection #%(id)s not upheld.")
    request_add_note(request=request, text=text % {"id": objection.pk}, actor=actor)
    return objection


@transaction.atomic
def withdrawal_from_request(*, request: Request, channel: str, actor: User | None) -> ConsentEvent:
    """Record the withdrawal of consent on ``channel`` as a consent event (R1.14, R2.3)."""
    from consents.models import ConsentEvent
    from consents.services import consent_withdraw

    actors.require(actor, "consents.add_consentevent", _("You may not record consent choices."))
    _check(request, Right.CONSENT_WITHDRAWAL)
    event, _created = consent_withdraw(
        subject=request.subject,
        channel=channel,
        collection_point=ConsentEvent.CollectionPoint.STAFF,
        mechanism=MECHANISM_BY_CHANNEL.get(request.channel, ConsentEvent.Mechanism.ORAL),
        entered_by=ConsentEvent.EnteredBy.STAFF,
        staff_reference=f"request #{request.pk}",
        actor=actor,
    )
    if channel in connected.SUPPRESSED_CHANNELS:  # the e-mailing tool unsubscribes the person too
        connected.right_carried_out(change=connected.SUPPRESSION, subject=request.subject, request=request, actor=actor)
    request_add_note(
        request=request,
        text=_("Consent withdrawn on channel %(channel)s (event #%(id)s).") % {"channel": channel, "id": event.pk},
        actor=actor,
    )
    return event


@transaction.atomic
def post_mortem_from_request(
    *,
    request: Request,
    actor: User | None,
    kind: str = PostMortemDirective.Kind.PARTICULAR,
    instruction: str = "",
    content_summary: str = "",
    designated_person_name: str = "",
    designated_person_email: str = "",
    trusted_third_party: str = "",
    specific_consent: bool = False,
    died_on: date | None = None,
    evidence_type: str = "",
) -> PostMortemDirective | DeathRecord:
    """Register a directive (R1.15.2) or, when ``died_on`` is given, record the death and apply it (R1.15.3)."""

    actors.require(actor, "subjects.add_postmortemdirective", _("You may not register post-mortem directives."))
    _check(request, Right.POST_MORTEM)
    if died_on is not None:
        record = subject_record_death(
            subject=request.subject, died_on=died_on, evidence_type=evidence_type, actor=actor
        )
        request_add_note(
            request=request,
            text=_("Death recorded; directive applied (record #%(id)s).") % {"id": record.pk},
            actor=actor,
        )
        return record
    directive = directive_register(
        subject=request.subject,
        request=request,
        kind=kind,
        instruction=instruction,
        content_summary=content_summary,
        designated_person_name=designated_person_name,
        designated_person_email=designated_person_email,
        trusted_third_party=trusted_third_party,
        specific_consent=specific_consent,
        actor=actor,
    )
    request_add_note(
        request=request, text=_("Post-mortem directive #%(id)s registered.") % {"id": directive.pk}, actor=actor
    )
    return directive
