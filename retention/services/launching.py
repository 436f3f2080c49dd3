"""The sweep from the admin (R4.7.1): the DPO starts a dry run, reads what would go rule by rule, then
commits that run. Both run in the background (``sweep_task`` on the ``retention`` queue); the page
follows the run's row, found by the task id the run records as its owner."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit, jobs

from ..models import SweepRun

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

RUN_PERMISSION = "retention.run_sweep"


def sweep_running() -> bool:
    """A run is working now (its heartbeat is fresh): a second one would only wait for its rows."""
    return SweepRun.objects.filter(status=SweepRun.Status.RUNNING).exclude(jobs.stuck_q()).exists()


def committable(dry_run: SweepRun, *, today=None) -> str:
    """Why this dry run cannot be committed, or "" when it can: a finished dry run of today, the last run."""
    today = today or timezone.localdate()
    if dry_run.committed:
        return _("This run is already a committed run.")
    if dry_run.status != SweepRun.Status.SUCCEEDED:
        return _("Only a dry run that finished without error can be committed: start a new dry run.")
    if dry_run.as_of != today:
        return _("This dry run is from another day: start a new dry run to see what would go today.")
    if SweepRun.objects.filter(pk__gt=dry_run.pk).exists():
        return _("Another run started after this dry run: start a new dry run to see what would go now.")
    return ""


def sweep_launch(*, commit: bool, actor: User, dry_run: SweepRun | None = None) -> str:
    """Start a dry run, or commit ``dry_run``, in the background; returns the task id the run will carry.

    Only the DPO (``retention.run_sweep``, a person): audited before the task is published. A commit
    needs the dry run the DPO read (``committable``). Raises ``ValidationError`` when a run is already
    working or the queue cannot be reached (nothing was started then).
    """
    from ..tasks import sweep_task

    actors.require(actor, RUN_PERMISSION, person=True)
    if commit:
        if dry_run is None:
            raise ValidationError(_("Run a dry run first: a sweep is committed only after its dry run."))
        refusal = committable(dry_run)
        if refusal:
            raise ValidationError(refusal)
    if sweep_running():
        raise ValidationError(_("A sweep is running now: wait for it to finish."))
    task_id = str(uuid.uuid4())
    with transaction.atomic():
        audit.record(
            action=audit.Action.CREATE,
            actor=actor,
            object_type="retention.sweeprun",
            object_id=dry_run.pk if dry_run is not None else "",
            reason="sweep commit started from the admin" if commit else "sweep dry run started from the admin",
        )

    def publish(_job: int) -> object:
        return sweep_task.apply_async(kwargs={"commit": commit, "origin": SweepRun.Origin.ADMIN}, task_id=task_id)

    if not jobs.publish_quickly("retention sweep", 0, publish):
        raise ValidationError(_("The job queue cannot be reached: nothing was started. Try again in a minute."))
    return task_id


def sweep_launched(task_id: str) -> SweepRun | None:
    """The run a launched task created, once a worker has taken it."""
    return SweepRun.objects.filter(owner=task_id).order_by("-id").first()
