"""Thin Celery tasks: ids in, service out."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=30 * 60, time_limit=35 * 60)
def import_job_run_task(self, job_id: int) -> str:
    """Import one uploaded file (issue 12, T5); a job finished or running under a live worker is left
    alone, a redelivery of this task takes its own job over."""
    from .import_jobs import import_job_run

    job = import_job_run(job_id=job_id, owner=self.request.id)
    return job.status if job is not None else "gone"


@shared_task(acks_late=True)
def import_uploads_sweep_task() -> int:
    """Hourly: delete the uploads of background imports that nobody will import."""
    from .import_jobs import import_uploads_sweep

    return import_uploads_sweep()
