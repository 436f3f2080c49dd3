from celery import shared_task


@shared_task(ignore_result=False)
def ping_task() -> str:
    """Answer ``pong``: lets operators and tests check that a worker consumes the queue."""
    return "pong"


@shared_task(acks_late=True)
def outbox_send_task(message_id: int) -> str:
    """Send one queued e-mail (``ijinus_privacy.outbox``); a message already sent or not due is skipped."""
    from .outbox import outbox_send

    return outbox_send(message_id=message_id)


@shared_task(acks_late=True)
def outbox_redispatch_task() -> int:
    from .outbox import outbox_redispatch

    return outbox_redispatch()
