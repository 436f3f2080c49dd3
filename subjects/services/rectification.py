"""Rectification (Art. 16, R1.9): proposed field by field, applied by staff.

A proposal holds the new value until it is applied or rejected; then the value is cleared, since
it is personal data, and the audit trail keeps the field names only (R5.1). Applying goes through
``subjects.services.subject_update``: validation, sensitive-data screening and the restriction
check run as for any other save. When the person contests accuracy, staff are offered a
restriction while it is checked (Art. 18(1)(a), R1.9.2): ``rectification_restrict``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ijinus_privacy import actors, audit

from ..models import RECTIFIABLE_FIELDS, DataSubject, Rectification, Restriction
from ..signals import send_subject_data_changed
from . import subject as services
from .restriction import restriction_place

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

    from requests_dsar.models import Request

RECTIFY_PERMISSION = "subjects.change_rectification"


@transaction.atomic
def rectification_propose(
    *,
    subject: DataSubject,
    changes: Mapping[str, str],
    actor: User | None,
    request: Request | None = None,
    accuracy_contested: bool = False,
) -> list[Rectification]:
    """Record one proposed change per field (R1.9.1); nothing is changed on the subject yet."""
    unknown = sorted(name for name in changes if name not in RECTIFIABLE_FIELDS)
    if unknown or not changes:
        raise ValidationError(_("Propose at least one change, to rectifiable fields only."))
    proposals = []
    for name, value in sorted(changes.items()):
        proposal = Rectification(
            subject=subject,
            request=request,
            field_name=name,
            proposed_value="" if value is None else str(value),
            accuracy_contested=accuracy_contested,
            proposed_by=actors.staff_or_none(actor),
        )
        proposal.full_clean()
        proposal.save()
        audit.record(
            action=audit.Action.CREATE,
            actor=actor,
            obj=proposal,
            fields=[name],
            reason="Rectification proposed (Art. 16)",
        )
        proposals.append(proposal)
    return proposals


def _python_value(name: str, raw: str) -> Any:
    field = DataSubject._meta.get_field(name)
    if raw == "" and field.null:
        return None
    return field.to_python(raw)


def _close(proposal: Rectification, *, status: str, actor: User | None) -> None:
    proposal.status = status
    proposal.proposed_value = ""
    proposal.decided_at = timezone.now()
    proposal.decided_by = actors.staff_or_none(actor)
    proposal.save(update_fields=["status", "proposed_value", "decided_at", "decided_by"])
    audit.record(
        action=audit.Action.CHANGE,
        actor=actor,
        obj=proposal,
        fields=["status", "proposed_value"],
        reason=f"Rectification {status}",
    )


def _lock_pending(rectifications: Sequence[Rectification]) -> list[Rectification]:
    ids = [proposal.pk for proposal in rectifications]
    locked = list(Rectification.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(set(ids)) or not locked:
        raise ValidationError(_("Some of these rectifications no longer exist."))
    if any(proposal.status != Rectification.Status.PROPOSED for proposal in locked):
        raise ValidationError(_("Only proposed rectifications can be applied or rejected."))
    return locked


@transaction.atomic
def rectification_apply(*, rectifications: Sequence[Rectification], actor: User | None) -> DataSubject:
    """Apply proposals for one subject in one save; clear their values; tell recipients (Art. 19)."""
    actors.require(actor, RECTIFY_PERMISSION, _("Only staff apply or reject rectifications."))
    proposals = _lock_pending(rectifications)
    subject_ids = {proposal.subject_id for proposal in proposals}
    if len(subject_ids) != 1:
        raise ValidationError(_("Apply the rectifications of one subject at a time."))
    names = [proposal.field_name for proposal in proposals]
    if len(set(names)) != len(names):
        raise ValidationError(_("Two proposals change the same field: reject one of them first."))
    subject = DataSubject.objects.select_for_update().get(pk=subject_ids.pop())
    try:
        fields = {
            proposal.field_name: _python_value(proposal.field_name, proposal.proposed_value) for proposal in proposals
        }
    except ValidationError as error:
        raise ValidationError(_("A proposed value is not valid for its field.")) from error
    services.subject_update(subject=subject, fields=fields, actor=actor)
    for proposal in proposals:
        _close(proposal, status=Rectification.Status.APPLIED, actor=actor)
    request_ids = {proposal.request_id for proposal in proposals}
    send_subject_data_changed(
        subject_id=subject.pk,
        change_kind="rectification",
        request_id=request_ids.pop() if len(request_ids) == 1 else None,
        actor=actor,
    )
    return subject


@transaction.atomic
def rectification_reject(*, rectifications: Sequence[Rectification], actor: User | None) -> int:
    """Reject proposals (the data was checked and is accurate); their values are cleared."""
    actors.require(actor, RECTIFY_PERMISSION, _("Only staff apply or reject rectifications."))
    proposals = _lock_pending(rectifications)
    for proposal in proposals:
        _close(proposal, status=Rectification.Status.REJECTED, actor=actor)
    return len(proposals)


@transaction.atomic
def rectification_restrict(*, rectification: Rectification, actor: User | None) -> Restriction:
    """Restrict the contested identity data while its accuracy is checked (Art. 18(1)(a), R1.9.2)."""
    return restriction_place(
        subject=rectification.subject,
        ground=Restriction.Ground.ACCURACY_CONTESTED,
        scope=Restriction.Scope.CATEGORIES,
        categories=[DataSubject._meta.label_lower],
        request=rectification.request,
        actor=actor,
    )
