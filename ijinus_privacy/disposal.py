"""Set-based deletion that honours ``on_delete`` like Django's collector (R4.4.3, R1.10).

``subjects.disposal.dispose_subjects`` deletes whole people with it; any source can use it for
rows that other rows hang on.
"""

from __future__ import annotations

from django.db.models import CASCADE, DO_NOTHING, PROTECT, RESTRICT, SET_NULL, QuerySet, signals
from django.db.models.deletion import DatabaseOnDelete, get_candidate_relations_to_delete

from .personal_data import Delete, IdBatch, Step, Update, in_ids


def cascade_steps(rows: QuerySet, *, first_level_ids: IdBatch | None = None, path: tuple = ()) -> list[Step] | None:
    """Deleting ``rows`` as steps, honouring every ``on_delete``, without loading a row.

    What Django's collector does, set-based: each reverse relation's rows are selected by the ids
    (``first_level_ids``, the ids of ``rows`` when known) then by subquery, level by level; CASCADE
    becomes a DELETE of the children before their parents, SET_NULL an UPDATE, database-level
    actions are left to the database. ``None`` when something needs the collector itself (PROTECT,
    RESTRICT, SET_DEFAULT, many-to-many, generic relations, signal receivers, a cycle): the caller
    then deletes through the ORM, so the semantics never change, only the speed.
    """
    model = rows.model
    opts = model._meta
    if model in path or signals.pre_delete.has_listeners(model) or signals.post_delete.has_listeners(model):
        return None
    if opts.parents or opts.private_fields or opts.many_to_many:  # parent rows, generic relations, M2M rows
        return None
    steps: list[Step] = []
    # Every relation Django's collector follows, hidden ones (related_name="+") included.
    for rel in get_candidate_relations_to_delete(opts):
        if not rel.field.concrete or rel.on_delete in (PROTECT, RESTRICT):
            return None
        if isinstance(rel.on_delete, DatabaseOnDelete) or rel.on_delete is DO_NOTHING:
            continue
        if not rel.field.target_field.primary_key:  # to_field: the ids below are primary keys
            return None
        manager = rel.related_model._base_manager.using(rows.db)
        if first_level_ids is not None:
            related = manager.filter(in_ids(rel.field.attname, first_level_ids))
        else:
            related = manager.filter(**{f"{rel.field.name}__in": rows.values("pk")})
        if rel.on_delete is SET_NULL:
            steps.append(Update(related, {rel.field.name: None}))
        elif rel.on_delete is CASCADE:
            children = cascade_steps(related, path=(*path, model))
            if children is None:
                return None
            steps.extend(children)
        else:  # SET_DEFAULT, SET(...): the collector's business
            return None
    return [*steps, Delete(rows)]
