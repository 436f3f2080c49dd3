"""Thin Celery tasks."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def breach_reminders_task() -> int:
    from .services import reminders_send

    return reminders_send()
