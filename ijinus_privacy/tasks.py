from celery import shared_task


@shared_task(ignore_result=False)
def ping_task() -> str:
    """Answer ``pong``: lets operators and tests check that a worker consumes the queue."""
    return "pong"
