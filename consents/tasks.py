from celery import shared_task


@shared_task(acks_late=True)
def cookie_consent_expiry_task() -> int:
    """Record ``expired`` for cookie consents older than 13 months (R2.5.2); idempotent."""
    from consents.services import cookie_consents_expire

    return cookie_consents_expire()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=10 * 60, time_limit=12 * 60)
def register_pdf_task(self, job_id: int) -> str:
    """Build the register's PDF of one job (Art. 30(4)); a job already done is left alone."""
    from consents.export import register_pdf_job_run

    job = register_pdf_job_run(job_id=job_id, owner=self.request.id)
    return job.status if job is not None else "gone"
