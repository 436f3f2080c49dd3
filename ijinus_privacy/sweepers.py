"""Record sweepers: how an app that owns records applies a "records" retention rule.

A rule with ``scope = records`` names a sweeper (``RetentionRule.sweeper``). The sweeper lives
with the model it sweeps (``subjects/sweepers.py``, ``consents/sweepers.py``, ...) and is
registered in ``RetentionConfig.ready()``, beside the rules that name it::

    from ijinus_privacy import sweepers

    def sweep_navigation_records(*, now, cutoff, batch_size, commit, action, suspended):
        ...  # keyset batches over the records with a trigger date <= cutoff
        return {"deleted": n}

    sweepers.register("subjects.navigation_records", sweep_navigation_records)

Arguments (keyword-only): ``now`` (aware datetime of the run), ``cutoff`` (the latest trigger
date whose active period has run out, computed by R4.1.2 month arithmetic), ``batch_size``,
``commit`` (False: count only, change nothing), ``action`` (the rule's end-of-active action,
a ``retention.models.Action`` value) and ``suspended`` (a function ``suspended(subject_ref)``
returning an ``Exists`` expression that is true for subjects under a legal hold or with an open
request: filter with ``.exclude(suspended("subject_id"))``, R4.5.1 and R1.7.7). It returns a
``{action_name: count}`` dict, which the run record stores under the rule's code. It must follow
the sweep contract of ``retention/services/sweeping.py``: short transactions, set-based writes, a
WHERE clause that re-checks the state (a re-run is a no-op), one audit event per batch.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet

from ijinus_privacy import audit

from . import actors

Sweeper = Callable[..., dict[str, int]]

_sweepers: dict[str, Sweeper] = {}


def register(name: str, sweeper: Sweeper) -> Sweeper:
    existing = _sweepers.get(name)
    if existing is not None and existing is not sweeper:
        raise ValueError(f"A record sweeper named {name!r} is already registered.")
    _sweepers[name] = sweeper
    return sweeper


def unregister(name: str) -> None:
    _sweepers.pop(name, None)


def get(name: str) -> Sweeper | None:
    return _sweepers.get(name)


def names() -> list[str]:
    return sorted(_sweepers)


def sweep_records(
    queryset: QuerySet,
    *,
    batch_size: int,
    commit: bool,
    write: Callable[[QuerySet], int],
    outcome: str,
    reason: str,
) -> dict[str, int]:
    """Apply ``write`` to ``queryset`` in keyset batches of ``batch_size``; the shared loop of every sweeper.

    ``queryset`` must select only the records still due (its WHERE clause is what makes a re-run a
    no-op). Each batch is one short transaction, one set-based write, one audit event holding the
    id range and the count, never values. Dry run (``commit=False``): counts only.
    """
    model = queryset.model
    if not commit:
        return {outcome: queryset.count()}
    done, last_id = 0, 0
    while True:
        ids = list(queryset.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return {outcome: done}
        with transaction.atomic():
            changed = write(queryset.filter(pk__in=ids))
            audit.record(
                actor=actors.system("retention-sweep"),
                action=audit.Action.DELETE if outcome.endswith("deleted") else audit.Action.CHANGE,
                object_type=model._meta.label_lower,
                object_id=f"{ids[0]}-{ids[-1]}",
                reason=f"{reason}: {outcome} {changed}",
            )
        done += changed
        last_id = ids[-1]


def raw_delete(queryset: QuerySet) -> int:
    """Delete without loading rows or sending signals (for records with no dependants)."""
    return queryset._raw_delete(queryset.db)
