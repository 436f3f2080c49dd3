"""Requests list on PostgreSQL (issue 13): the requester's e-mail searched exactly (stored
normalised), and the list's order (due date, id) read from an index instead of a sort."""

from django.db import migrations

from ijinus_privacy.pg_indexes import create_concurrently


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [
        ("requests_dsar", "0008_letters_encrypted_at_rest"),
    ]

    operations = [
        create_concurrently(
            ("dsar_request_requester_email", "ON requests_dsar_request (requester_email)"),
            ("dsar_request_due_id", "ON requests_dsar_request (due_on, id)"),
        ),
    ]
