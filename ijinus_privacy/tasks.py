from celery import shared_task


@shared_task(ignore_result=False)
def ping_task() -> str:
    """Answer ``pong``: lets operators and tests check that a worker consumes the queue."""
    return "pong"


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def audit_anchor_publish_task() -> int | None:
    """Publish the day's audit-trail anchor (file and DPO e-mail); return the anchored event id (R5.1.3)."""
    from .audit_anchors import audit_anchor_publish

    anchor = audit_anchor_publish()
    return anchor.event_id if anchor else None


@shared_task(acks_late=True)
def audit_purge_task() -> int:
    """Purge the audit events older than AUDIT_RETENTION_MONTHS behind a signed checkpoint (R5.1.3)."""
    from .audit_retention import audit_cutoff, audit_purge

    result = audit_purge(cutoff=audit_cutoff(), commit=True)
    return result.plan.count if result.checkpoint else 0


@shared_task(acks_late=True)
def jobs_recover_task() -> int:
    """Beat, every minute: restart jobs whose worker died, publish those the queue missed (T9)."""
    from .jobs import recover_all

    return recover_all()


@shared_task(acks_late=True)
def outbox_send_task(message_id: int) -> str:
    """Send one queued e-mail (``ijinus_privacy.outbox``); a message already sent or not due is skipped."""
    from .outbox import outbox_send

    return outbox_send(message_id=message_id)


@shared_task(acks_late=True)
def outbox_redispatch_task() -> int:
    from .outbox import outbox_redispatch

    return outbox_redispatch()
