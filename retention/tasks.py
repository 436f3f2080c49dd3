from celery import shared_task


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def sweep_task(self, commit: bool = True) -> int:
    """The nightly retention sweep (beat, queue ``retention``); returns the run id.

    Delivered again after its worker died (same task id), it marks the run it left interrupted and
    resumes the work in a new run.
    """
    from django.conf import settings

    from retention.models import SweepRun
    from retention.services import sweep

    return sweep(
        commit=commit,
        origin=SweepRun.Origin.BEAT,
        workers=settings.RETENTION_SWEEP_WORKERS,
        owner=self.request.id or "",
    ).pk
