"""Every write of the retention app. ``sweep`` is the nightly job (see ``services/sweeping.py``)."""

from .holds import archive_access_reason, archive_consult, hold_lift, hold_place
from .rules import rule_approve, rule_create, rule_state, rule_update
from .sweeping import suspended, sweep, sweep_runs_interrupt

__all__ = [
    "archive_access_reason",
    "archive_consult",
    "hold_lift",
    "hold_place",
    "rule_approve",
    "rule_create",
    "rule_state",
    "rule_update",
    "suspended",
    "sweep",
    "sweep_runs_interrupt",
]
