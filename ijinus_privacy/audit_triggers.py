"""Database triggers that make the audit trail append-only (R5.1.2, R5.1.3).

UPDATE, DELETE (and TRUNCATE on PostgreSQL) are refused by the database, whoever asks. The one
UPDATE let through sets ``actor_id`` to NULL and changes nothing else: Django's ``SET_NULL`` when
a staff account is deleted. The chain does not cover ``actor_id``, so it stays verifiable.

The one DELETE let through removes an event a checkpoint already covers (its id is at most the
latest checkpoint's ``last_event_id``): the retention purge (R5.1.3, ``audit_retention``) writes the
signed checkpoint first, then deletes. Checkpoints themselves refuse UPDATE and DELETE. Migrations
written before the checkpoint table existed call ``install`` too: the checkpoint parts are
installed only once that table exists.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "ijinus_privacy_auditevent"
CHECKPOINT_TABLE = "ijinus_privacy_auditcheckpoint"
_LIVE_LINK = "actor_id"  # the one column the chain does not cover
_COVERED = "(SELECT COALESCE(MAX(last_event_id), 0) FROM ijinus_privacy_auditcheckpoint)"


def _postgres_install(*, with_checkpoints: bool) -> list[str]:
    purge = (
        f"""IF TG_OP = 'DELETE' AND OLD.id <= {_COVERED} THEN
            RETURN OLD;
        END IF;"""
        if with_checkpoints
        else ""
    )
    statements = [
        f"""
    CREATE OR REPLACE FUNCTION ijinus_audit_append_only() RETURNS trigger AS $$
    BEGIN
        {purge}
        IF TG_OP = 'UPDATE' THEN
            IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
               AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
                RETURN NEW;
            END IF;
        END IF;
        RAISE EXCEPTION 'audit trail is append-only: % refused on {TABLE}', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$ LANGUAGE plpgsql
    """,
        f"""CREATE TRIGGER ijinus_audit_append_only_row BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION ijinus_audit_append_only()""",
        f"""CREATE TRIGGER ijinus_audit_append_only_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION ijinus_audit_append_only()""",
    ]
    if with_checkpoints:
        statements += [
            f"""
    CREATE OR REPLACE FUNCTION ijinus_audit_checkpoint_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit checkpoints are append-only: % refused on {CHECKPOINT_TABLE}', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$ LANGUAGE plpgsql
    """,
            f"""CREATE TRIGGER ijinus_audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON {CHECKPOINT_TABLE}
        FOR EACH ROW EXECUTE FUNCTION ijinus_audit_checkpoint_append_only()""",
            f"""CREATE TRIGGER ijinus_audit_checkpoint_no_truncate BEFORE TRUNCATE ON {CHECKPOINT_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION ijinus_audit_checkpoint_append_only()""",
        ]
    return statements


_POSTGRES_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS ijinus_audit_append_only_row ON {TABLE}",
    f"DROP TRIGGER IF EXISTS ijinus_audit_append_only_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS ijinus_audit_append_only()",
]
_POSTGRES_CHECKPOINT_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS ijinus_audit_checkpoint_append_only ON {CHECKPOINT_TABLE}",
    f"DROP TRIGGER IF EXISTS ijinus_audit_checkpoint_no_truncate ON {CHECKPOINT_TABLE}",
    "DROP FUNCTION IF EXISTS ijinus_audit_checkpoint_append_only()",
]


def _has_checkpoints(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        return CHECKPOINT_TABLE in connection.introspection.table_names(cursor)


def _sqlite_install(connection: BaseDatabaseWrapper) -> list[str]:
    """The UPDATE trigger lets through only the SET NULL of ``actor_id``: every other column, as the
    table has them now (a column added later is covered by re-installing), must stay the same."""
    with connection.cursor() as cursor:
        columns = [column.name for column in connection.introspection.get_table_description(cursor, TABLE)]
    unchanged = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in columns if column != _LIVE_LINK)
    with_checkpoints = _has_checkpoints(connection)
    covered = f"WHEN OLD.id > {_COVERED}" if with_checkpoints else ""
    checkpoints = (
        [
            f"""CREATE TRIGGER IF NOT EXISTS ijinus_audit_checkpoint_no_delete BEFORE DELETE ON {CHECKPOINT_TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only: DELETE refused on {CHECKPOINT_TABLE}'); END""",
            f"""CREATE TRIGGER IF NOT EXISTS ijinus_audit_checkpoint_no_update BEFORE UPDATE ON {CHECKPOINT_TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only: UPDATE refused on {CHECKPOINT_TABLE}'); END""",
        ]
        if with_checkpoints
        else []
    )
    return [
        *checkpoints,
        f"""CREATE TRIGGER IF NOT EXISTS ijinus_audit_no_delete BEFORE DELETE ON {TABLE} {covered}
        BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: DELETE refused on {TABLE}'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS ijinus_audit_no_update BEFORE UPDATE ON {TABLE}
        WHEN NOT (OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL AND {unchanged})
        BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE refused on {TABLE}'); END""",
    ]


_SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS ijinus_audit_no_delete",
    "DROP TRIGGER IF EXISTS ijinus_audit_no_update",
    "DROP TRIGGER IF EXISTS ijinus_audit_checkpoint_no_delete",
    "DROP TRIGGER IF EXISTS ijinus_audit_checkpoint_no_update",
]


def _statements(connection: BaseDatabaseWrapper, *, install: bool) -> list[str]:
    if connection.vendor == "postgresql":
        if install:
            return _postgres_install(with_checkpoints=_has_checkpoints(connection))
        return _POSTGRES_UNINSTALL + _POSTGRES_CHECKPOINT_UNINSTALL
    if connection.vendor == "sqlite":
        return _sqlite_install(connection) if install else _SQLITE_UNINSTALL
    raise NotImplementedError(f"No append-only triggers for the {connection.vendor} backend.")


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=True):
            cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=False):
            cursor.execute(statement)
