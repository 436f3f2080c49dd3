"""Retention actions passed on to the processors that hold copies (R4.7.2, Art. 28(3)(g)).

When the nightly sweep deletes or anonymises people whose periods ran out, the copies held by the
connected systems (the e-mailing tool, the ijitrack platform) must go too, and their confirmations
be followed. Those systems live on a floor above (``connectors``), which this app must not import:
two registries, filled by the upper app in its ``AppConfig.ready()``, carry what is needed.

* **listeners** hear, inside the batch's transaction, what the sweep does to whom: ``ERASURE`` for
  the people about to be deleted or anonymised (heard *before* they go, so a listener can still read
  the identifiers the other systems need), ``RESTRICTION`` for those entering the intermediate
  archive (kept for legal claims only: no other processing, CNIL guide on retention periods). A
  listener queues its own work (one task per system and person). A failure rolls the batch back:
  nobody leaves the active base here without the action queued there.
* **reporters** say, for a committed run, how far the connected systems have confirmed (the sweep's
  page shows it; failures and retries are followed on the connected systems' tasks).

With nothing registered (a deployment without connected systems, the tests of the lower floors)
every call is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import SweepRun


@dataclass(frozen=True)
class Forwarded:
    """How far one kind of forwarded action stands, for a run: what the sweep's page shows."""

    label: str  # "Copies in the connected systems (Art. 28(3)(g))"
    total: int
    confirmed: int
    pending: int
    failed: int
    url: str = ""  # the list of the run's tasks, for whoever may see it


ERASURE, RESTRICTION = "erasure", "restriction"  # the names of requests_dsar.connected's changes

Listener = Callable[[str, Sequence[int], "SweepRun"], int]
Reporter = Callable[["SweepRun"], "Forwarded | None"]

_listeners: list[Listener] = []
_reporters: list[Reporter] = []


def register_listener(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def register_reporter(reporter: Reporter) -> None:
    if reporter not in _reporters:
        _reporters.append(reporter)


def pass_on(change: str, subject_ids: Sequence[int], *, run: SweepRun) -> int:
    """What ``run`` does to these people (``ERASURE`` or ``RESTRICTION``), passed on to every
    listener; returns how many tasks were queued."""
    if not subject_ids:
        return 0
    return sum(listener(change, subject_ids, run) for listener in _listeners)


def forwarded(run: SweepRun) -> list[Forwarded]:
    """How far the connected systems confirmed what ``run`` passed on to them."""
    return [report for reporter in _reporters if (report := reporter(run)) is not None]
