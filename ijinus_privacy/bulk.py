"""Insert many rows at once: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere (PERFORMANCE.md T5).

``bulk_create`` on PostgreSQL builds one ``INSERT`` of a thousand rows with a parameter per value;
building that statement and quoting its parameters costs more than the database's write. ``COPY``
streams the same rows (psycopg 3 ``cursor.copy``): the background import of 100,000 people writes
its people and their audit events this way.

The rows get their primary keys before the copy, from the table's own sequence (one
``nextval`` per row, in one query), in the order given: callers that need the ids (an audit event
per person) have them, and rows inserted together keep their order (the audit chain is walked in
id order). Field defaults and ``pre_save`` (``auto_now_add``) apply as with ``bulk_create``;
signals are not sent, as with ``bulk_create``. Runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import batched

from django.db import connections, models, router

# Fields of exactly these classes store a value of this Python type as it is: no conversion to run
# per value (``get_db_prep_save`` is the bulk of a copy's cost). Subclasses (an encrypted field, say)
# always go through their own conversion.
_PLAIN: dict[type[models.Field], type] = {
    models.CharField: str,
    models.TextField: str,
    models.EmailField: str,
    models.SlugField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.SmallIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
    models.ForeignKey: int,
}


def _converter(field: models.Field, connection):
    plain = _PLAIN.get(type(field))

    def convert(value):
        if value is None or type(value) is plain:
            return value
        return field.get_db_prep_save(value, connection)

    return convert


def bulk_insert(model: type[models.Model], instances: Sequence[models.Model], *, batch_size: int = 1000) -> None:
    """Insert ``instances`` (new rows of ``model``) and set their primary keys."""
    if not instances:
        return
    using = router.db_for_write(model)
    connection = connections[using]
    if connection.vendor != "postgresql":
        model.objects.using(using).bulk_create(instances, batch_size=batch_size)
        return
    opts = model._meta
    fields = [field for field in opts.concrete_fields if not field.generated]
    table = connection.ops.quote_name(opts.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    pk = opts.pk
    converters = [_converter(field, connection) for field in fields]
    with connection.cursor() as cursor:
        for batch in batched(instances, 10 * batch_size, strict=False):
            missing = [obj for obj in batch if obj.pk is None]
            if missing:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [opts.db_table, pk.column, len(missing)],
                )
                for obj, (value,) in zip(missing, cursor.fetchall(), strict=True):
                    setattr(obj, pk.attname, value)
            raw = cursor.cursor  # psycopg's own cursor, under Django's wrapper
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for obj in batch:
                    copy.write_row(
                        [convert(field.pre_save(obj, True)) for field, convert in zip(fields, converters, strict=True)]
                    )
            for obj in batch:
                obj._state.adding = False
                obj._state.db = using


def bulk_update(
    model: type[models.Model], instances: Sequence[models.Model], field_names: Sequence[str], *, batch_size: int = 1000
) -> None:
    """Write ``field_names`` of ``instances`` (rows on file) in bulk, and their ``auto_now`` fields.

    On PostgreSQL the new values are copied into a temporary table, then one ``UPDATE ... FROM``
    per ten thousand rows: ``bulk_update`` builds a ``CASE`` of a thousand branches per column
    instead. Elsewhere ``bulk_update``.
    """
    if not instances:
        return
    opts = model._meta
    stamped = [field for field in opts.concrete_fields if getattr(field, "auto_now", False)]
    for field in stamped:  # as save() would: "updated at" moves with the change
        for obj in instances:
            field.pre_save(obj, False)
    field_names = list(dict.fromkeys([*field_names, *(field.name for field in stamped)]))
    using = router.db_for_write(model)
    connection = connections[using]
    if connection.vendor != "postgresql":
        model.objects.using(using).bulk_update(instances, field_names, batch_size=batch_size)
        return
    fields = [opts.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    table, pk = quote(opts.db_table), opts.pk
    staged = quote(f"bulk_update_{opts.db_table}")
    columns = [pk, *fields]
    converters = [_converter(field, connection) for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staged} ON COMMIT DROP AS "  # noqa: S608 (quoted model names only)
            f"SELECT {', '.join(quote(field.column) for field in columns)} FROM {table} WITH NO DATA"
        )
        for batch in batched(instances, 10 * batch_size, strict=False):
            with cursor.cursor.copy(f"COPY {staged} FROM STDIN") as copy:
                for obj in batch:
                    copy.write_row(
                        [
                            convert(getattr(obj, field.attname))
                            for field, convert in zip(columns, converters, strict=True)
                        ]
                    )
            assignments = ", ".join(f"{quote(field.column)} = s.{quote(field.column)}" for field in fields)
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM {staged} AS s "  # noqa: S608 (quoted model names only)
                f"WHERE t.{quote(pk.column)} = s.{quote(pk.column)}"
            )
            cursor.execute(f"TRUNCATE {staged}")
        cursor.execute(f"DROP TABLE {staged}")  # a failure rolls the transaction back, and the table with it
