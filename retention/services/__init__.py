"""Every write of the retention app. ``sweep`` is the nightly job (see ``services/sweeping.py``)."""

from .holds import archive_access_reason, archive_consult, hold_lift, hold_place
from .launching import committable, sweep_launch, sweep_launched, sweep_running
from .rules import rule_approve, rule_create, rule_state, rule_update
from .sweeping import progress_rules as launching_progress
from .sweeping import suspended, sweep, sweep_runs_interrupt

__all__ = [
    "archive_access_reason",
    "archive_consult",
    "committable",
    "hold_lift",
    "hold_place",
    "launching_progress",
    "rule_approve",
    "rule_create",
    "rule_state",
    "rule_update",
    "suspended",
    "sweep",
    "sweep_launch",
    "sweep_launched",
    "sweep_running",
    "sweep_runs_interrupt",
]
