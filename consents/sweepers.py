"""Retention of records the consents app owns (rules of scope "records", see ijinus_privacy/sweepers.py)."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q

from ijinus_privacy.sweepers import raw_delete, sweep_records
from subjects.models import SubjectRole

from .models import MarketingBasis


def sweep_inactive_client_marketing(
    *, now, cutoff: date, batch_size: int, commit: bool, action: str, suspended
) -> dict:
    """Three years after a former client's contract end or last contact, the marketing bases that came
    from the client relationship (soft opt-in, B2B) lapse (policy §5, CNIL "gestion commerciale").

    Consent given for a channel is not touched: it has its own life (R2.4).
    """
    lapsed_former_client = SubjectRole.objects.filter(
        subject_id=OuterRef("subject_id"), role=SubjectRole.Role.INACTIVE_CLIENT
    ).filter(
        Q(contract_end_on__lte=cutoff) | Q(contract_end_on__isnull=True, collected_on__lte=cutoff),
        Q(last_inbound_contact_on__isnull=True) | Q(last_inbound_contact_on__lte=cutoff),
    )
    still_client = SubjectRole.objects.filter(subject_id=OuterRef("subject_id"), role=SubjectRole.Role.ACTIVE_CLIENT)
    due = (
        MarketingBasis.objects.filter(
            basis__in=[MarketingBasis.Basis.SOFT_OPT_IN, MarketingBasis.Basis.B2B_PROFESSIONAL]
        )
        .filter(Exists(lapsed_former_client))
        .exclude(Exists(still_client))
        .exclude(suspended("subject_id"))
    )
    return sweep_records(
        due, batch_size=batch_size, commit=commit, write=raw_delete, outcome="marketing_bases_deleted",
        reason="retention: former client's marketing basis after 3 years",
    )  # fmt: skip
