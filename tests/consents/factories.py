"""Register factories: a complete activity built through the services, as the DPO would."""

from __future__ import annotations

from consents import services
from consents.models import LegalBasis, ProcessingActivity


def complete_activity(*, code: str = "T01", actor=None, **overrides) -> ProcessingActivity:
    """An entry with every mandatory Art. 30(1) field, using seeded categories, recipients and measures."""
    fields = {
        "name": "Supplier contacts",
        "subject_categories": ["client_contact"],
        "data_categories": [{"category": "identity", "retention": "3 years"}, {"category": "contact", "retention": ""}],
        "recipients": ["staff-sales"],
        "transfers_outside_eu": ProcessingActivity.Transfers.NONE,
        "retention": "3 years after the last contact",
        "security_measures": ["access_permissions"],
        "purposes": [{"description": "Managing supplier contacts", "legal_basis": LegalBasis.CONTRACT}],
        **overrides,
    }
    return services.activity_create(code=code, actor=actor, reason="test", **fields)
