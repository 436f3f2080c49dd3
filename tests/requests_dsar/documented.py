"""Set-up for approving an access export: the register documented, and every source searched.

A register the DPO has finished documenting for data subjects: recipients named with their
country and safeguard, every retention decided (the demo's, ``requests_dsar.exports.demo_register``).
The seeded register leaves these open on purpose, so an access export cannot be approved on it (R1.7.2).

Written straight to the rows (no register version), as test set-up: an export built before stays approvable.

``search_register_systems``: staff went through every system the register names and recorded the
outcome (R1.7.1), as an access export needs before its approval.
"""

from __future__ import annotations

import datetime as dt

from consents.models import ActivityDataCategory, ProcessingActivity, Recipient, TransferMechanism
from requests_dsar.exports.demo_register import CATEGORY_RETENTION, DATA_SOURCES, RECIPIENTS, RETENTION
from requests_dsar.models import Request, SourceSearch
from requests_dsar.searches import register_systems
from requests_dsar.services import source_search_record


def document_register() -> None:
    for code, (name, country, mechanism) in RECIPIENTS.items():
        Recipient.objects.filter(code=code).update(
            name=name,
            country=country,
            transfer_mechanism=mechanism,
            tia_reference="TIA-2026-01" if mechanism == TransferMechanism.SCC else "",
            dpa_signed_on=dt.date(2025, 1, 15),
            open_questions="",
        )
    for code, retention in RETENTION.items():
        ProcessingActivity.objects.filter(code=code).update(retention=retention)
    for (code, category), retention in CATEGORY_RETENTION.items():
        ActivityDataCategory.objects.filter(activity__code=code, category__code=category).update(retention=retention)
    for code, source in DATA_SOURCES.items():
        ProcessingActivity.objects.filter(code=code).update(data_source=source)


def search_register_systems(dsar: Request, *, actor=None, outcome: str = SourceSearch.Outcome.NOTHING) -> None:
    """Every system of the register searched for ``dsar`` (by a customer-service user unless ``actor``)."""
    from tests.factories import support_user

    source_search_record(
        request=dsar,
        sources=[system.name for system in register_systems()],
        outcome=outcome,
        note="Checked" if outcome == SourceSearch.Outcome.NOT_APPLICABLE else "",
        actor=actor or support_user(),
    )
