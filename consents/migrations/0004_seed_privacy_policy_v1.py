"""Store the privacy policy in force as version 1 (R5.6.1), read from consents/notices/."""

import hashlib
from datetime import date
from pathlib import Path

from django.db import migrations

POLICY_FILE = Path(__file__).resolve().parent.parent / "notices" / "privacy-policy-v1.txt"
# The policy text carries no date: this is the date the back office took it over (DPO to confirm).
EFFECTIVE_ON = date(2025, 1, 1)


def seed(apps, schema_editor):
    Notice = apps.get_model("consents", "Notice")
    text = POLICY_FILE.read_text(encoding="utf-8")
    Notice.objects.get_or_create(
        kind="privacy_policy",
        channel="",
        language="en",
        version=1,
        defaults={
            "effective_on": EFFECTIVE_ON,
            "title": "IJINUS privacy policy",
            "text": text,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("consents", "0003_consent_records")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
