"""Point the seeded rules at the register entries by their codes (P01..P15, consents 0002)."""

from django.db import migrations

SLUG_TO_CODE = {
    "prospection": "P01",
    "customer-management": "P03",
    "ijitrack": "P05",
    "website-accounts": "P06",
    "newsletter": "P07",
    "marketing": "P08",
    "website-audience": "P09",
}


def forwards(apps, schema_editor):
    rule_model = apps.get_model("retention", "RetentionRule")
    for slug, code in SLUG_TO_CODE.items():
        rule_model.objects.filter(register_entry=slug).update(register_entry=code)


def backwards(apps, schema_editor):
    rule_model = apps.get_model("retention", "RetentionRule")
    for slug, code in SLUG_TO_CODE.items():
        rule_model.objects.filter(register_entry=code).update(register_entry=slug)


class Migration(migrations.Migration):
    dependencies = [("retention", "0002_seed_policy_rules"), ("consents", "0002_seed_register")]

    operations = [migrations.RunPython(forwards, backwards)]
