"""Thin Celery tasks: ids in, service out."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=30 * 60, time_limit=35 * 60)
def import_job_run_task(job_id: int) -> str:
    """Import one uploaded file (issue 12, T5); a job already taken or finished is left alone."""
    from .import_jobs import import_job_run

    job = import_job_run(job_id=job_id)
    return job.status if job is not None else "gone"


@shared_task(acks_late=True)
def import_job_redispatch_task() -> int:
    from .import_jobs import import_job_redispatch

    return import_job_redispatch()
