"""Thin Celery tasks: ids in, service out."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def connector_task_run_task(task_id: int) -> str:
    """One attempt of a connector task; a transient failure schedules the next one after its back-off.

    The row is the truth: if this message is lost, beat's sweep publishes the task again when due.
    """
    from django.utils import timezone

    from ijinus_privacy.celery import app

    from .models import ConnectorTask
    from .services import task_run

    task = task_run(task_id=task_id)
    if task is None:
        return "skipped"
    if task.state == ConnectorTask.State.WAITING and task.next_attempt_at and not app.conf.task_always_eager:
        countdown = max((task.next_attempt_at - timezone.now()).total_seconds(), 0)
        connector_task_run_task.apply_async(args=[task_id], countdown=countdown, retry=False)
    return task.state


@shared_task(acks_late=True, ignore_result=True)
def connector_tasks_sweep_task() -> int:
    """Beat, every minute: publish due waiting tasks, put back those a dead worker left running."""
    from .services import tasks_sweep

    return tasks_sweep()
