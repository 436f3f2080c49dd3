"""A register the DPO has finished documenting for data subjects: recipients named with their
country and safeguard, every retention decided. The seeded register leaves these open on purpose
(the policy does not name them), so an access export cannot be approved on it (R1.7.2)."""

from __future__ import annotations

import datetime as dt

from consents.models import ActivityDataCategory, ProcessingActivity, Recipient, TransferMechanism

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
RETENTION = {
    "P07": "5 years following the unsubscription or the last contact (policy §5).",
    "P09": "Trackers: 13 months maximum (policy §5; CNIL 2020-092 art. 5)",
    "P10": "Trackers: 13 months maximum (policy §5; CNIL 2020-092 art. 5)",
    "P11": "5 years after the request is closed",
    "P12": "5 years after the breach is closed",
    "P14": "5 years after the request is closed",
    "P15": "Until the directives are revoked or carried out",
}


def document_register() -> None:
    """Fill what the seed leaves to the DPO, as the DPO would in the admin (without versions: test set-up)."""
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
    ActivityDataCategory.objects.filter(activity__code="P03", category__code="identity").update(
        retention="Contract duration, then 10 years (policy §5)"
    )
    ActivityDataCategory.objects.filter(activity__code="P07", category__code="consent_proof").update(retention="")
    ActivityDataCategory.objects.filter(activity__code="P01", category__code="consent_proof").update(retention="")
    ProcessingActivity.objects.filter(code="P01").update(
        data_source="Directly from the person (forms, contacts with the sales team)."
    )
