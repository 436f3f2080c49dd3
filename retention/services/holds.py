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

from ..models import CASE_REFERENCE_VALIDATOR, AccessReason, ArchivedSubject, LegalHold

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


@transaction.atomic
def archive_consult(*, archived: ArchivedSubject, reason: str, reference: str, actor: AbstractBaseUser) -> DataSubject:
    """Open an archived subject: Archivist only, with a reason, audited (R4.4.2)."""
    if not actor.has_perm("retention.access_archive"):
        raise PermissionDenied(_("Only the Archivist role consults the intermediate archive."))
    if reason not in AccessReason.values:
        raise ValidationError(_("Choose the reason for this consultation."))
    CASE_REFERENCE_VALIDATOR(reference)
    audit.record(
        action=audit.Action.ARCHIVE_ACCESS,
        actor=actor,
        obj=archived.subject,
        fields=["identity", "roles"],
        reason=f"{reason} {reference}".strip(),
    )
    return archived.subject
