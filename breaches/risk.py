"""The severity of a breach by the ENISA method (Recommendations for a methodology of the assessment of
severity of personal data breaches, 2013), as the EDPB Guidelines 9/2022 invite: SE = DPC × EI + CB.

* DPC, the data processing context: 1 (simple data) to 4 (sensitive data);
* EI, the ease of identification: 0.25 (negligible) to 1 (maximum);
* CB, the circumstances: loss of confidentiality, of integrity, of availability (0 to +0.5 each)
  and malicious intent (+0.5).

Severity: below 2 low, below 3 medium, below 4 high, from 4 very high. The outcome follows: low, no
risk (register only, Art. 33(5)); medium, a risk (notify the CNIL, Art. 33); high and very high, a
high risk (notify the CNIL and tell the people, Art. 34). The DPO may choose another outcome, saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .models import ProcessingContext, RiskAssessment, Severity

MALICIOUS_INTENT = Decimal("0.5")
THRESHOLDS = ((Decimal(2), Severity.LOW), (Decimal(3), Severity.MEDIUM), (Decimal(4), Severity.HIGH))

OUTCOME_BY_SEVERITY = {
    Severity.LOW: RiskAssessment.Outcome.NO_RISK,
    Severity.MEDIUM: RiskAssessment.Outcome.RISK,
    Severity.HIGH: RiskAssessment.Outcome.HIGH_RISK,
    Severity.VERY_HIGH: RiskAssessment.Outcome.HIGH_RISK,
}


@dataclass(frozen=True)
class Scored:
    score: Decimal
    severity: Severity
    outcome: RiskAssessment.Outcome


def score(
    *,
    processing_context: int,
    ease_of_identification: Decimal,
    loss_of_confidentiality: Decimal = Decimal(0),
    loss_of_integrity: Decimal = Decimal(0),
    loss_of_availability: Decimal = Decimal(0),
    malicious_intent: bool = False,
) -> Decimal:
    circumstances = (
        Decimal(loss_of_confidentiality)
        + Decimal(loss_of_integrity)
        + Decimal(loss_of_availability)
        + (MALICIOUS_INTENT if malicious_intent else Decimal(0))
    )
    return (Decimal(processing_context) * Decimal(ease_of_identification) + circumstances).quantize(Decimal("0.01"))


def severity(value: Decimal) -> Severity:
    for limit, level in THRESHOLDS:
        if value < limit:
            return level
    return Severity.VERY_HIGH


def assess(**inputs) -> Scored:
    value = score(**inputs)
    level = severity(value)
    return Scored(score=value, severity=level, outcome=OUTCOME_BY_SEVERITY[level])


def suggested_context(breach) -> int:
    """A starting point for the DPC: 4 when a sensitive category (Art. 9-10) is involved, else 1."""
    if breach.pk is not None and breach.data_categories.filter(sensitive=True).exists():
        return ProcessingContext.SENSITIVE
    return ProcessingContext.SIMPLE
