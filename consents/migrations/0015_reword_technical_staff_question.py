"""The seeded question on the technical staff named a requirement code and a policy section, which
the register's public texts strip, leaving "Named in, not in confirm." Reworded in plain words;
left alone if the DPO has already changed or settled it."""

from django.db import migrations

OLD = "Named in LEGAL.md R3.3 (#2), not in policy §6.1: confirm."
NEW = (
    "The privacy policy's list of recipients does not name the technical staff: "
    "confirm that they receive personal data, and add them to the policy."
)


def reword(apps, schema_editor):
    Recipient = apps.get_model("consents", "Recipient")
    Recipient.objects.filter(code="staff-technical", open_questions=OLD).update(open_questions=NEW)


def unreword(apps, schema_editor):
    Recipient = apps.get_model("consents", "Recipient")
    Recipient.objects.filter(code="staff-technical", open_questions=NEW).update(open_questions=OLD)


class Migration(migrations.Migration):
    dependencies = [("consents", "0014_labels_cite_the_law")]
    operations = [migrations.RunPython(reword, unreword)]
