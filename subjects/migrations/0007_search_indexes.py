"""Search indexes of the subjects list on PostgreSQL only (issue 13, T4; ijinus_privacy.admin_scale).

Trigram GIN indexes on upper(col) serve ``icontains`` (Django compiles it to ``UPPER(col::text) LIKE
UPPER('%word%')``) on the names, the organisation and the e-mail (an e-mail fragment finds its
person). The phone's digits get a btree: a phone number typed in any form is compared digit for digit.
An exact e-mail uses the unique index on ``email`` (migration 0001).
"""

from django.db import migrations

from ijinus_privacy.pg_indexes import create_concurrently


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [
        ("subjects", "0006_support_ticket_contact_channel"),
    ]

    operations = [
        create_concurrently(
            ("subjects_ds_last_name_trgm", "ON subjects_datasubject USING gin (upper(last_name) gin_trgm_ops)"),
            ("subjects_ds_first_names_trgm", "ON subjects_datasubject USING gin (upper(first_names) gin_trgm_ops)"),
            ("subjects_ds_organisation_trgm", "ON subjects_datasubject USING gin (upper(organisation) gin_trgm_ops)"),
            ("subjects_ds_email_trgm", "ON subjects_datasubject USING gin (upper(email) gin_trgm_ops)"),
            ("subjects_ds_phone_digits", "ON subjects_datasubject (regexp_replace(phone, '[^0-9]', '', 'g'))"),
        ),
    ]
