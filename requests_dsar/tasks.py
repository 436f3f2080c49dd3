"""Thin Celery tasks: ids in, service out."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def due_soon_reminder_task() -> int:
    from .notifications import due_soon_reminder_send

    return due_soon_reminder_send()


@shared_task(acks_late=True)
def pause_reminders_task() -> int:
    from .notifications import pause_reminders_send

    return pause_reminders_send()


@shared_task(acks_late=True)
def web_submissions_purge_task() -> int:
    from .public import web_submissions_purge

    return web_submissions_purge()
