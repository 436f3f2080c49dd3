from celery import shared_task


@shared_task(acks_late=True)
def cookie_consent_expiry_task() -> int:
    """Record ``expired`` for cookie consents older than 13 months (R2.5.2); idempotent."""
    from consents.services import cookie_consents_expire

    return cookie_consents_expire()
