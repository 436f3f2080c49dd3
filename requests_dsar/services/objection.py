"""Objection (Art. 21, R1.13).

* Under 21(1), to processing based on legitimate interest: the data is restricted at once while
  the DPO weighs the grounds (Art. 18(1)(d), R1.13.1); the DPO then upholds the objection
  (processing stops; the restriction stays until erasure) or records compelling legitimate
  grounds or a legal-claims need, which lifts the restriction after notice to the person.
* To direct marketing (21(2)-(3), R1.13.2): absolute and immediate, per channel or on all of
  them. It reuses the consents withdrawal services, which record the consent event and the
  suppression entries, so the person leaves ``consents.selectors.marketable()`` at once.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consents.models import ALL_CHANNELS, ConsentEvent, Suppression
from consents.services import consent_withdraw, marketing_objection_record, suppression_add_for_subject
from ijinus_privacy import actors, audit
from subjects.models import DataSubject, Objection, Restriction
from subjects.services.restriction import MANAGE_PERMISSION, restriction_lift, restriction_place

from .. import connected
from ..models import Request

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


@transaction.atomic
def objection_record(
    *,
    subject: DataSubject,
    kind: str,
    actor: User | None,
    request: Request | None = None,
    channel: str = "",
    processing: str = "",
) -> Objection:
    """Record an objection and act on it at once (restriction, or marketing stopped)."""
    objection = Objection(
        subject=subject,
        request=request,
        kind=kind,
        channel=channel,
        processing=processing,
        recorded_by=actors.staff_or_none(actor),
        status=Objection.Status.PENDING,
    )
    if kind == Objection.Kind.DIRECT_MARKETING:
        objection.status = Objection.Status.APPLIED
        objection.decided_at = timezone.now()
        objection.decided_by = actors.staff_or_none(actor)
    objection.full_clean()
    objection.save()
    if kind == Objection.Kind.LEGITIMATE_INTEREST:
        objection.restriction = restriction_place(
            subject=subject, ground=Restriction.Ground.OBJECTION_PENDING, request=request, actor=actor
        )
        objection.save(update_fields=["restriction"])
    else:
        _stop_marketing(objection, actor=actor)
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=objection,
        fields=["kind", "channel", "processing", "status"],
        reason="Objection recorded (Art. 21)",
    )
    return objection


def _stop_marketing(objection: Objection, *, actor: User | None) -> None:
    """Art. 21(3): no balancing, no refusal; consent event and suppression entries (R1.13.3)."""

    reference = f"objection #{objection.pk}"
    subject = objection.subject
    if objection.channel in connected.SUPPRESSED_CHANNELS:  # the e-mailing tool unsubscribes the person too
        connected.right_carried_out(
            change=connected.SUPPRESSION, subject=subject, request=objection.request, actor=actor
        )
    if objection.channel == Objection.ALL_CHANNELS:
        marketing_objection_record(
            subject=subject, actor=actor, staff_reference=reference, collection_point=ConsentEvent.CollectionPoint.STAFF
        )
        suppression_add_for_subject(
            subject=subject, channels=[ALL_CHANNELS], reason=Suppression.Reason.OBJECTION, actor=actor
        )
        return
    consent_withdraw(
        subject=subject,
        channel=objection.channel,
        collection_point=ConsentEvent.CollectionPoint.STAFF,
        mechanism=ConsentEvent.Mechanism.ORAL,
        entered_by=ConsentEvent.EnteredBy.STAFF,
        staff_reference=reference,
        reason=Suppression.Reason.OBJECTION,
        actor=actor,
    )


@transaction.atomic
def objection_decide(
    *,
    objection: Objection,
    upheld: bool,
    actor: User | None,
    notice: str = "",
    notice_sent_on: date | None = None,
) -> Objection:
    """The DPO's decision on a 21(1) objection (R1.13.1).

    Upheld: processing stops and the restriction stays (erasure under Art. 17(1)(c) may follow).
    Not upheld (compelling grounds or legal claims demonstrated): the restriction is lifted, which
    needs the notice to the person (Art. 18(3)).
    """
    actors.require(actor, MANAGE_PERMISSION, _("Only the DPO decides on an objection."))
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.kind != Objection.Kind.LEGITIMATE_INTEREST or objection.status != Objection.Status.PENDING:
        raise ValidationError(_("Only a pending Art. 21(1) objection awaits a decision."))
    if not upheld and objection.restriction_id and objection.restriction.in_force:
        restriction_lift(restriction=objection.restriction, notice=notice, notice_sent_on=notice_sent_on, actor=actor)
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.OVERRIDDEN
    objection.decided_at = timezone.now()
    objection.decided_by = actors.staff_or_none(actor)
    objection.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record(
        action=audit.Action.CHANGE,
        actor=actor,
        obj=objection,
        fields=["status", "decided_at"],
        reason="Objection decided (Art. 21(1))",
    )
    return objection
