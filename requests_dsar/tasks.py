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


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=15 * 60,
    time_limit=20 * 60,
)
def export_build_task(self, job_id: int) -> str:
    """Build one export (queue ``exports``); a done job returns at once (idempotent, T8).

    The task id names the job's owner: redelivered after its worker died, it takes the job over.
    """
    from .exports.services import export_build

    job = export_build(job_id=job_id, owner=self.request.id)
    return job.status if job is not None else "gone"


@shared_task(acks_late=True)
def export_purge_task() -> int:
    from .exports.services import export_purge

    return export_purge()


@shared_task(acks_late=True)
def erasure_keeps_purge_task() -> int:
    from .erasure.services import erasure_keeps_purge

    return erasure_keeps_purge()


@shared_task(acks_late=True)
def erasures_reapply_task() -> int:
    """Daily: re-erase people a restore or a re-import brought back, and alert the DPO (R1.10.7)."""
    from .erasure.services import erasures_reapply_scheduled

    return len(erasures_reapply_scheduled())
