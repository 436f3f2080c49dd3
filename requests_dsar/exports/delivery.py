"""Delivery of approved exports (R1.7.4): one signed link, one one-time code, audited downloads.

The e-mailed link carries the request id signed with a timestamp (``TimestampSigner``, valid
``EXPORT_LINK_MAX_AGE``, 7 days by default); nothing else about the person is in the URL. It opens
one page for all the request's files (the PDF and the JSON copy). There the person asks for a
6-digit code sent to the request's address; only an HMAC of the code is stored (on each file's job,
so that no table changes), compared in constant time, it expires after
``EXPORT_CODE_VALIDITY_MINUTES`` and dies after ``EXPORT_CODE_MAX_ATTEMPTS`` wrong tries. A right
code is spent at once and opens every file of the request for this browser session for
``EXPORT_CODE_VALIDITY_MINUTES`` (the grant lives in the server-side session, never in a URL), so
that the second file needs no second code and meets no rate limit. Every download, by the subject
or by staff, is an audit event (Action.DOWNLOAD). Links e-mailed before this page grouped the
files (one per job) still open the page of their request.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit, outbox, storage
from ijinus_privacy.email_text import html_to_text
from ijinus_privacy.models import OutboxMessage
from ijinus_privacy.public_url import public_url

from ..models import ExportJob, Request, RequestEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

LINK_SALT = "requests_dsar.export_download"
CODE_SALT = "requests_dsar.export_code"
LINK_PURPOSE = "requests_dsar.export_link"
CODE_PURPOSE = "requests_dsar.export_code"

SUBJECT_LINES = {
    "fr": {
        "link": "Votre demande n° {id} : vos données sont prêtes",
        "code": "Votre code de téléchargement (demande n° {id})",
    },
    "en": {
        "link": "Your request no. {id}: your data is ready",
        "code": "Your download code (request no. {id})",
    },
}


class ExportLinkError(ValidationError):
    """The link or the code cannot be used; ``code`` says why: invalid, expired, unavailable, code."""


def export_link_token(request: Request) -> str:
    return signing.TimestampSigner(salt=LINK_SALT).sign_object({"r": request.pk})


def export_link_url(request: Request, *, language: str = "fr") -> str:
    """The signed link to the request's download page, in its language (/privacy/... or /en/privacy/...)."""
    with translation.override(language):
        path = reverse("requests_dsar_public:export_download", args=[export_link_token(request)])
    return public_url(path)


def _language(request: Request | None, job: ExportJob) -> str:
    lang = (request.language if request else "") or job.language or "fr"
    return lang if lang in SUBJECT_LINES else "fr"


def _render(*, template: str, context: dict, language: str) -> tuple[str, str]:
    """The e-mail's HTML and plain-text bodies."""
    with translation.override(language):
        html = render_to_string(template, context)
    return html, html_to_text(html)


def export_links_enqueue(*, request: Request, jobs: list[ExportJob], actor: User | None) -> OutboxMessage:
    """Queue the e-mail with the signed links of approved exports (in the caller's transaction).

    The jobs are marked sent, and the timeline says so, only when the message has left
    (``_on_links_sent``).
    """
    lang = _language(request, jobs[0])
    html, text = _render(
        template=f"requests_dsar/export/{lang}/link_email.html",
        context={
            "request": request,
            "jobs": jobs,
            "link": export_link_url(request, language=lang),
            "days": settings.EXPORT_LINK_MAX_AGE // 86400,
        },
        language=lang,
    )
    return outbox.outbox_enqueue(
        purpose=LINK_PURPOSE,
        object_id=request.pk,
        context={"job_ids": [job.pk for job in jobs]},
        to=[request.contact_email],
        subject=SUBJECT_LINES[lang]["link"].format(id=request.pk),
        body=text,
        html=html,
        subject_id=request.subject_id,
        actor=actor,
    )


def _on_links_sent(message: OutboxMessage, sent_at) -> None:
    jobs = list(
        ExportJob.objects.select_for_update()
        .filter(pk__in=message.context.get("job_ids", []), sent_at__isnull=True)
        .order_by("id")
    )
    for job in jobs:
        job.sent_at = sent_at
        # The requester has the whole period to download, counted from sending.
        job.expires_at = sent_at + timedelta(days=settings.EXPORT_RETENTION_DAYS)
        job.save(update_fields=["sent_at", "expires_at"])
        audit.record(
            actor=actors.system("outbox"),
            action=audit.Action.EXPORT,
            obj=job,
            fields=["download_link"],
            reason="link sent",
        )
    if jobs:
        RequestEvent.objects.create(
            request_id=int(message.object_id),
            kind=RequestEvent.Kind.EXPORT,
            reason=_("Download link sent: %(kinds)s") % {"kinds": ", ".join(job.get_kind_display() for job in jobs)},
        )


def _on_code_sent(message: OutboxMessage, sent_at) -> None:
    """A code counts against ``EXPORT_CODE_MAX_SENDS`` once it was sent; its validity starts then."""
    # A message queued before codes covered the whole request names its one job as its object.
    job_ids = message.context.get("job_ids") or [int(message.object_id)]
    for job in ExportJob.objects.select_for_update().filter(pk__in=job_ids).order_by("id"):
        job.codes_sent += 1
        if job.code_hash:
            job.code_expires_at = sent_at + timedelta(minutes=settings.EXPORT_CODE_VALIDITY_MINUTES)
        job.save(update_fields=["codes_sent", "code_expires_at"])
        audit.record(
            actor=actors.system("outbox"),
            action=audit.Action.CHANGE,
            obj=job,
            fields=["download_code"],
            reason="code sent",
        )


outbox.register_on_sent(LINK_PURPOSE, _on_links_sent)
outbox.register_on_sent(CODE_PURPOSE, _on_code_sent)


def _delivered(request_id: int) -> models.QuerySet[ExportJob]:
    """The request's files that were e-mailed and can still be downloaded."""
    return (
        ExportJob.objects.live()
        .filter(request_id=request_id, sent_at__isnull=False, status=ExportJob.Status.DONE)
        .exclude(file_path="")
    )


def export_request_from_token(token: str) -> Request:
    """The request a link points to, if the link is genuine, unexpired and a file still available."""
    try:
        payload = signing.TimestampSigner(salt=LINK_SALT).unsign_object(token, max_age=settings.EXPORT_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ExportLinkError(_("This link has expired."), code="expired") from exc
    except signing.BadSignature as exc:
        raise ExportLinkError(_("This link is not valid."), code="invalid") from exc
    if "r" in payload:
        request = Request.objects.filter(pk=payload["r"]).first()
    else:  # a link e-mailed for one file, before one page served all of a request's files
        job = ExportJob.objects.select_related("request").filter(pk=payload.get("j")).first()
        request = job.request if job is not None and job.sent_at is not None else None
    if request is None or not _delivered(request.pk).exists():
        raise ExportLinkError(_("This export is no longer available."), code="unavailable")
    return request


def export_files(request: Request) -> list[ExportJob]:
    """The files the request's download page offers, in a stable order."""
    return list(_delivered(request.pk).order_by("id"))  # in the order they were built: the PDF first


def _code_hash(job: ExportJob, code: str) -> str:
    return salted_hmac(CODE_SALT, f"{job.pk}:{code}", algorithm="sha256").hexdigest()


def _unavailable() -> ExportLinkError:
    return ExportLinkError(_("This export is no longer available."), code="unavailable")


def export_code_send(*, request: Request) -> None:
    """Queue a new one-time code, for all the request's files, to the request's address; the previous code dies.

    A code still waiting in the outbox is replaced, not doubled, and counts against
    ``EXPORT_CODE_MAX_SENDS`` only once sent: a mail server down spends none of them.
    """
    with transaction.atomic():
        jobs = list(_delivered(request.pk).select_for_update().order_by("id"))
        request = Request.objects.get(pk=request.pk)
        if not jobs or not request.contact_email:
            raise _unavailable()
        if max(job.codes_sent for job in jobs) >= settings.EXPORT_CODE_MAX_SENDS:
            raise ExportLinkError(
                _("Too many codes were requested for this export. Please contact our Data Protection Officer."),
                code="code",
            )
        code = f"{secrets.randbelow(10**6):06d}"
        expires_at = timezone.now() + timedelta(minutes=settings.EXPORT_CODE_VALIDITY_MINUTES)
        for job in jobs:
            job.code_hash = _code_hash(job, code)
            job.code_expires_at = expires_at
            job.code_attempts = 0
            job.save(update_fields=["code_hash", "code_expires_at", "code_attempts"])
            audit.record(
                actor=actors.system("download-page"),
                action=audit.Action.CHANGE,
                obj=job,
                fields=["download_code"],
                reason="code queued",
            )
        lang = _language(request, jobs[0])
        html, text = _render(
            template=f"requests_dsar/export/{lang}/code_email.html",
            context={"code": code, "minutes": settings.EXPORT_CODE_VALIDITY_MINUTES},
            language=lang,
        )
        outbox.outbox_enqueue(
            purpose=CODE_PURPOSE,
            object_id=request.pk,
            context={"job_ids": [job.pk for job in jobs]},
            to=[request.contact_email],
            subject=SUBJECT_LINES[lang]["code"].format(id=request.pk),
            body=text,
            html=html,
            subject_id=request.subject_id,
            replace_queued=True,
        )


def export_code_pending(request: Request) -> bool:
    """A code was sent (or is on its way) and can still be typed."""
    return _delivered(request.pk).exclude(code_hash="").exists()


def export_code_check(*, request: Request, code: str) -> list[int]:
    """Check the code (one use, expiring, attempts limited); return the ids of the files it opens.

    The code is compared in constant time with every file's HMAC; a wrong code is counted in a
    transaction that commits before the error is raised.
    """
    error = None
    opened: list[int] = []
    with transaction.atomic():
        jobs = list(_delivered(request.pk).select_for_update().order_by("id"))
        now = timezone.now()
        if not jobs:
            error = _unavailable()
        elif any(not job.code_hash or job.code_expires_at is None or now > job.code_expires_at for job in jobs):
            error = ExportLinkError(_("This code has expired or was already used. Ask for a new code."), code="code")
        else:
            typed = code.strip()
            matches = [secrets.compare_digest(job.code_hash, _code_hash(job, typed)) for job in jobs]
            right = all(matches)
            for job in jobs:
                if right:
                    job.code_hash = ""
                    reason = "code accepted"
                else:
                    job.code_attempts += 1
                    if job.code_attempts >= settings.EXPORT_CODE_MAX_ATTEMPTS:
                        job.code_hash = ""
                    reason = "wrong code"
                job.save(update_fields=["code_attempts", "code_hash"])
                audit.record(
                    actor=actors.system("download-page"),
                    action=audit.Action.CHANGE,
                    obj=job,
                    fields=["download_code" if right else "code_attempts"],
                    reason=reason,
                )
            if right:
                opened = [job.pk for job in jobs]
            elif any(job.code_attempts >= settings.EXPORT_CODE_MAX_ATTEMPTS for job in jobs):
                error = ExportLinkError(_("Too many wrong codes. Ask for a new code."), code="code")
            else:
                error = ExportLinkError(_("This code is not valid."), code="code")
    if error is not None:
        raise error
    return opened


@transaction.atomic
def export_download(*, request: Request, job_id: int, opened: list[int]) -> tuple[ExportJob, bytes]:
    """One of the files a right code opened (``opened``, from ``export_code_check``): audited, counted."""
    job = _delivered(request.pk).select_for_update().filter(pk=job_id).first()
    if job is None:
        raise _unavailable()
    if job.pk not in opened:
        raise ExportLinkError(_("Type the code we sent you to download your files."), code="code")
    job.download_count += 1
    job.save(update_fields=["download_count"])
    audit.record(
        actor=actors.system("download-page"),
        action=audit.Action.DOWNLOAD,
        obj=job,
        fields=["file"],
        reason="subject",
    )
    return job, storage.read(job.file_path)


@transaction.atomic
def export_staff_download(*, job: ExportJob, actor: User) -> bytes:
    """Staff download from the admin: permission checked, audited (R5.1)."""
    if not actor.has_perm("requests_dsar.download_export"):
        raise PermissionDenied(_("You may not download exports."))
    if not job.is_downloadable:
        raise ValidationError(_("This export has no file (not built yet, or deleted after expiry)."))
    audit.record(action=audit.Action.DOWNLOAD, actor=actor, obj=job, fields=["file"], reason="staff")
    return storage.read(job.file_path)


@transaction.atomic
def export_read_for_operator(*, job: ExportJob) -> bytes:
    """The operator's ``dsar_export`` command takes the file out: audited like any download."""
    audit.record(
        actor=actors.system("dsar-export-command"),
        action=audit.Action.DOWNLOAD,
        obj=job,
        fields=["file"],
        reason="command",
    )
    return storage.read(job.file_path)
