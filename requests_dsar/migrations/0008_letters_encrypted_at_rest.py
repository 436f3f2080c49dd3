"""Letters are encrypted at rest under random names (issue 12, item 13).

Letters written before were plain PDFs under predictable names (``dsar/letters/YYYY/MM/
request-<id>-<kind>-<lang>.pdf``) served from MEDIA_URL: each is encrypted under
``letters/<random>.enc`` and the plain file removed. A letter whose file is missing keeps its row
without a file. Reversing leaves the encrypted files as they are.
"""

import secrets
from pathlib import Path

from django.db import migrations, models


def encrypt_existing_letters(apps, schema_editor):
    from django.conf import settings

    from ijinus_privacy import storage

    Letter = apps.get_model("requests_dsar", "Letter")
    root = Path(settings.MEDIA_ROOT)
    for letter in Letter.objects.exclude(pdf="").exclude(pdf__startswith="letters/").iterator():
        plain = root / letter.pdf.name
        if plain.is_file():
            letter.pdf = storage.write(plain.read_bytes(), relative=f"letters/{secrets.token_urlsafe(24)}.enc")
            letter.save(update_fields=["pdf"])
            plain.unlink()
        else:
            letter.pdf = ""
            letter.save(update_fields=["pdf"])


class Migration(migrations.Migration):
    dependencies = [
        ("requests_dsar", "0007_export_job_owner_heartbeat"),
    ]

    operations = [
        migrations.AlterField(
            model_name="letter",
            name="pdf",
            field=models.FileField(
                blank=True,
                help_text="Read through the audited admin view only.",
                upload_to="letters/",
                verbose_name="PDF (encrypted)",
            ),
        ),
        migrations.RunPython(encrypt_existing_letters, migrations.RunPython.noop),
    ]
