"""Demo connected systems (``seed_demo``): the ijitrack platform and the e-mailing tool, pointing at
example addresses and inactive, so the demo never calls out. The DPO activates a system once its
address and credential are real (docs/connectors.md)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from consents.models import DataCategory, ProcessingActivity, Recipient

from . import services
from .models import ConnectedSystem

DEMO_SYSTEMS = (
    {
        "name": "Plateforme ijitrack",
        "kind": ConnectedSystem.Kind.IJITRACK,
        "base_url": "https://v2.ijitrack.example/privacy/v1",
        "audience_id": "",
        "supports_collect": True,
        "supports_erase": True,
        "supports_restrict": True,
        "supports_rectify": True,
        "categories": ("identity", "contact", "navigation", "device"),
        "activities": ("P05",),
        "recipient": "",
    },
    {
        "name": "Outil d'e-mailing",
        "kind": ConnectedSystem.Kind.EMAILING,
        "base_url": "https://us21.api.mailchimp.example/3.0",
        "audience_id": "a1b2c3d4e5",
        "supports_collect": True,
        "supports_erase": True,
        "supports_restrict": True,
        "supports_rectify": True,
        "supports_suppress": True,
        "categories": ("identity", "contact", "promotion"),
        "activities": ("P07",),
        "recipient": "emailing",
    },
)


def seed_connected_systems(*, dpo: AbstractBaseUser) -> list[ConnectedSystem]:
    """The two demo systems, inactive (idempotent: an existing one of the same name is left alone)."""
    systems = []
    for demo in DEMO_SYSTEMS:
        existing = ConnectedSystem.objects.filter(name=demo["name"]).first()
        if existing is not None:
            systems.append(existing)
            continue
        values = {key: value for key, value in demo.items() if key not in ("categories", "activities", "recipient")}
        values["active"] = False
        values["data_categories"] = DataCategory.objects.filter(code__in=demo["categories"])
        values["activities"] = ProcessingActivity.objects.filter(code__in=demo["activities"])
        values["recipient"] = Recipient.objects.filter(code=demo["recipient"]).first() if demo["recipient"] else None
        systems.append(services.connected_system_create(values=values, credential="demo-not-a-real-key", actor=dpo))
    return systems
