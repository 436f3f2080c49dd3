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


@shared_task(acks_late=True)
def reconsent_refresh_task() -> int:
    """Flag the consents older than their purpose's refresh interval (EDPB 05/2020 ¶111); idempotent."""
    from consents.services.information import reconsent_flag_refresh_due

    return sum(cause.flagged_count for cause in reconsent_flag_refresh_due())


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def policy_notification_batch_task(self, campaign_id: int, batches: int = 20) -> None:
    """Queue up to ``batches`` batches of policy-change e-mails (each its own transaction), then
    hand the rest to a fresh task: a redelivered task resumes after the last person reached."""
    from consents.models import PolicyNotificationCampaign
    from consents.services.information import policy_notification_batch

    campaign = PolicyNotificationCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return
    for _batch in range(batches):
        if not policy_notification_batch(campaign=campaign):
            return
    policy_notification_batch_task.delay(campaign_id)
