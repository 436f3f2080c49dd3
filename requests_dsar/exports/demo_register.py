"""The demo's register, documented as far as an access export needs (R1.7.2): each recipient named
with its country and safeguard, each retention period decided, each source stated. The seed leaves
these to the DPO (the policy does not name them), and an access export cannot be approved without them.

Changes go through the register's services, so each one is a version the DPO can read.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from consents.models import ProcessingActivity, Recipient, TransferMechanism
from consents.services import activity_update, recipient_save

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# code -> (company, country, transfer mechanism)
RECIPIENTS = {
    "crm": ("Axonaut SAS", "FR", TransferMechanism.NONE),
    "hosting": ("OVH SAS", "FR", TransferMechanism.NONE),
    "web-host": ("o2switch SARL", "FR", TransferMechanism.NONE),
    "emailing": ("Brevo (Sendinblue SAS)", "FR", TransferMechanism.NONE),
    "carriers": ("DPD France SAS", "FR", TransferMechanism.NONE),
    "maintenance": ("Bretagne Mesure Services SARL", "FR", TransferMechanism.NONE),
    "accountant": ("Cabinet Le Roux Expertise", "FR", TransferMechanism.NONE),
    "analytics": ("Google LLC", "US", TransferMechanism.SCC),
    "social-networks": ("LinkedIn Ireland Unlimited Company", "IE", TransferMechanism.NONE),
    "partners": ("Hydreka SAS", "FR", TransferMechanism.NONE),
}
# Retention decided by the DPO where the seed left "DPO decision" or nothing.
RETENTION = {
    "P07": "5 years following the unsubscription or the last contact (policy §5).",
    "P09": "Trackers: 13 months maximum (policy §5; CNIL 2020-092 art. 5)",
    "P10": "Trackers: 13 months maximum (policy §5; CNIL 2020-092 art. 5)",
    "P11": "5 years after the request is closed",
    "P12": "5 years after the breach is closed",
    "P14": "5 years after the request is closed",
    "P15": "Until the directives are revoked or carried out",
}
# Category retention texts that are drafting notes: the activity's period applies instead.
CATEGORY_RETENTION = {
    ("P03", "identity"): "Contract duration, then 10 years (policy §5)",
    ("P01", "consent_proof"): "",
    ("P07", "consent_proof"): "",
}
DATA_SOURCES = {"P01": "Directly from the person (forms, contacts with the sales team)."}
REASON = "Demo: documented for access answers (Art. 15(1)(c)-(d),(g))"


def document_register(*, dpo: AbstractBaseUser | None) -> None:
    """Name the recipients and decide the open retention periods, through the register's services."""
    for code, (name, country, mechanism) in RECIPIENTS.items():
        recipient = Recipient.objects.filter(code=code).first()
        if recipient is None or recipient.name == name:
            continue
        recipient.name, recipient.country, recipient.transfer_mechanism = name, country, mechanism
        recipient.tia_reference = "TIA-2026-01" if mechanism == TransferMechanism.SCC else ""
        recipient.dpa_signed_on = dt.date(2025, 1, 15)
        recipient.open_questions = ""
        recipient_save(recipient=recipient, actor=dpo, reason=REASON)
    for activity in ProcessingActivity.objects.with_register():
        changes: dict = {}
        if activity.code in RETENTION and activity.retention != RETENTION[activity.code]:
            changes["retention"] = RETENTION[activity.code]
        if activity.code in DATA_SOURCES and activity.data_source != DATA_SOURCES[activity.code]:
            changes["data_source"] = DATA_SOURCES[activity.code]
        links = [
            {
                "category": link.category,
                "retention": CATEGORY_RETENTION.get((activity.code, link.category.code), link.retention),
            }
            for link in activity.data_category_links.all()
        ]
        if any(
            link["retention"] != old.retention
            for link, old in zip(links, activity.data_category_links.all(), strict=True)
        ):
            changes["data_categories"] = links
        if changes:
            activity_update(activity=activity, changes=changes, actor=dpo, reason=REASON)
