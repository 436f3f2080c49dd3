"""Audit trail and outbox lists on PostgreSQL (issue 13): the exact searches (user name, object id)
and the action filter in the list's order (id, newest first) served by indexes, not a scan of
millions of rows. A subject number uses the index on ``subject_id`` (migration 0001)."""

from django.db import migrations

from ijinus_privacy.pg_indexes import create_concurrently


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [
        ("ijinus_privacy", "0004_outbox_message"),
    ]

    operations = [
        create_concurrently(
            ("audit_actor_username", "ON ijinus_privacy_auditevent (actor_username)"),
            ("audit_object_id", "ON ijinus_privacy_auditevent (object_id)"),
            ("audit_action_id", "ON ijinus_privacy_auditevent (action, id)"),
            ("outbox_object_id", "ON ijinus_privacy_outboxmessage (object_id)"),
        ),
    ]
