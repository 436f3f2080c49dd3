"""Legal holds (R4.5) and consultations of the intermediate archive (R4.4.2)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import audit
from subjects.models import DataSubject

from ..models import CASE_REFERENCE_VALIDATOR, REASONS_NEEDING_A_REFERENCE, AccessReason, ArchivedSubject, LegalHold

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


@transaction.atomic
def hold_place(
    *,
    subject: DataSubject,
    reason: str,
    review_on: date,
    actor: AbstractBaseUser,
    owner: AbstractBaseUser | None = None,
    reference: str = "",
    object_type: str = "",
    object_id: str = "",
    started_on: date | None = None,
) -> LegalHold:
    hold = LegalHold(
        subject=subject,
        reason=reason,
        reference=reference,
        object_type=object_type,
        object_id=object_id,
        owner=owner or actor,
        started_on=started_on or timezone.localdate(),
        review_on=review_on,
    )
    hold.full_clean()
    hold.save()
    audit.record(action=audit.Action.CREATE, actor=actor, obj=hold, fields=["reason", "review_on"])
    return hold


@transaction.atomic
def hold_lift(*, hold: LegalHold, actor: AbstractBaseUser) -> LegalHold:
    """Release the hold; overdue actions run at the next sweep (R4.5.2)."""
    current = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if current.lifted_at is not None:
        raise ValidationError(_("This legal hold was already lifted."))
    current.lifted_at, current.lifted_by = timezone.now(), actor
    current.save(update_fields=["lifted_at", "lifted_by"])
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=current, fields=["lifted_at"])
    return current


def archive_access_reason(*, reason: str, reference: str) -> str:
    """Check the reason given to open archived data; return it as the audit event records it.

    A reason is always chosen (never a default), and the reasons that name a file (dispute,
    authority request, data-subject request) need its number (R4.4.2: "consultées de manière
    ponctuelle et motivée").
    """
    if reason not in AccessReason.values:
        raise ValidationError({"reason": _("Choose the reason for this consultation.")})
    reference = (reference or "").strip()
    CASE_REFERENCE_VALIDATOR(reference)
    if reason in REASONS_NEEDING_A_REFERENCE and not reference:
        raise ValidationError({"reference": _("Give the case, letter or request number this reason refers to.")})
    return f"{reason} {reference}".strip()


@transaction.atomic
def archive_consult(*, archived: ArchivedSubject, reason: str, reference: str, actor: AbstractBaseUser) -> DataSubject:
    """Open an archived subject: Archivist only, with a reason, audited (R4.4.2)."""
    if not actor.has_perm("retention.access_archive"):
        raise PermissionDenied(_("Only the Archivist role consults the intermediate archive."))
    audit.record(
        action=audit.Action.ARCHIVE_ACCESS,
        actor=actor,
        obj=archived.subject,
        fields=["identity", "roles", "relationship"],
        reason=archive_access_reason(reason=reason, reference=reference),
    )
    return archived.subject
