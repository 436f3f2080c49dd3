"""Every write on export jobs: create, build, approve and send, purge, re-dispatch (R1.7, R1.8; T6-T9).

A job is claimed by a conditional UPDATE (pending -> running), so two workers never build it at
once; a done job returns at once. The row records the delivery that owns it and a heartbeat: a
redelivery after the worker died takes its own job over, and beat restarts a job whose heartbeat
stopped (``ijinus_privacy.jobs``). The file name is the job id, so a re-run after a crash overwrites
the same file instead of adding a second one. The broker may be down when a job is created (T9):
the job stays ``pending`` and beat publishes it when the broker answers again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit, jobs, storage
from subjects.models import DataSubject

from .. import connected
from ..models import ExportJob, Request, RequestEvent, Right
from ..searches import refuse_if_sources_not_searched
from . import content, render

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

logger = logging.getLogger(__name__)

KINDS_BY_RIGHT = {
    Right.ACCESS: (ExportJob.Kind.ACCESS_PDF, ExportJob.Kind.ACCESS_JSON),
    Right.PORTABILITY: (ExportJob.Kind.PORTABILITY,),
}
MAX_ATTEMPTS = 6  # the first run and the task's five retries (or redeliveries after a worker died)


def kinds_for_request(request: Request) -> list[str]:
    rights = set(request.items.values_list("right", flat=True))
    return [kind for right, kinds in KINDS_BY_RIGHT.items() if right in rights for kind in kinds]


def _publish(job_id: int) -> None:
    from ..tasks import export_build_task

    export_build_task.apply_async(args=[job_id], retry=False)


def export_dispatch(job_id: int) -> bool:
    """Publish the build task; a broker failure leaves the job pending for beat (T9). Never raises."""
    return jobs.dispatch(ExportJob, job_id, _publish)


def _create(*, subject: DataSubject, kind: str, request: Request | None, language: str) -> ExportJob:
    job = ExportJob(subject=subject, request=request, kind=kind, language=language)
    job.full_clean()
    job.save()
    return job


@transaction.atomic
def export_jobs_create(*, request: Request, actor: User | None, kinds: Iterable[str] | None = None) -> list[ExportJob]:
    """Queue the exports a request calls for (access: PDF + JSON; portability: zip), once per format.

    A live job of the same format is reused; a failed one is queued again. Publishing happens after
    commit, and a broker failure does not fail the request (T9).
    """
    if actor is not None and not actor.has_perm("requests_dsar.change_request"):
        raise PermissionDenied(_("You may not start exports."))
    if request.subject_id is None:
        raise ValidationError(_("Link the request to a data subject before exporting their data."))
    if not request.is_open:
        raise ValidationError(_("This request is closed."))
    _refuse_if_deceased(request.subject)
    _refuse_if_restricted(request.subject_id)
    allowed = kinds_for_request(request)
    kinds = list(kinds) if kinds is not None else allowed
    if not kinds:
        raise ValidationError(_("Exports answer access (Art. 15) or portability (Art. 20) requests only."))
    if any(kind not in allowed for kind in kinds):
        raise ValidationError(_("This format does not match the rights asked in the request."))
    queued = []
    for kind in kinds:
        job = ExportJob.objects.live().select_for_update().filter(request=request, kind=kind).first()
        if job is None:
            job = _create(subject=request.subject, kind=kind, request=request, language=request.language)
        elif job.can_restart:  # failed, or its worker died: build it again
            _reset(job)
        else:
            continue
        queued.append(job)
        audit.record(action=audit.Action.EXPORT, actor=actor, obj=job, reason=f"queued:{kind}")
    _record_queued(request, queued, actor)
    # The connected systems collect what they hold (Art. 15): the export is built again once they answered.
    rights = set(request.items.values_list("right", flat=True))
    for change in (connected.ACCESS, connected.PORTABILITY):
        if change in rights:
            connected.right_carried_out(change=change, subject=request.subject, request=request, actor=actor)
    return queued


@transaction.atomic
def export_jobs_rebuild(*, request: Request, reason: str, actor: User | None) -> list[ExportJob]:
    """Build again the request's exports that are built but not yet approved: new data arrived
    (a connected system answered after the build). A job being built or already sent is left alone."""
    if actor is not None and not actor.has_perm("requests_dsar.change_request"):
        raise PermissionDenied(_("You may not start exports."))
    if not request.is_open:
        return []
    jobs = list(
        ExportJob.objects.live()
        .select_for_update()
        .filter(request=request, status=ExportJob.Status.DONE, approved_at__isnull=True, sent_at__isnull=True)
    )
    for job in jobs:
        _reset(job)
        audit.record(action=audit.Action.EXPORT, actor=actor, obj=job, reason=f"rebuilt:{job.kind}:{reason}"[:200])
    _record_queued(request, jobs, actor)
    return jobs


def _reset(job: ExportJob) -> None:
    job.status, job.error_code, job.attempts, job.owner = ExportJob.Status.PENDING, "", 0, ""
    job.created_at, job.dispatched_at, job.started_at, job.heartbeat_at = timezone.now(), None, None, None
    job.finished_at = None
    job.save(
        update_fields=[
            "status",
            "error_code",
            "attempts",
            "owner",
            "created_at",
            "dispatched_at",
            "started_at",
            "heartbeat_at",
            "finished_at",
        ]
    )


def _record_queued(request: Request, jobs: list[ExportJob], actor: User | None) -> None:
    if jobs:
        RequestEvent.objects.create(
            request=request,
            kind=RequestEvent.Kind.EXPORT,
            actor=actors.staff_or_none(actor),
            actor_username=actors.username(actor),
            reason=", ".join(job.get_kind_display() for job in jobs),
        )
        for job in jobs:
            transaction.on_commit(lambda job_id=job.pk: export_dispatch(job_id))


@transaction.atomic
def export_job_restart(*, job: ExportJob, actor: User | None) -> ExportJob:
    """Build a failed or stuck job again, on the DPO's decision; audited, on the request's timeline."""
    if actor is not None and not actor.has_perm("requests_dsar.change_request"):
        raise PermissionDenied(_("You may not start exports."))
    job = ExportJob.objects.select_for_update().get(pk=job.pk)
    if not job.can_restart:
        raise ValidationError(_("Only a failed export, or one whose worker stopped, can be restarted."))
    if job.request_id is not None and not job.request.is_open:
        raise ValidationError(_("This request is closed."))
    _refuse_if_restricted(job.subject_id)
    _reset(job)
    audit.record(action=audit.Action.EXPORT, actor=actor, obj=job, reason=f"restarted:{job.kind}")
    if job.request_id is not None:
        _record_queued(job.request, [job], actor)
    else:
        transaction.on_commit(lambda: export_dispatch(job.pk))
    return job


def export_jobs_waiting_for_queue(job_ids: Iterable[int]) -> bool:
    """True when some of these jobs could not be handed to the workers (queue unreachable, T9)."""
    return ExportJob.objects.filter(
        pk__in=list(job_ids), status=ExportJob.Status.PENDING, dispatched_at__isnull=True
    ).exists()


def _refuse_if_deceased(subject: DataSubject) -> None:
    """A deceased person's rights ended at death (LIL art. 84): no access export is sent to them.
    Heirs and designated persons act through a post-mortem request (LIL art. 85)."""
    if subject.deceased_on is not None:
        raise ValidationError(
            _(
                "This person is recorded as deceased: their right of access ended at death (LIL art. 84). "
                "A request from an heir or a designated person is handled as a post-mortem request "
                "(LIL art. 85): record it with the evidence of death and the requester's capacity."
            )
        )


ACCESS_KINDS = (ExportJob.Kind.ACCESS_PDF, ExportJob.Kind.ACCESS_JSON)
UNDOCUMENTED = ":undocumented"  # suffix of the "built" audit reason when the register had gaps


def _refuse_if_undocumented(request: Request, jobs: list[ExportJob]) -> None:
    """What the DPO has not documented is never printed to the person (R1.7.2, R1.7.3): the access
    export cannot be approved until it is, and one built while something was missing is built again."""
    from ijinus_privacy.models import AuditEvent

    access = [job for job in jobs if job.kind in ACCESS_KINDS]
    if not access:
        return
    collection = content.collect(request.subject, language=request.language)
    gaps = content.documentation_gaps(collection, language=request.language)
    if gaps:
        intro = _("Before this access export can be approved, document in the register (not shown to the person):")
        raise ValidationError([intro, *gaps])
    for job in access:
        built = (
            AuditEvent.objects.filter(
                object_type=ExportJob._meta.label_lower, object_id=str(job.pk), reason__startswith="built:"
            )
            .order_by("-id")
            .values_list("reason", flat=True)
            .first()
        )
        if built and built.endswith(UNDOCUMENTED):
            raise ValidationError(
                _(
                    "This export was built before the register was documented: build the exports again, "
                    "then approve them."
                )
            )


def _refuse_if_restricted(subject_id: int) -> None:
    """Restricted data is only stored (Art. 18(2)): exporting it needs a recorded override."""
    from subjects.services.restriction import Operation, is_restricted

    if is_restricted(subject_id, operation=Operation.EXPORT):
        raise ValidationError(
            _(
                "This person's data is restricted (Art. 18): record an Art. 18(2) override for exports "
                "(for their own request: their consent) before exporting it."
            )
        )


@transaction.atomic
def export_job_create_for_subject(*, subject: DataSubject, kind: str, actor: User | None) -> ExportJob:
    """A job outside any request (the operator's ``dsar_export`` command)."""
    if kind not in ExportJob.Kind.values:
        raise ValidationError(_("Unknown export format."))
    _refuse_if_restricted(subject.pk)
    job = _create(subject=subject, kind=kind, request=None, language=subject.language or "fr")
    audit.record(action=audit.Action.EXPORT, actor=actor, obj=job, reason=f"command:{kind}")
    return job


def build_content(job: ExportJob) -> tuple[bytes, content.Collection]:
    collection = content.collect(job.subject, language=job.language)
    if job.kind == ExportJob.Kind.ACCESS_PDF:
        data = render.access_pdf(collection, language=job.language, request=job.request)
    elif job.kind == ExportJob.Kind.ACCESS_JSON:
        data = render.access_json(collection, language=job.language, request_id=job.request_id)
    else:
        data = render.portability_zip(collection, language=job.language, request_id=job.request_id)
    return data, collection


def _fail(job_id: int, error: BaseException, *, retry: bool) -> None:
    """Record a failure by its class name only (messages may quote personal data)."""
    job = ExportJob.objects.get(pk=job_id)
    give_up = not retry or job.attempts >= MAX_ATTEMPTS
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.FAILED if give_up else ExportJob.Status.PENDING,
        error_code=type(error).__name__[:100],
        finished_at=timezone.now() if give_up else None,
    )
    logger.warning("export job %s failed: %s (attempt %s)", job_id, type(error).__name__, job.attempts)


def export_build(*, job_id: int, owner: str | None = None) -> ExportJob | None:
    """Build the job's file if it is not built yet; idempotent (T8). ``None``: the job is gone
    (the subject was erased before a worker took it).

    ``owner``: the Celery task id of this delivery; a redelivery of the same task (its worker died
    mid-build) takes the job over.
    """
    owner = owner or jobs.new_owner()
    if not jobs.claim(ExportJob, job_id, owner=owner, max_attempts=MAX_ATTEMPTS):
        return ExportJob.objects.filter(pk=job_id).first()
    job = ExportJob.objects.select_related("subject", "request").get(pk=job_id)
    try:
        with jobs.heartbeat(ExportJob, job_id, owner=owner):
            data, collection = build_content(job)
            relative = storage.store(data, job_id=job.pk)
    except OSError as error:
        _fail(job_id, error, retry=True)
        raise
    except Exception as error:
        _fail(job_id, error, retry=False)
        return ExportJob.objects.get(pk=job_id)
    undocumented = job.kind in ACCESS_KINDS and bool(content.documentation_gaps(collection, language=job.language))
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job_id)
        now = timezone.now()
        job.status = ExportJob.Status.DONE
        job.file_path = relative
        job.sha256 = storage.sha256(data)
        job.size = len(data)
        job.record_count = collection.record_count
        job.redaction_count = len(collection.redactions)
        job.finished_at = now
        job.expires_at = now + timedelta(days=settings.EXPORT_RETENTION_DAYS)
        job.save()
        audit.record(
            actor=actors.system("export-worker"),
            action=audit.Action.EXPORT,
            obj=job,
            fields=[source.name for source in collection.with_data()],
            reason=f"built:{job.kind}" + (UNDOCUMENTED if undocumented else ""),
        )
        if collection.redactions:  # R1.7.6: redactions are logged (where, never what)
            audit.record(
                actor=actors.system("export-worker"),
                action=audit.Action.CHANGE,
                obj=job,
                fields=sorted({f"{r.source}.{r.field}" for r in collection.redactions}),
                reason=f"redaction:{len(collection.redactions)}",
            )
    return job


@transaction.atomic
def export_approve_and_send(*, request: Request, actor: User | None) -> list[ExportJob]:
    """The DPO approves the built exports; the signed download links are queued for e-mail (R1.7.4).

    The jobs are marked sent when the e-mail has left (``delivery._on_links_sent``). Approving again
    while the e-mail is still waiting sends that same e-mail now; it never adds a second one.
    """
    from ijinus_privacy.models import OutboxMessage
    from ijinus_privacy.outbox import outbox_dispatch

    from .delivery import LINK_PURPOSE, export_links_enqueue

    if actor is not None and not actor.has_perm("requests_dsar.approve_export"):
        raise PermissionDenied(_("Only the DPO may approve and send an export."))
    jobs = list(ExportJob.objects.live().select_for_update().filter(request=request).order_by("id"))
    if any(job.status in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING) for job in jobs):
        raise ValidationError(_("Some exports are still being built: wait until they are done."))
    ready = [job for job in jobs if job.status == ExportJob.Status.DONE and job.sent_at is None]
    if not ready:
        raise ValidationError(_("No built export is waiting to be sent."))
    if not request.contact_email:
        raise ValidationError(_("No e-mail address is known for this request: exports are sent by signed link only."))
    for subject_id in {job.subject_id for job in ready}:
        _refuse_if_restricted(subject_id)  # a restriction placed after the build counts too (R1.11.3)
    _refuse_if_deceased(request.subject)
    _refuse_if_undocumented(request, ready)
    if any(job.kind in ACCESS_KINDS for job in ready):
        refuse_if_sources_not_searched(request)  # R1.7.1: every source of the register searched first
    waiting = list(OutboxMessage.objects.select_for_update().for_purpose(LINK_PURPOSE, request.pk).unsent())
    queued_ids = {job_id for message in waiting for job_id in message.context.get("job_ids", [])}
    now = timezone.now()
    for message in waiting:
        if message.state == OutboxMessage.State.QUEUED and message.next_attempt_at > now:
            message.next_attempt_at = now
            message.save(update_fields=["next_attempt_at"])
        message_id = message.pk
        transaction.on_commit(lambda message_id=message_id: outbox_dispatch(message_id))
    approve = [job for job in ready if job.pk not in queued_ids]
    if not approve:
        return ready
    for job in approve:
        job.approved_at = now
        job.approved_by = actors.staff_or_none(actor)
        job.approved_by_username = actors.username(actor)
        job.save(update_fields=["approved_at", "approved_by", "approved_by_username"])
        audit.record(action=audit.Action.EXPORT, actor=actor, obj=job, fields=["download_link"], reason="approved")
    RequestEvent.objects.create(
        request=request,
        kind=RequestEvent.Kind.EXPORT,
        actor=actors.staff_or_none(actor),
        actor_username=actors.username(actor),
        reason=_("Export approved, download link queued for e-mail: %(kinds)s")
        % {"kinds": ", ".join(job.get_kind_display() for job in approve)},
    )
    export_links_enqueue(request=request, jobs=approve, actor=actor)
    return ready


def export_purge(*, now=None) -> int:
    """Delete export files past ``expires_at`` (EXPORT_RETENTION_DAYS); the job row stays as the record."""
    now = now or timezone.now()
    purged = 0
    for job_id in ExportJob.objects.expired(now=now).values_list("pk", flat=True):
        with transaction.atomic():
            job = ExportJob.objects.select_for_update().filter(pk=job_id, purged_at__isnull=True).first()
            if job is None:
                continue
            storage.remove(job.file_path)
            job.file_path = ""
            job.purged_at = now
            job.code_hash = ""
            job.save(update_fields=["file_path", "purged_at", "code_hash"])
            audit.record(
                actor=actors.system("export-purge"),
                action=audit.Action.DELETE,
                obj=job,
                fields=["file"],
                reason="export expired",
            )
            purged += 1
    return purged


def export_redispatch(*, now=None) -> int:
    """Restart jobs whose worker died and publish those left pending (T9); return how many went out."""
    return jobs.recover(jobs.kind_for(ExportJob), now=now)
