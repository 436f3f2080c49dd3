"""Seed the consent purposes' register entries, and mark the consent wordings already in use.

Each consent purpose and channel depends on one register entry (codes of migration 0002): a
substantive change of that entry asks for a new consent. Consent wordings stored before the
content check existed stay usable (people consented on them) and are listed for the DPO's review.
"""

from django.db import migrations

PURPOSE_ENTRIES = {
    "newsletter_email": "P07",
    "quotation_request": "P02",
    "marketing_push": "P08",
    "service_push": "P05",
    "phone_marketing": "P08",
    "partner_sharing": "P08",
    "cookies_audience": "P09",
    "cookies_advertising": "P09",
    "cookies_social": "P09",
    "cookies_personalisation": "P09",
    "geolocation": "P05",
}


def seed(apps, schema_editor):
    ProcessingActivity = apps.get_model("consents", "ProcessingActivity")
    ConsentPurposeSetting = apps.get_model("consents", "ConsentPurposeSetting")
    Notice = apps.get_model("consents", "Notice")
    ConsentTextReview = apps.get_model("consents", "ConsentTextReview")
    activities = {a.code: a for a in ProcessingActivity.objects.filter(code__in=set(PURPOSE_ENTRIES.values()))}
    for channel, code in PURPOSE_ENTRIES.items():
        ConsentPurposeSetting.objects.get_or_create(channel=channel, defaults={"activity": activities.get(code)})
    for notice in Notice.objects.filter(kind="consent_text"):
        ConsentTextReview.objects.get_or_create(notice=notice, defaults={"status": "in_use_before_check"})


class Migration(migrations.Migration):
    dependencies = [("consents", "0012_information_duties")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
