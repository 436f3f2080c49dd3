"""A register the DPO has finished documenting for data subjects: recipients named with their
country and safeguard, every retention decided (the demo's, ``requests_dsar.exports.demo_register``).
The seeded register leaves these open on purpose, so an access export cannot be approved on it (R1.7.2).

Written straight to the rows (no register version), as test set-up: an export built before stays approvable.
"""

from __future__ import annotations

import datetime as dt

from consents.models import ActivityDataCategory, ProcessingActivity, Recipient, TransferMechanism
from requests_dsar.exports.demo_register import CATEGORY_RETENTION, DATA_SOURCES, RECIPIENTS, RETENTION


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
