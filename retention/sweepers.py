"""Record sweepers: how an app that owns records applies a "records" retention rule.

A rule with ``scope = records`` names a sweeper (``RetentionRule.sweeper``). The owning app
registers it in its ``AppConfig.ready()``::

    from retention import sweepers

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
