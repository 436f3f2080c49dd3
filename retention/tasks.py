from celery import shared_task


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def sweep_task(self, commit: bool = True, origin: str = "beat") -> int:
    """The nightly retention sweep (beat, queue ``retention``), or one the DPO started from the admin
    (``origin="admin"``, a dry run or its commit); returns the run id.

    Delivered again after its worker died (same task id), it marks the run it left interrupted and
    resumes the work in a new run.
    """
    from django.conf import settings

    from retention.models import SweepRun
    from retention.services import sweep

    return sweep(
        commit=commit,
        origin=origin if origin in SweepRun.Origin.values else SweepRun.Origin.OTHER,
        workers=settings.RETENTION_SWEEP_WORKERS,
        owner=self.request.id or "",
    ).pk
