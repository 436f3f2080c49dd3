"""Retention texts are shown to data subjects (Art. 15(1)(d)): keep internal references out of them.

The seed put "(LEGAL.md …)" references and ⚑ marks in a few retention texts. The DPO's open
questions keep them; the retention texts a person reads in their access export do not.
"""

import re

from django.db import migrations

INTERNAL_REFERENCE = re.compile(r"\s*\(LEGAL\.md[^)]*\)|\s*⚑")


def clean(text: str) -> str:
    return re.sub(r"\s+([.;,])", r"\1", INTERNAL_REFERENCE.sub("", text)).strip()


def forwards(apps, schema_editor):
    for model_name in ("ProcessingActivity", "ActivityDataCategory"):
        model = apps.get_model("consents", model_name)
        for row in model.objects.filter(retention__contains="LEGAL.md") | model.objects.filter(retention__contains="⚑"):
            row.retention = clean(row.retention)
            row.save(update_fields=["retention"])


class Migration(migrations.Migration):
    dependencies = [("consents", "0004_seed_privacy_policy_v1")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
