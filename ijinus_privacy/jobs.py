"""Background jobs that survive a dead worker: who owns a running job, its heartbeat, and recovery.

A job is a row with a status (pending -> running -> done / failed) built by a Celery task acknowledged
late and given back when its worker process dies. Three ways a job could be lost, and what catches them:

* **The pool process is killed** (SIGKILL, out of memory): Celery gives the message back at once and the
  *same* task id is delivered again. The row records the delivery that owns it (``owner``, the task
  id), so the redelivered task takes its own job over instead of finding it "running" and leaving.
* **The whole worker dies**: the unacknowledged message comes back after the broker's visibility
  timeout, with the same task id (as above). Meanwhile nobody renews the job's heartbeat: beat's
  ``jobs_recover`` (every minute) puts a job whose heartbeat is older than ``JOB_STALE_SECONDS`` back
  to pending and publishes it again, so it is rebuilt within minutes; whichever delivery comes first
  builds it, the other finds it done or freshly owned.
* **The broker is down when the job is created** (T9): the publish fails, ``dispatched_at`` stays
  empty and beat publishes the job as soon as the broker answers again (at most a minute later).

A job that keeps killing its worker fails after ``max_attempts`` with the code ``WorkerLost``; the
DPO sees it on the dashboard and restarts it. Any job model plugs in: inherit ``BackgroundJob``
(its fields), have ``status``/``attempts``/``created_at``/``started_at``/``finished_at``/``error_code``
with the statuses ``pending``/``running``/``done``/``failed``, and ``register`` it with the function
that publishes one job (``AppConfig.ready``).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
WORKER_LOST = "WorkerLost"


class OwnedRun(models.Model):
    """Who runs this row's work and their last sign of life (abstract): a run without a job queue."""

    owner = models.CharField(_("run by (task id)"), max_length=64, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        abstract = True


class BackgroundJob(OwnedRun):
    """The fields recovery needs on a job row (abstract)."""

    dispatched_at = models.DateTimeField(
        _("sent to the workers at"), null=True, blank=True, help_text=_("Empty: the queue was unreachable.")
    )

    class Meta:
        abstract = True


@dataclass(frozen=True)
class JobKind:
    model: type[models.Model]
    dispatch: Callable[[int], bool]
    max_attempts: int


_kinds: dict[str, JobKind] = {}
_recoverers: list[Callable[[datetime], int]] = []


def register(model: type[models.Model], *, dispatch: Callable[[int], bool], max_attempts: int) -> None:
    """Let beat recover ``model``'s jobs: ``dispatch(job_id)`` publishes one and returns False on failure."""
    _kinds[model._meta.label] = JobKind(model=model, dispatch=dispatch, max_attempts=max_attempts)


def register_recoverer(recover_runs: Callable[[datetime], int]) -> None:
    """Another kind of run beat must check every minute (``recover_runs(now)``: retention sweep runs)."""
    if recover_runs not in _recoverers:
        _recoverers.append(recover_runs)


def kind_for(model: type[models.Model]) -> JobKind:
    return _kinds[model._meta.label]


def registered() -> list[JobKind]:
    return list(_kinds.values())


def stale_before(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(seconds=settings.JOB_STALE_SECONDS)


def stuck_q(now: datetime | None = None) -> Q:
    """Running jobs nobody is working on: no heartbeat for ``JOB_STALE_SECONDS``."""
    stale = stale_before(now)
    return Q(status=RUNNING) & (
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, started_at__lt=stale) | Q(started_at__isnull=True)
    )


def waiting_q(now: datetime | None = None) -> Q:
    """Pending jobs beat must publish: never published (broker down) or published long ago (message lost)."""
    now = now or timezone.now()
    never = Q(dispatched_at__isnull=True, created_at__lt=now - timedelta(seconds=settings.JOB_REDISPATCH_SECONDS))
    lost = Q(dispatched_at__lt=now - timedelta(minutes=settings.EXPORT_REDISPATCH_AFTER_MINUTES))
    return Q(status=PENDING) & (never | lost)


def new_owner() -> str:
    """An owner for a run outside Celery (a command, a test)."""
    return f"local-{uuid.uuid4()}"


def claim(
    model: type[models.Model], job_id: int, *, owner: str, max_attempts: int, now: datetime | None = None
) -> bool:
    """Take the job: pending, or running but ours (a redelivery of our task) or abandoned (stale).

    A job whose worker died ``max_attempts`` times (a file that kills the process each time) fails
    with ``WorkerLost`` instead of looping: the DPO sees it and decides.
    """
    now = now or timezone.now()
    taken_over = (Q(status=RUNNING, owner=owner) & ~Q(owner="")) | stuck_q(now)
    jobs = model.objects.filter(pk=job_id)
    if jobs.filter(Q(status=PENDING) | taken_over & Q(attempts__lt=max_attempts)).update(
        status=RUNNING, owner=owner, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1, error_code=""
    ):
        return True
    jobs.filter(taken_over).update(status=FAILED, error_code=WORKER_LOST, finished_at=now, owner="")
    return False


_queue_unreachable_until = 0.0  # monotonic clock; this process skips publishing until then


def _publish_within(publish: Callable[[int], object], job_id: int, seconds: float) -> None:
    """Publish from a thread and wait ``seconds`` at most: a black-holed broker (connect accepted,
    no answer) would otherwise hold the page for the socket timeout (T9: the page answers in 2 s).
    A publish that completes late still reaches the queue; beat's re-dispatch of it is harmless."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            publish(job_id)
        except Exception as error:
            outcome.append(error)
        else:
            outcome.append(None)

    thread = threading.Thread(target=run, name=f"publish-{job_id}", daemon=True)
    thread.start()
    thread.join(seconds)
    if not outcome:
        raise TimeoutError("publish timed out")
    if outcome[0] is not None:
        raise outcome[0]


def publish_quickly(label: str, job_id: int, publish: Callable[[int], object]) -> bool:
    """Publish one task for ``job_id`` within ``JOB_PUBLISH_TIMEOUT_SECONDS``; False when the broker
    failed (T9: the caller's row waits for beat). Never raises.

    After one failure the process does not try again for ``JOB_PUBLISH_BACKOFF_SECONDS``, so a page
    queueing several jobs or e-mails waits for one timeout at most. Inline (embedded mode) the task
    runs here.
    """
    global _queue_unreachable_until
    from .celery import app

    try:
        if app.conf.task_always_eager:
            publish(job_id)
        elif time.monotonic() < _queue_unreachable_until:
            raise ConnectionError("queue unreachable a moment ago")
        else:
            _publish_within(publish, job_id, settings.JOB_PUBLISH_TIMEOUT_SECONDS)
    except Exception as error:  # kombu OperationalError, redis ConnectionError, socket errors, timeout
        if not app.conf.task_always_eager:
            _queue_unreachable_until = time.monotonic() + settings.JOB_PUBLISH_BACKOFF_SECONDS
        logger.warning("%s %s not published (%s): left for re-dispatch", label, job_id, type(error).__name__)
        return False
    return True


def dispatch(model: type[models.Model], job_id: int, publish: Callable[[int], object]) -> bool:
    """Publish one job and note when; a broker failure leaves it for beat (T9). Never raises."""
    if not publish_quickly(model._meta.label, job_id, publish):
        return False
    model.objects.filter(pk=job_id, status__in=(PENDING, RUNNING, DONE)).update(dispatched_at=timezone.now())
    return True


@contextmanager
def heartbeat(model: type[models.Model], pk: int, *, owner: str, field: str = "heartbeat_at") -> Iterator[None]:
    """Renew the row's heartbeat every ``JOB_HEARTBEAT_SECONDS`` while the block runs, from a thread.

    A killed process stops renewing it, which is how beat tells a dead worker from a slow one. Inside
    a transaction (tests calling services directly) other connections cannot see the row: no thread.
    """
    if connection.in_atomic_block or settings.JOB_HEARTBEAT_SECONDS <= 0:
        yield
        return
    stop = threading.Event()

    def renew() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                model.objects.filter(pk=pk, owner=owner).update(**{field: timezone.now()})
        except Exception as error:  # a database hiccup: beat may then restart the job, which is harmless
            logger.warning("heartbeat of %s %s stopped (%s)", model._meta.label, pk, type(error).__name__)
        finally:
            connection.close()

    thread = threading.Thread(target=renew, name=f"heartbeat-{model._meta.model_name}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def recover(kind: JobKind, *, now: datetime | None = None, limit: int = 500) -> int:
    """Put stuck jobs back to pending (or fail them past ``max_attempts``) and publish what waits."""
    model, now = kind.model, now or timezone.now()
    stuck = model.objects.filter(stuck_q(now))
    given_up = stuck.filter(attempts__gte=kind.max_attempts).update(
        status=FAILED, error_code=WORKER_LOST, finished_at=now, owner=""
    )
    restarted = list(stuck.order_by("pk").values_list("pk", flat=True)[:limit])
    restarted_count = (
        model.objects.filter(pk__in=restarted).filter(stuck_q(now)).update(status=PENDING, owner="", dispatched_at=None)
    )
    if given_up or restarted_count:
        logger.warning("%s: %s stuck jobs restarted, %s failed", model._meta.label, restarted_count, given_up)
    waiting = model.objects.filter(waiting_q(now)).exclude(pk__in=restarted).order_by("created_at")
    ids = [*restarted, *waiting.values_list("pk", flat=True)[:limit]]
    return sum(1 for job_id in ids if kind.dispatch(job_id))


def recover_all(*, now: datetime | None = None) -> int:
    """Beat, every minute: every registered job kind."""
    now = now or timezone.now()
    return sum(recover(kind, now=now) for kind in registered()) + sum(check(now) for check in _recoverers)
