from django.db import migrations

from ijinus_privacy import audit_triggers


def install(apps, schema_editor):
    audit_triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    audit_triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ijinus_privacy", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
