"""Conditions on a person that an upper app knows and a lower app must respect, registered once.

An app low in the floors (docs/architecture.md) cannot import the apps above it, yet must respect
what they know about a person: the subjects admin hides archived people (retention), the retention
sweeps leave alone people with an open request (requests) or a restriction (subjects), the
marketing selection skips people under a legal hold (retention). Each upper app registers its
conditions here in ``AppConfig.ready()``; the lower app asks for them by kind::

    conditions.register(conditions.ARCHIVED, archived_subject_exists)      # retention/apps.py
    queryset.exclude(conditions.holds(conditions.ARCHIVED))                   # subjects/admin.py

A condition is a callable ``condition(subject_ref="pk")`` returning an ``Exists`` (or any boolean
expression) on ``OuterRef(subject_ref)``: true for the people it concerns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q

# People hidden from every operational list, search and page: the intermediate archive (R4.4.2).
ARCHIVED = "archived"
# People no automatic job may touch: legal hold (R4.5.1), open request (R1.7.7), restriction
# without an Art. 18(2) override for automated jobs (R1.11.3).
AUTOMATIC_JOBS_SUSPENDED = "automatic_jobs_suspended"
# People never selected for marketing: restriction (R1.11.3), archive (R4.4.2), legal hold (R4.5.3).
MARKETING_BLOCKED = "marketing_blocked"
# People under a legal hold in force (R4.5.1): shown as such in the subjects list.
HELD = "held"

KINDS = (ARCHIVED, AUTOMATIC_JOBS_SUSPENDED, MARKETING_BLOCKED, HELD)

Condition = Callable[..., Any]

_registered: dict[str, list[Condition]] = {kind: [] for kind in KINDS}


def register(kind: str, condition: Condition) -> Condition:
    """Add ``condition`` to ``kind`` (once; registering it again is a no-op). Usable as a decorator."""
    if kind not in _registered:
        raise ValueError(f"Unknown condition kind {kind!r}; known: {', '.join(KINDS)}.")
    if condition not in _registered[kind]:
        _registered[kind].append(condition)
    return condition


def registered(kind: str) -> list[Condition]:
    return list(_registered[kind])


def holds(kind: str, subject_ref: str = "pk") -> Q:
    """True for the people any registered condition of ``kind`` concerns; never true when none is registered."""
    expression = Q(pk__in=[])
    for condition in _registered[kind]:
        expression |= Q(condition(subject_ref))
    return expression
