from celery import shared_task


@shared_task(ignore_result=False)
def ping_task() -> str:
    """Answer ``pong``: lets operators and tests check that a worker consumes the queue."""
    return "pong"


@shared_task(acks_late=True)
def jobs_recover_task() -> int:
    """Beat, every minute: restart jobs whose worker died, publish those the queue missed (T9)."""
    from .jobs import recover_all

    return recover_all()
