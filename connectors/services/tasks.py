"""Connector tasks: created when a right is carried out here, run by workers, retried, settled.

Read this before changing anything below.

* **The row is the truth.** A ``ConnectorTask`` is created in the transaction that carries out the
  right here (``requests_dsar.connected`` calls ``tasks_for_change``), with the identifiers the
  system needs encrypted at rest: they are read before the person is erased here. The Celery
  message is published after commit; if it is lost (broker down, worker killed), beat's sweep
  (``tasks_sweep``, every minute) publishes every waiting task whose time has come and puts back
  a task left running by a dead worker. Nothing is ever lost because a system or the broker is down.
* **One attempt = one claim.** ``task_run`` claims a waiting, due task with one conditional UPDATE
  (two deliveries of the same message cannot both call the system), calls the connector *outside*
  any transaction (a slow system holds no lock), then records the outcome in a transaction with
  its audit event.
* **Outcomes.** Done: the remote reference is kept, the identifiers are dropped, collected data is
  kept encrypted for the access export, a linked Art. 19 notification is acknowledged. Transient
  error: back to waiting, next attempt after an exponential back-off (30 s, 1 min, 2 min, ... capped
  at 6 h); after ``system.max_attempts`` attempts, failed. Permanent error: failed with the reason.
  The idempotency key never changes, so a retry of a call whose answer was lost is harmless.
* **Settling.** A failed task waits for the DPO: retry (after a fix) or waive with a reason. A
  request's rights are granted only once every task of the request is done or waived
  (``completion_gate``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit, jobs
from ijinus_privacy.personal_data import CollectedData, in_ids
from requests_dsar import connected
from requests_dsar.models import RecipientNotification, Request, RequestEvent, Right
from retention.forwarding import Forwarded

from ..contract import ConnectorError, Outcome, PermanentError, TransientError, registry
from ..models import Action, ConnectedSystem, ConnectorTask

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.contrib.auth.models import AbstractBaseUser as User

    from retention.models import SweepRun
    from subjects.models import DataSubject

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "connectors"
BACKOFF_FIRST_SECONDS = 30
BACKOFF_MAX_SECONDS = 6 * 3600
RUNNING_STALE_MINUTES = 15
SWEEP_LIMIT = 500

# What is carried out in a connected system for each change made here.
ACTIONS_BY_CHANGE: dict[str, tuple[str, ...]] = {
    connected.ERASURE: (Action.ERASE, Action.ANONYMISE),  # erase where supported, else anonymise
    connected.RESTRICTION: (Action.RESTRICT,),
    connected.RECTIFICATION: (Action.RECTIFY,),
    connected.ACCESS: (Action.COLLECT,),
    connected.PORTABILITY: (Action.COLLECT,),
    connected.SUPPRESSION: (Action.SUPPRESS,),
}
# The rights a task must be settled for before they are granted.
RIGHTS_BY_ACTION: dict[str, frozenset[str]] = {
    Action.COLLECT: frozenset({Right.ACCESS, Right.PORTABILITY}),
    Action.ERASE: frozenset({Right.ERASURE}),
    Action.ANONYMISE: frozenset({Right.ERASURE}),
    Action.RESTRICT: frozenset({Right.RESTRICTION}),
    Action.RECTIFY: frozenset({Right.RECTIFICATION}),
    Action.SUPPRESS: frozenset({Right.ERASURE, Right.OBJECTION, Right.OBJECTION_MARKETING, Right.CONSENT_WITHDRAWAL}),
}
ACTION_BY_CHANGE_KIND = {
    connected.ERASURE: Action.ERASE,
    connected.RESTRICTION: Action.RESTRICT,
    connected.RECTIFICATION: Action.RECTIFY,
}


def system_actor() -> actors.System:
    return actors.system(SYSTEM_ACTOR)


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt after ``attempts`` failed ones: 30 s doubling, capped at 6 h."""
    seconds = BACKOFF_FIRST_SECONDS * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


def subject_lookup(subject: DataSubject, action: str) -> dict[str, Any]:
    """What the connected system needs to find the person (and, to rectify, the current values)."""
    lookup: dict[str, Any] = {"subject_id": subject.pk, "email": subject.email, "phone": subject.phone}
    if action == Action.RECTIFY:
        lookup["values"] = {
            "last_name": subject.last_name,
            "first_names": subject.first_names,
            "email": subject.email,
            "phone": subject.phone,
            "organisation": subject.organisation,
            "job_title": subject.job_title,
            "language": subject.language,
        }
    return lookup


# --- creation -----------------------------------------------------------------------------------


def _create(
    *,
    system: ConnectedSystem,
    action: str,
    subject: DataSubject,
    request: Request | None,
    actor: Any,
    notification: RecipientNotification | None = None,
    sweep_run: SweepRun | None = None,
) -> ConnectorTask:
    """One task (or the request's existing one for this system and action), published after commit."""
    if request is not None:
        existing = ConnectorTask.objects.filter(request=request, system=system, action=action).first()
        if existing is not None:
            if notification is not None and existing.notification_id is None:
                existing.notification = notification
                existing.save(update_fields=["notification"])
            return existing
    task = ConnectorTask(
        request=request,
        sweep_run=sweep_run,
        subject_ref=subject.pk,
        system=system,
        action=action,
        notification=notification,
    )
    task.set_lookup(subject_lookup(subject, action))
    task.full_clean()
    task.save()
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=task,
        subject_id=subject.pk,
        fields=["system", "action"],
        reason=f"{system.kind}:{action}",
    )
    transaction.on_commit(lambda task_id=task.pk: task_dispatch(task_id))
    return task


def _action_for(system: ConnectedSystem, change: str) -> str | None:
    return next((action for action in ACTIONS_BY_CHANGE[change] if system.supports(action)), None)


@transaction.atomic
def tasks_for_change(event: connected.CarriedOut) -> list[ConnectorTask]:
    """One task per active connected system able to carry out this change (listener of the seam)."""
    created = []
    for system in ConnectedSystem.objects.active().order_by("pk"):
        action = _action_for(system, event.change)
        if action is None:
            continue
        created.append(
            _create(system=system, action=action, subject=event.subject, request=event.request, actor=event.actor)
        )
    return created


def _systems_for(change: str) -> list[tuple[ConnectedSystem, str]]:
    systems = ConnectedSystem.objects.active().order_by("pk")
    return [(system, action) for system in systems if (action := _action_for(system, change))]


@transaction.atomic
def tasks_for_sweep(change: str, subject_ids: Sequence[int], run: SweepRun) -> int:
    """R4.7.2: what a retention sweep does to these people is done in every active connected system
    able to: an erasure (erase, else anonymise) for those about to be deleted or anonymised here, a
    restriction for those entering the intermediate archive. One task per system and person,
    created in the sweep's batch while the identifiers can still be read, and followed like a
    request's (retries, failures for the DPO, confirmations). Returns the number of tasks queued.

    One query for the systems; with none able, nothing else is read. The sweep's own audit event
    covers the batch; each task records its creation as any other task does."""
    systems = _systems_for(change)
    if not systems or not subject_ids:
        return 0
    from subjects.models import DataSubject

    actor = system_actor()
    created = 0
    for subject in DataSubject.objects.filter(in_ids("id", subject_ids)).order_by("pk"):
        for system, action in systems:
            _create(system=system, action=action, subject=subject, request=None, actor=actor, sweep_run=run)
            created += 1
    return created


def sweep_forwarded(run: SweepRun) -> Forwarded | None:
    """How far the connected systems confirmed what a committed sweep passed on to them."""
    if not run.committed:
        return None
    states = dict(
        ConnectorTask.objects.for_sweep_run(run.pk).order_by().values_list("state").annotate(count=Count("id"))
    )
    total = sum(states.values())
    if not total and not any(
        _action_for(system, change)
        for system in ConnectedSystem.objects.active()
        for change in (connected.ERASURE, connected.RESTRICTION)
    ):
        return None  # no system the sweeps pass anything on to: nothing to report
    return Forwarded(
        label=_("Copies in the connected systems (Art. 28(3)(g))"),
        total=total,
        confirmed=states.get(ConnectorTask.State.DONE, 0) + states.get(ConnectorTask.State.WAIVED, 0),
        pending=states.get(ConnectorTask.State.WAITING, 0) + states.get(ConnectorTask.State.RUNNING, 0),
        failed=states.get(ConnectorTask.State.FAILED, 0),
        url=reverse("admin:connectors_connectortask_changelist") + f"?sweep_run__id__exact={run.pk}",
    )


@transaction.atomic
def notification_carry(notification: RecipientNotification, actor: Any) -> bool:
    """Art. 19: a recipient that is an active connected system is told through its connector.

    The notification is linked to the system's task for the change (created if the change did not
    create one already) and closed when the system confirms (``_settle``) or the DPO waives it.
    """
    action = ACTION_BY_CHANGE_KIND.get(notification.change_kind)
    if action is None:
        return False
    carried = False
    systems = ConnectedSystem.objects.active().filter(recipient_id=notification.recipient_id).order_by("pk")
    for system in systems:
        chosen = _action_for(system, notification.change_kind) or (action if system.supports(action) else None)
        if chosen is None:
            continue
        from subjects.models import DataSubject

        subject = DataSubject.objects.get(pk=notification.subject_ref)
        _create(
            system=system,
            action=chosen,
            subject=subject,
            request=notification.request,
            actor=actor,
            notification=notification,
        )
        carried = True
    return carried


def completion_gate(request: Request, rights: frozenset[str]) -> list[str]:
    """What is still pending in the connected systems before these rights can be granted."""
    messages = []
    tasks = ConnectorTask.objects.for_request(request.pk).pending().select_related("system").order_by("system__name")
    for task in tasks:
        if not RIGHTS_BY_ACTION.get(task.action, frozenset()) & rights:
            continue
        state = task.get_state_display()
        if task.state == ConnectorTask.State.FAILED and task.last_error:
            state = f"{state}: {task.last_error}"
        messages.append(
            _("%(system)s: %(action)s %(state)s (retry it, or waive it with the reason)")
            % {"system": task.system.name, "action": task.get_action_display(), "state": state}
        )
    if rights & {Right.ACCESS, Right.PORTABILITY}:
        messages += _exports_older_than_collection(request)
    return messages


def _exports_older_than_collection(request: Request) -> list[str]:
    """An export built before a connected system's data arrived misses it (Art. 15(1))."""
    from requests_dsar.models import ExportJob

    collected = ConnectorTask.objects.for_request(request.pk).filter(
        action=Action.COLLECT, state=ConnectorTask.State.DONE
    )
    last = collected.aggregate(last=Max("finished_at"))["last"]
    if last is None:
        return []
    stale = ExportJob.objects.live().filter(request=request, finished_at__lt=last, sent_at__isnull=True)
    if not stale.exists():
        return []
    return [_("The export was built before the connected systems' data arrived: it is being built again.")]


# --- running ------------------------------------------------------------------------------------


def _publish(task_id: int) -> None:
    from ..tasks import connector_task_run_task

    connector_task_run_task.apply_async(args=[task_id], retry=False)


def task_dispatch(task_id: int) -> bool:
    """Publish the task to the workers; a broker failure leaves it waiting for beat. Never raises."""
    if not jobs.publish_quickly(ConnectorTask._meta.label, task_id, _publish):
        return False
    ConnectorTask.objects.filter(pk=task_id).update(dispatched_at=timezone.now())
    return True


def _claim(task_id: int, now: datetime) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        ConnectorTask.objects.filter(due, pk=task_id, state=ConnectorTask.State.WAITING, system__active=True).update(
            state=ConnectorTask.State.RUNNING, started_at=now, attempts=F("attempts") + 1
        )
    )


def task_run(*, task_id: int, now: datetime | None = None) -> ConnectorTask | None:
    """One attempt of a due waiting task; None when it is not due, not waiting or its system is inactive.

    Never raises for the system's failures: they are recorded on the task (a worker crash in the
    middle leaves it running, and the sweep puts it back after ``RUNNING_STALE_MINUTES``).
    """
    now = now or timezone.now()
    if not _claim(task_id, now):
        return None
    task = ConnectorTask.objects.select_related("system").get(pk=task_id)
    try:
        result = registry.for_system(task.system).run(task)
    except TransientError as error:
        return _record_error(task_id, error, permanent=False, now=now)
    except PermanentError as error:
        return _record_error(task_id, error, permanent=True, now=now)
    except Exception as error:  # a bug or an unexpected answer: kept by class name only (no message,
        # no traceback: either may quote the person's data)
        logger.warning("connector task %s: unexpected %s", task_id, type(error).__name__)
        return _record_error(task_id, TransientError(f"unexpected error ({type(error).__name__})"), False, now=now)
    if isinstance(result, CollectedData):
        return _record_done(task_id, Outcome.done(), collected=result, now=now)
    if not result.is_done:
        return _record_error(task_id, PermanentError(result.reason or "the system refused"), True, now=now)
    return _record_done(task_id, result, collected=None, now=now)


def _running(task_id: int) -> ConnectorTask | None:
    return (
        ConnectorTask.objects.select_for_update()
        .filter(pk=task_id, state=ConnectorTask.State.RUNNING)
        .select_related("system")
        .first()
    )


@transaction.atomic
def _record_error(task_id: int, error: ConnectorError, permanent: bool, *, now: datetime) -> ConnectorTask | None:
    task = _running(task_id)
    if task is None:
        return None
    task.last_error = str(error)[:300]
    give_up = permanent or task.attempts >= task.system.max_attempts
    if give_up:
        task.state, task.finished_at, task.next_attempt_at = ConnectorTask.State.FAILED, now, None
    else:
        task.state, task.next_attempt_at = ConnectorTask.State.WAITING, now + backoff(task.attempts)
    task.save(update_fields=["state", "last_error", "finished_at", "next_attempt_at"])
    audit.record(
        action=audit.Action.CHANGE,
        actor=system_actor(),
        obj=task,
        subject_id=task.subject_ref,
        fields=["state", "last_error"],
        reason=f"{task.action} {task.state} attempt {task.attempts}",
    )
    if give_up and task.request_id is not None:
        from requests_dsar.services.timeline import record_event

        record_event(
            request=task.request,
            kind=RequestEvent.Kind.WARNING,
            actor=system_actor(),
            reason=_("%(system)s: %(action)s failed (%(error)s). Retry it or waive it with the reason.")
            % {"system": task.system.name, "action": task.get_action_display(), "error": task.last_error},
        )
    return task


def _collected_payload(collected: CollectedData) -> dict[str, Any]:
    return {
        "label": str(collected.label),
        "categories": list(collected.categories),
        "records": collected.records,
        "field_labels": {key: str(value) for key, value in collected.field_labels.items()},
    }


@transaction.atomic
def _record_done(
    task_id: int, outcome: Outcome, *, collected: CollectedData | None, now: datetime
) -> ConnectorTask | None:
    task = _running(task_id)
    if task is None:
        return None
    task.state, task.finished_at, task.next_attempt_at = ConnectorTask.State.DONE, now, None
    task.remote_ref, task.last_error = outcome.remote_ref[:200], ""
    task.set_lookup(None)  # the system confirmed: its identifiers are no longer needed here
    if collected is not None:
        task.set_result(_collected_payload(collected))
    task.save(
        update_fields=[
            "state",
            "finished_at",
            "next_attempt_at",
            "remote_ref",
            "last_error",
            "lookup_encrypted",
            "result_encrypted",
        ]
    )
    audit.record(
        action=audit.Action.CHANGE,
        actor=system_actor(),
        obj=task,
        subject_id=task.subject_ref,
        fields=["state", "remote_ref"],
        reason=f"{task.action} done",
    )
    if task.notification_id is not None:
        from requests_dsar.erasure.notifications import notification_mark_acknowledged

        notification = RecipientNotification.objects.get(pk=task.notification_id)
        if notification.status in (RecipientNotification.Status.PENDING, RecipientNotification.Status.SENT):
            notification_mark_acknowledged(notification=notification, actor=system_actor())
    _after_settled(task)
    return task


def _after_settled(task: ConnectorTask) -> None:
    """The last collect of a request rebuilds its unsent exports; the last task of all says so."""
    if task.request_id is None:
        return
    request = Request.objects.get(pk=task.request_id)
    tasks = ConnectorTask.objects.for_request(request.pk)
    if (
        task.action == Action.COLLECT
        and task.state == ConnectorTask.State.DONE
        and not tasks.filter(action=Action.COLLECT).pending().exists()
    ):
        from requests_dsar.exports.services import export_jobs_rebuild

        export_jobs_rebuild(request=request, reason="connected systems collected", actor=system_actor())
    if not tasks.pending().exists():
        from requests_dsar.services.timeline import record_event

        record_event(
            request=request,
            kind=RequestEvent.Kind.NOTE,
            actor=system_actor(),
            reason=_("Every connected system confirmed (or was waived): the request can be decided."),
        )


# --- the DPO's actions --------------------------------------------------------------------------


@transaction.atomic
def task_retry(*, task: ConnectorTask, actor: User | None) -> ConnectorTask:
    """Try a failed (or waiting) task again now, with the same idempotency key."""
    actors.require(actor, "connectors.retry_connectortask")
    task = ConnectorTask.objects.select_for_update().select_related("system").get(pk=task.pk)
    if task.state not in (ConnectorTask.State.FAILED, ConnectorTask.State.WAITING):
        raise ValidationError(_("Only a failed or waiting task can be retried."))
    if not task.system.active:
        raise ValidationError(_("The system is inactive: activate it before retrying its tasks."))
    if task.action != Action.COLLECT and not task.lookup_encrypted:
        raise ValidationError(_("This task no longer holds what the system needs to find the person."))
    task.state, task.attempts, task.next_attempt_at, task.finished_at = ConnectorTask.State.WAITING, 0, None, None
    task.save(update_fields=["state", "attempts", "next_attempt_at", "finished_at"])
    audit.record(
        action=audit.Action.CHANGE, actor=actor, obj=task, subject_id=task.subject_ref, fields=["state"], reason="retry"
    )
    if task.request_id is not None:
        from requests_dsar.services.timeline import record_event

        record_event(
            request=task.request,
            kind=RequestEvent.Kind.NOTE,
            actor=actor,
            reason=_("%(system)s: %(action)s retried")
            % {"system": task.system.name, "action": task.get_action_display()},
        )
    transaction.on_commit(lambda: task_dispatch(task.pk))
    return task


@transaction.atomic
def task_waive(*, task: ConnectorTask, reason: str, actor: User | None) -> ConnectorTask:
    """The DPO records why the right is not carried out in this system; the task is settled."""
    actors.require(actor, "connectors.waive_connectortask", person=True)
    task = ConnectorTask.objects.select_for_update().select_related("system").get(pk=task.pk)
    if task.state not in (ConnectorTask.State.FAILED, ConnectorTask.State.WAITING):
        raise ValidationError(_("Only a failed or waiting task can be waived (a running one: wait for its answer)."))
    if not reason.strip():
        raise ValidationError(_("Give the reason why the right is not carried out in this system."))
    task.state, task.finished_at, task.next_attempt_at = ConnectorTask.State.WAIVED, timezone.now(), None
    task.waived_reason = reason.strip()
    task.waived_by = actors.staff_or_none(actor)
    task.waived_by_username = actors.username(actor)
    task.set_lookup(None)
    task.full_clean()
    task.save(
        update_fields=[
            "state",
            "finished_at",
            "next_attempt_at",
            "waived_reason",
            "waived_by",
            "waived_by_username",
            "lookup_encrypted",
        ]
    )
    audit.record(
        action=audit.Action.CHANGE,
        actor=actor,
        obj=task,
        subject_id=task.subject_ref,
        fields=["state", "waived_reason"],
    )
    if task.notification_id is not None:
        from requests_dsar.erasure.notifications import notification_mark_impossible

        notification = RecipientNotification.objects.get(pk=task.notification_id)
        if notification.status == RecipientNotification.Status.PENDING:
            notification_mark_impossible(notification=notification, justification=task.waived_reason, actor=actor)
    if task.request_id is not None:
        from requests_dsar.services.timeline import record_event

        record_event(
            request=task.request,
            kind=RequestEvent.Kind.NOTE,
            actor=actor,
            reason=_("%(system)s: %(action)s waived: %(reason)s")
            % {"system": task.system.name, "action": task.get_action_display(), "reason": task.waived_reason},
        )
    _after_settled(task)
    return task


# --- beat -----------------------------------------------------------------------------------------


def tasks_sweep(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    """Every minute: put back tasks left running by a dead worker, publish the waiting ones now due.

    Returns how many were published. A lost message, a broker that was down or a worker killed in
    the middle of a call never loses a task: the row waits here until a worker carries it out.
    """
    now = now or timezone.now()
    stale = now - timedelta(minutes=RUNNING_STALE_MINUTES)
    restarted = ConnectorTask.objects.filter(state=ConnectorTask.State.RUNNING, started_at__lt=stale).update(
        state=ConnectorTask.State.WAITING, next_attempt_at=now, last_error="worker lost during the call"
    )
    if restarted:
        logger.warning("connector tasks: %s left running by a lost worker put back to waiting", restarted)
    due = ConnectorTask.objects.due(now).filter(system__active=True).order_by("next_attempt_at", "pk")
    ids = list(due.values_list("pk", flat=True)[:limit])
    return sum(1 for task_id in ids if task_dispatch(task_id))
