"""Restriction of processing (Art. 18, R1.11): the mark, its overrides and where it is enforced.

While a restriction is in force only *storage* is allowed (R1.11.3, Recital 67). Enforcement:

* saves through ``subjects.services.record_save`` call ``assert_editable`` (edit);
* marketing selection: ``marketing_block`` is registered with ``consents.selectors`` (marketing);
* retention sweeps: ``retention.services.sweeping.suspended`` adds ``restricted_subject_exists``
  (automated);
* exports and disclosures (requests_dsar exports, Art. 19 sharing): call
  ``is_restricted(subject_id, operation=RestrictionOverride.Operation.EXPORT)`` before building.

Each of these gives way only to an Art. 18(2) override recorded for that operation
(``override_record``), with a justification, while it is valid. Lifting a restriction needs the
notice given to the person first (Art. 18(3), R1.11.4). Placing one tells the recipients through
the ``subject_data_changed`` signal (Art. 19, R1.11.5).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ijinus_privacy import actors, audit

from ..models import DataSubject, Restriction, RestrictionOverride
from ..signals import send_subject_data_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

    from requests_dsar.models import Request

Operation = RestrictionOverride.Operation
MANAGE_PERMISSION = "subjects.change_restriction"
DEFAULT_OVERRIDE_VALIDITY = timedelta(days=1)


# --- Reads -----------------------------------------------------------------------------------


def _overrides_in_force(operation: str, at: datetime) -> models.QuerySet:
    return RestrictionOverride.objects.filter(
        restriction=OuterRef("pk"), operation=operation, granted_at__lte=at, valid_until__gte=at
    )


def _unoverridden(queryset: models.QuerySet, operation: str | None, at: datetime | None) -> models.QuerySet:
    if operation is None:
        return queryset
    return queryset.exclude(Exists(_overrides_in_force(operation, at or timezone.now())))


def restricted_subject_exists(
    subject_ref: str = "pk", *, operation: str | None = None, at: datetime | None = None
) -> Exists:
    """``Exists`` of a restriction in force on ``OuterRef(subject_ref)``.

    With ``operation``, restrictions with an Art. 18(2) override in force for it do not count.
    """
    marks = Restriction.objects.in_force().filter(subject_id=OuterRef(subject_ref))
    return Exists(_unoverridden(marks, operation, at))


def is_restricted(subject_id: int, *, operation: str | None = None) -> bool:
    """Whether any restriction is in force on the subject (and not overridden for ``operation``)."""
    marks = Restriction.objects.in_force().filter(subject_id=subject_id)
    return _unoverridden(marks, operation, None).exists()


def override_in_force(*, subject_id: int, operation: str, at: datetime | None = None) -> bool:
    """Whether every restriction in force on the subject has an override for ``operation``."""
    marks = Restriction.objects.in_force().filter(subject_id=subject_id)
    return marks.exists() and not _unoverridden(marks, operation, at).exists()


def marketing_block(subject_ref: str = "pk") -> Exists:
    """Condition ``MARKETING_BLOCKED``: restricted, no Art. 18(2) override for marketing (R1.11.3)."""
    return restricted_subject_exists(subject_ref, operation=Operation.MARKETING)


def automated_jobs_block(subject_ref: str = "pk") -> Exists:
    """Condition ``AUTOMATIC_JOBS_SUSPENDED``: restricted, no Art. 18(2) override for automated jobs (R1.11.3)."""
    return restricted_subject_exists(subject_ref, operation=Operation.AUTOMATED)


def restrictions_in_force(subject_id: int | None) -> list[Restriction]:
    if subject_id is None:
        return []
    return list(Restriction.objects.in_force().filter(subject_id=subject_id).order_by("started_at", "pk"))


def assert_editable(instance: models.Model) -> None:
    """Refuse a change to restricted data unless an edit override is in force (R1.11.3)."""
    subject_id = instance.pk if isinstance(instance, DataSubject) else getattr(instance, "subject_id", None)
    if subject_id is None:
        return
    label = instance._meta.label_lower
    marks = [mark for mark in restrictions_in_force(subject_id) if mark.covers(label, instance.pk)]
    if not marks:
        return
    now = timezone.now()
    granted = set(
        RestrictionOverride.objects.filter(
            restriction__in=marks, operation=Operation.EDIT, granted_at__lte=now, valid_until__gte=now
        ).values_list("restriction_id", flat=True)
    )
    if any(mark.pk not in granted for mark in marks):
        raise ValidationError(
            _(
                "This data is restricted (Art. 18): only storage is allowed. Record an Art. 18(2) override "
                "for changes, or lift the restriction after notifying the person."
            ),
            code="restricted",
        )


# --- Writes ----------------------------------------------------------------------------------


@transaction.atomic
def restriction_place(
    *,
    subject: DataSubject,
    ground: str,
    actor: User | None,
    request: Request | None = None,
    scope: str = Restriction.Scope.SUBJECT,
    categories: Iterable[str] = (),
    records: Iterable[str] = (),
    requested_by_subject: bool = True,
) -> Restriction:
    """Mark the subject's data (or listed kinds or records) as restricted (Art. 18(1), R1.11.2)."""
    restriction = Restriction(
        subject=subject,
        request=request,
        ground=ground,
        scope=scope,
        categories=sorted(set(categories)),
        records=sorted(set(records)),
        requested_by_subject=requested_by_subject,
        placed_by=actors.staff_or_none(actor),
    )
    restriction.full_clean()
    restriction.save()
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=restriction,
        fields=["ground", "scope", "categories", "records", "started_at"],
        reason="Restriction placed (Art. 18(1))",
    )
    send_subject_data_changed(
        subject_id=subject.pk, change_kind="restriction", request_id=getattr(request, "pk", None), actor=actor
    )
    return restriction


@transaction.atomic
def restriction_lift(*, restriction: Restriction, notice: str, notice_sent_on: date, actor: User | None) -> Restriction:
    """Lift a restriction; the notice to the person must be recorded first (Art. 18(3), R1.11.4)."""
    actors.require(actor, MANAGE_PERMISSION, _("Only the DPO lifts a restriction."))
    restriction = Restriction.objects.select_for_update().get(pk=restriction.pk)
    if not restriction.in_force:
        raise ValidationError(_("This restriction is already lifted."))
    if not (notice or "").strip() or notice_sent_on is None:
        raise ValidationError(
            {"lift_notice": _("Record the notice given to the person before lifting the restriction (Art. 18(3)).")}
        )
    if notice_sent_on > timezone.localdate():
        raise ValidationError({"lift_notice_sent_on": _("The notice date cannot be in the future.")})
    restriction.lift_notice = notice.strip()
    restriction.lift_notice_sent_on = notice_sent_on
    restriction.lifted_at = timezone.now()
    restriction.lifted_by = actors.staff_or_none(actor)
    restriction.full_clean()
    restriction.save(update_fields=["lift_notice", "lift_notice_sent_on", "lifted_at", "lifted_by"])
    audit.record(
        action=audit.Action.CHANGE,
        actor=actor,
        obj=restriction,
        fields=["lift_notice", "lift_notice_sent_on", "lifted_at", "lifted_by"],
        reason="Restriction lifted after notice to the person (Art. 18(3))",
    )
    return restriction


@transaction.atomic
def override_record(
    *,
    restriction: Restriction,
    purpose: str,
    operation: str,
    justification: str,
    actor: User | None,
    valid_until: datetime | None = None,
) -> RestrictionOverride:
    """Allow one kind of processing of restricted data on an Art. 18(2) ground (R1.11.3)."""
    actors.require(actor, MANAGE_PERMISSION, _("Only the DPO records an Art. 18(2) override."))
    if not restriction.in_force:
        raise ValidationError(_("This restriction is already lifted."))
    now = timezone.now()
    override = RestrictionOverride(
        restriction=restriction,
        purpose=purpose,
        operation=operation,
        justification=(justification or "").strip(),
        granted_at=now,
        valid_until=valid_until or now + DEFAULT_OVERRIDE_VALIDITY,
        granted_by=actors.staff_or_none(actor),
    )
    override.full_clean()
    override.save()
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=override,
        subject_id=restriction.subject_id,
        fields=["purpose", "operation", "justification", "valid_until"],
        reason="Art. 18(2) override recorded",
    )
    return override
