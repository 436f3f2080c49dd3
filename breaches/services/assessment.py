"""The risk assessment (EDPB Guidelines 9/2022, ENISA severity method): the DPO's, reasoning kept."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit

from .. import risk
from ..models import Breach, RiskAssessment
from .breach import breach_state, status_advance, version_write

ASSESS_PERMISSION = "breaches.assess_breach"


@transaction.atomic
def breach_assess(
    *,
    breach: Breach,
    actor: Any,
    processing_context: int,
    ease_of_identification: Decimal,
    loss_of_confidentiality: Decimal = Decimal(0),
    loss_of_integrity: Decimal = Decimal(0),
    loss_of_availability: Decimal = Decimal(0),
    malicious_intent: bool = False,
    reasoning: str,
    outcome: str | None = None,
    override_reason: str = "",
    now: datetime | None = None,
) -> RiskAssessment:
    """Score the breach, keep the reasoning; the latest assessment decides what is due."""
    actors.require(actor, ASSESS_PERMISSION)
    current = Breach.objects.select_for_update().get(pk=breach.pk)
    if current.status == Breach.Status.CLOSED:
        raise ValidationError(_("This breach is closed."))
    scored = risk.assess(
        processing_context=int(processing_context),
        ease_of_identification=Decimal(ease_of_identification),
        loss_of_confidentiality=Decimal(loss_of_confidentiality),
        loss_of_integrity=Decimal(loss_of_integrity),
        loss_of_availability=Decimal(loss_of_availability),
        malicious_intent=bool(malicious_intent),
    )
    chosen = outcome or scored.outcome
    errors: dict[str, list[str]] = {}
    if not (reasoning or "").strip():
        errors["reasoning"] = [_("Keep the reasoning of the assessment (EDPB Guidelines 9/2022).")]
    if chosen != scored.outcome and not (override_reason or "").strip():
        errors["override_reason"] = [
            _("The outcome differs from the one the score gives (%(computed)s): say why.")
            % {"computed": RiskAssessment.Outcome(scored.outcome).label}
        ]
    if errors:
        raise ValidationError(errors)
    assessment = RiskAssessment(
        breach=current,
        assessed_at=now or timezone.now(),
        assessed_by=actors.staff_or_none(actor),
        assessed_by_username=actors.username(actor),
        processing_context=int(processing_context),
        ease_of_identification=Decimal(ease_of_identification),
        loss_of_confidentiality=Decimal(loss_of_confidentiality),
        loss_of_integrity=Decimal(loss_of_integrity),
        loss_of_availability=Decimal(loss_of_availability),
        malicious_intent=bool(malicious_intent),
        score=scored.score,
        severity=scored.severity,
        computed_outcome=scored.outcome,
        outcome=chosen,
        override_reason=(override_reason or "").strip() if chosen != scored.outcome else "",
        reasoning=reasoning.strip(),
    )
    assessment.full_clean(exclude=["breach"])
    assessment.save()
    before = breach_state(current)
    status_advance(current, Breach.Status.ASSESSED)
    current.save(update_fields=["status"])
    version_write(
        current,
        before=before,
        summary=_("Assessed: %(outcome)s (score %(score)s)")
        % {"outcome": assessment.get_outcome_display(), "score": assessment.score},
        actor=actor,
        now=now,
    )
    audit.record(action=audit.Action.CREATE, actor=actor, obj=assessment, fields=["outcome", "reasoning"])
    return assessment
