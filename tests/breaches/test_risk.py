"""ENISA severity (DPC × EI + CB) and what the outcome makes due (Art. 33-34)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from breaches import obligations, risk
from breaches.models import Breach, RiskAssessment, Severity
from tests import factories as f


@pytest.mark.parametrize(
    ("inputs", "score", "severity"),
    [
        ({"processing_context": 1, "ease_of_identification": Decimal("1.00")}, "1.00", Severity.LOW),
        (
            {
                "processing_context": 1,
                "ease_of_identification": Decimal("1.00"),
                "loss_of_confidentiality": Decimal("0.50"),
                "loss_of_integrity": Decimal("0.50"),
            },
            "2.00",
            Severity.MEDIUM,
        ),
        ({"processing_context": 3, "ease_of_identification": Decimal("1.00")}, "3.00", Severity.HIGH),
        (
            {
                "processing_context": 3,
                "ease_of_identification": Decimal("1.00"),
                "malicious_intent": True,
                "loss_of_availability": Decimal("0.50"),
            },
            "4.00",
            Severity.VERY_HIGH,
        ),
        ({"processing_context": 4, "ease_of_identification": Decimal("0.25")}, "1.00", Severity.LOW),
    ],
)
def test_score_and_thresholds(inputs, score, severity):
    scored = risk.assess(**inputs)

    assert (scored.score, scored.severity) == (Decimal(score), severity)


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("severity", "due", "status"),
    [
        ("low", obligations.Due.REGISTER_ONLY, Breach.Status.ASSESSED),
        ("medium", obligations.Due.NOTIFY, Breach.Status.ASSESSED),
        ("high", obligations.Due.NOTIFY_AND_COMMUNICATE, Breach.Status.ASSESSED),
        ("very_high", obligations.Due.NOTIFY_AND_COMMUNICATE, Breach.Status.ASSESSED),
    ],
)
def test_the_outcome_decides_what_is_due(today, severity, due, status):
    breach = f.breach()
    before = obligations.due(breach)

    f.breach_assessed(breach, severity, actor=f.dpo_user())

    breach.refresh_from_db()
    assert before == obligations.Due.TO_ASSESS
    assert obligations.due(breach) == due
    assert breach.status == status


def test_the_latest_assessment_counts(today):
    breach = f.breach()
    dpo = f.dpo_user()
    f.breach_assessed(breach, "high", actor=dpo)

    f.breach_assessed(breach, "low", actor=dpo, reasoning="Le portable a été retrouvé scellé.")

    assert obligations.due(breach) == obligations.Due.REGISTER_ONLY
    assert obligations.outstanding(breach) == []


def test_an_outcome_other_than_the_computed_one_needs_a_reason(today):
    breach = f.breach()
    dpo = f.dpo_user()

    with pytest.raises(ValidationError) as refused:
        f.breach_assessed(breach, "low", actor=dpo, outcome=RiskAssessment.Outcome.HIGH_RISK)
    kept = f.breach_assessed(
        breach, "low", actor=dpo, outcome=RiskAssessment.Outcome.HIGH_RISK, override_reason="Mineurs concernés."
    )

    assert "override_reason" in refused.value.message_dict
    assert (kept.computed_outcome, kept.outcome) == (RiskAssessment.Outcome.NO_RISK, RiskAssessment.Outcome.HIGH_RISK)
    assert obligations.due(breach) == obligations.Due.NOTIFY_AND_COMMUNICATE


def test_the_reasoning_is_required(today):
    with pytest.raises(ValidationError) as refused:
        f.breach_assessed(f.breach(), "medium", actor=f.dpo_user(), reasoning="  ")

    assert "reasoning" in refused.value.message_dict


def test_sensitive_categories_suggest_the_highest_context(today):
    from consents.models import DataCategory

    sensitive = DataCategory.objects.create(code="health-test", name="Santé", sensitive=True)
    plain = f.breach()
    health = f.breach(data_categories=[sensitive])

    assert risk.suggested_context(plain) == 1
    assert risk.suggested_context(health) == 4
