from celery import shared_task


@shared_task(acks_late=True)
def sweep_task(commit: bool = True) -> int:
    """The nightly retention sweep (beat, queue ``retention``); returns the run id."""
    from django.conf import settings

    from retention.models import SweepRun
    from retention.services import sweep

    return sweep(commit=commit, origin=SweepRun.Origin.BEAT, workers=settings.RETENTION_SWEEP_WORKERS).pk
