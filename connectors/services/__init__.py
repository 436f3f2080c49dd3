"""connectors' services: connector tasks (``tasks``) and connected systems (``systems``)."""

from .systems import connected_system_create, connected_system_update
from .tasks import (
    backoff,
    completion_gate,
    notification_carry,
    sweep_forwarded,
    task_dispatch,
    task_retry,
    task_run,
    task_waive,
    tasks_for_change,
    tasks_for_sweep,
    tasks_sweep,
)

__all__ = [
    "backoff",
    "completion_gate",
    "connected_system_create",
    "connected_system_update",
    "notification_carry",
    "sweep_forwarded",
    "task_dispatch",
    "task_retry",
    "task_run",
    "task_waive",
    "tasks_for_change",
    "tasks_for_sweep",
    "tasks_sweep",
]
