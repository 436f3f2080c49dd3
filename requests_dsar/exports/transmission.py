"""Direct transmission of a portability export to another controller (R1.8.4; Art. 20(2); WP242).

At the person's request the DPO sends their approved portability export to the controller they
name. The receiving controller gets an e-mail, in French and English, through the durable outbox:
who sends it (IJINUS and its DPO, ``consents.dpo``), why (the person's request under Art. 20(2)),
and a link to a public page. The link holds a random token only, nothing about the person; only a
keyed hash of the token is stored (``salted_hmac``, as for the subject's download codes), it
expires (``EXPORT_LINK_MAX_AGE``, never after the export file is deleted) and the DPO can revoke
it. The page offers the JSON of the portability export, byte for byte the ``portability.json`` the
person receives in their zip. Every write is audited in its transaction; every download is an
audit event and is counted (first, last, how many).
"""

from __future__ import annotations

import io
import secrets
import zipfile
from datetime import timedelta
from typing import TYPE_CHECKING

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from consents.dpo import dpo_contact
from ijinus_privacy import actors, audit, outbox, storage
from ijinus_privacy.email_text import html_to_text
from ijinus_privacy.identifiers import normalise_email
from ijinus_privacy.models import OutboxMessage
from ijinus_privacy.public_url import public_url

from ..models import ExportJob, PortabilityTransmission, Request, RequestEvent, Right
from .render import format_date
from .services import _refuse_if_deceased, _refuse_if_restricted

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

PERMISSION = "requests_dsar.approve_export"  # the DPO's: the one that approves and sends exports
LINK_SALT = "requests_dsar.portability_transmission"
PURPOSE = "requests_dsar.portability_transmission"
JSON_MEMBER = "portability.json"  # the JSON inside the person's portability zip (render.portability_zip)
DOWNLOAD_ACTOR = "controller-transmission"
SUBJECT_LINE = (
    "Transmission de données personnelles à la demande de la personne concernée (art. 20(2) RGPD) / "
    "Personal data transmitted at the data subject's request (Art. 20(2) GDPR) — IJINUS, ref. {id}"
)


class TransmissionError(ValidationError):
    """The link cannot be used; ``code`` says why: unknown (404), expired, revoked or unavailable (410)."""


def token_hash(token: str) -> str:
    return salted_hmac(LINK_SALT, token, algorithm="sha256").hexdigest()


def transmission_url(token: str, *, language: str = "fr") -> str:
    with translation.override(language):
        path = reverse("requests_dsar_public:transmission", args=[token])
    return public_url(path)


def _portability_job(request: Request) -> ExportJob:
    """The request's portability export, built and approved by the DPO, file still stored; else a refusal."""
    if not request.items.filter(right=Right.PORTABILITY).exists():
        raise ValidationError(
            _("This request does not include the right to data portability (Art. 20): nothing to transmit.")
        )
    job = ExportJob.objects.live().filter(request=request, kind=ExportJob.Kind.PORTABILITY).first()
    if job is None or job.status != ExportJob.Status.DONE or not job.is_downloadable:
        raise ValidationError(
            _(
                "The portability export (Art. 20) is not built yet: build it, check it and approve it "
                "before transmitting it to another controller."
            )
        )
    if job.approved_at is None:
        raise ValidationError(
            _(
                "The portability export (Art. 20) is not approved yet: check it and approve it before "
                "transmitting it to another controller."
            )
        )
    return job


@transaction.atomic
def transmission_create(
    *, request: Request, controller_name: str, controller_email: str, note: str = "", actor: User | None
) -> PortabilityTransmission:
    """Record the transmission and queue the e-mail with its link to the receiving controller."""
    actors.require(actor, PERMISSION, _("Only the DPO may transmit an export to another controller."))
    request = Request.objects.select_for_update().get(pk=request.pk)
    if request.subject_id is None:
        raise ValidationError(_("Link the request to a data subject before exporting their data."))
    job = _portability_job(request)
    _refuse_if_restricted(request.subject_id)  # a restriction placed after the approval counts too
    _refuse_if_deceased(request.subject)
    name = controller_name.strip()
    if not name:
        raise ValidationError({"controller_name": _("Name the receiving controller.")})
    email = normalise_email(controller_email)
    now = timezone.now()
    expires_at = now + timedelta(seconds=settings.EXPORT_LINK_MAX_AGE)
    if job.expires_at is not None:
        expires_at = min(expires_at, job.expires_at)  # the link never outlives the file
    token = secrets.token_urlsafe(32)
    transmission = PortabilityTransmission(
        request=request,
        export_job=job,
        controller_name=name,
        controller_email=email,
        note=note.strip(),
        token_hash=token_hash(token),
        created_at=now,
        created_by=actors.staff_or_none(actor),
        created_by_username=actors.username(actor),
        expires_at=expires_at,
    )
    transmission.full_clean()
    transmission.save()
    audit.record(
        action=audit.Action.EXPORT,
        actor=actor,
        obj=transmission,
        subject_id=request.subject_id,
        fields=["controller_name", "controller_email", "download_link", *(["note"] if transmission.note else [])],
        reason="transmission queued",
    )
    RequestEvent.objects.create(
        request=request,
        kind=RequestEvent.Kind.EXPORT,
        actor=actors.staff_or_none(actor),
        actor_username=actors.username(actor),
        reason=_(
            "Portability export transmitted at the person's request to %(controller)s (Art. 20(2)): "
            "link queued for e-mail"
        )
        % {"controller": name},
    )
    _enqueue(transmission, token=token, actor=actor)
    return transmission


def _enqueue(transmission: PortabilityTransmission, *, token: str, actor: User | None) -> OutboxMessage:
    context = {
        "transmission": transmission,
        "request_id": transmission.request_id,
        "link_fr": transmission_url(token, language="fr"),
        "link_en": transmission_url(token, language="en"),
        "dpo": dpo_contact(),
        "expires_fr": format_date(timezone.localdate(transmission.expires_at), "fr"),
        "expires_en": format_date(timezone.localdate(transmission.expires_at), "en"),
    }
    with translation.override("fr"):
        html = render_to_string("requests_dsar/export/transmission_email.html", context)
    return outbox.outbox_enqueue(
        purpose=PURPOSE,
        object_id=transmission.pk,
        to=[transmission.controller_email],
        subject=SUBJECT_LINE.format(id=transmission.request_id),
        body=html_to_text(html),
        html=html,
        subject_id=transmission.request.subject_id,
        actor=actor,
    )


def _on_sent(message: OutboxMessage, sent_at) -> None:
    transmission = (
        PortabilityTransmission.objects.select_for_update()
        .select_related("request")
        .filter(pk=int(message.object_id), sent_at__isnull=True)
        .first()
    )
    if transmission is None:
        return
    transmission.sent_at = sent_at
    transmission.save(update_fields=["sent_at"])
    audit.record(
        actor=actors.system("outbox"),
        action=audit.Action.EXPORT,
        obj=transmission,
        subject_id=transmission.request.subject_id,
        fields=["download_link"],
        reason="transmission sent",
    )
    RequestEvent.objects.create(
        request_id=transmission.request_id,
        kind=RequestEvent.Kind.EXPORT,
        reason=_("Link to the portability export e-mailed to %(controller)s (Art. 20(2))")
        % {"controller": transmission.controller_name},
    )


outbox.register_on_sent(PURPOSE, _on_sent)


@transaction.atomic
def transmission_revoke(*, transmission: PortabilityTransmission, actor: User | None) -> PortabilityTransmission:
    """The link stops working at once (a wrong address, the person changed their mind)."""
    actors.require(actor, PERMISSION, _("Only the DPO may revoke a transmission."))
    transmission = PortabilityTransmission.objects.select_for_update().select_related("request").get(pk=transmission.pk)
    if transmission.revoked_at is not None:
        raise ValidationError(_("This transmission was already revoked."))
    transmission.revoked_at = timezone.now()
    transmission.revoked_by_username = actors.username(actor)
    transmission.save(update_fields=["revoked_at", "revoked_by_username"])
    audit.record(
        action=audit.Action.CHANGE,
        actor=actor,
        obj=transmission,
        subject_id=transmission.request.subject_id,
        fields=["revoked_at"],
        reason="transmission revoked",
    )
    RequestEvent.objects.create(
        request_id=transmission.request_id,
        kind=RequestEvent.Kind.EXPORT,
        actor=actors.staff_or_none(actor),
        actor_username=actors.username(actor),
        reason=_("Transmission to %(controller)s revoked: its link no longer works")
        % {"controller": transmission.controller_name},
    )
    return transmission


def _find(token: str, *, lock: bool = False) -> PortabilityTransmission:
    """The transmission a token opens, if it can still be used; else a ``TransmissionError``."""
    queryset = PortabilityTransmission.objects.select_related("export_job", "request")
    if lock:
        queryset = queryset.select_for_update()
    digest = token_hash(token) if 20 <= len(token) <= 100 else ""
    transmission = queryset.filter(token_hash=digest).first() if digest else None
    if transmission is None or not secrets.compare_digest(transmission.token_hash, digest):
        raise TransmissionError(_("This link is not valid."), code="unknown")
    if transmission.revoked_at is not None:
        raise TransmissionError(_("This link was withdrawn by the sender."), code="revoked")
    if timezone.now() >= transmission.expires_at:
        raise TransmissionError(_("This link has expired."), code="expired")
    if not transmission.export_job.is_downloadable:
        raise TransmissionError(_("This export is no longer available."), code="unavailable")
    return transmission


def transmission_from_token(token: str) -> PortabilityTransmission:
    return _find(token)


def portability_json(job: ExportJob) -> bytes:
    """The JSON of a portability export: the ``portability.json`` of the zip the person receives."""
    with zipfile.ZipFile(io.BytesIO(storage.read(job.file_path))) as archive:
        return archive.read(JSON_MEMBER)


@transaction.atomic
def transmission_download(*, token: str) -> tuple[PortabilityTransmission, bytes]:
    """The receiving controller downloads the JSON: counted and audited, in one transaction."""
    transmission = _find(token, lock=True)
    try:
        content = portability_json(transmission.export_job)
    except (OSError, KeyError, zipfile.BadZipFile, InvalidToken) as error:
        raise TransmissionError(_("This export is no longer available."), code="unavailable") from error
    now = timezone.now()
    transmission.first_downloaded_at = transmission.first_downloaded_at or now
    transmission.last_downloaded_at = now
    transmission.download_count += 1
    transmission.save(update_fields=["first_downloaded_at", "last_downloaded_at", "download_count"])
    audit.record(
        actor=actors.system(DOWNLOAD_ACTOR),
        action=audit.Action.DOWNLOAD,
        obj=transmission,
        subject_id=transmission.request.subject_id,
        fields=["file"],
        reason="receiving controller",
    )
    return transmission, content
