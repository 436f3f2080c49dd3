"""Indexes only PostgreSQL gets: the trigram and expression indexes the admin searches use
(``ijinus_privacy.admin_scale``; issue 13, PERFORMANCE.md T4).

A migration lists them with ``create_concurrently(...)``. Each is built with ``CREATE INDEX
CONCURRENTLY`` (no write lock on a table of millions; such a migration sets ``atomic = False``), is
skipped when it exists, and replaces an invalid leftover of an interrupted build. ``pg_trgm`` is
created when a trigram index needs it (a trusted extension: the database owner may create it).
SQLite, the embedded mode, gets none of them and searches the same way, unindexed. Django's model
state does not know these indexes, so ``makemigrations`` leaves them alone.
"""

from __future__ import annotations

from django.db import migrations


def create_concurrently(*indexes: tuple[str, str]) -> migrations.RunPython:
    """``indexes``: ``(name, "ON table USING ... (...)")`` pairs; reversed by dropping them."""

    def forward(apps, schema_editor) -> None:
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            if any("gin_trgm_ops" in definition for _name, definition in indexes):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for name, definition in indexes:
                cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name])
                found = cursor.fetchone()
                if found is not None and not found[0]:
                    cursor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
                cursor.execute(f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" {definition}')

    def backward(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')

    return migrations.RunPython(forward, backward, elidable=False)
