"""The public request page's services: submit, confirm by a one-time signed link (R1.1.1).

A submission becomes a ``Request`` (channel web form) only when the e-mailed link is followed.
The link carries a signed, timestamped token: the submission id and a random nonce whose hash
alone is stored, so the link is single-use and cannot be forged or replayed after expiry. The
same answer is given whether or not the address belongs to a known subject (no enumeration).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit, outbox
from ijinus_privacy.choices import ContactChannel
from ijinus_privacy.email_text import html_to_text
from ijinus_privacy.identifiers import normalise_email
from ijinus_privacy.public_url import public_url

from .models import Right, WebSubmission
from .services import RightAsked, request_log

SALT = "requests_dsar.web_submission"
CONFIRMATION_PURPOSE = "requests_dsar.web_confirmation"


class ConfirmationError(ValidationError):
    pass


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


@transaction.atomic
def web_submission_create(
    *, email: str, name: str, rights: Sequence[str], details: str, language: str
) -> WebSubmission:
    """Store the submission and e-mail the confirmation link. Nothing appears as a request yet."""
    if not rights or any(right not in Right.values for right in rights):
        raise ValidationError(_("Choose at least one right."))
    nonce = secrets.token_urlsafe(24)
    now = timezone.now()
    submission = WebSubmission(
        email=normalise_email(email),
        name=name.strip(),
        rights=sorted(set(rights)),
        details=details.strip(),
        language=language if language in ("fr", "en") else "fr",
        nonce_hash=_nonce_hash(nonce),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.DSAR_CONFIRMATION_MAX_AGE),
    )
    submission.full_clean()
    submission.save()
    token = signing.dumps({"id": submission.pk, "n": nonce}, salt=SALT)
    with translation.override(submission.language):
        link = public_url(reverse("requests_dsar_public:confirm", args=[token]))
        html = render_to_string("requests_dsar/public/confirmation_email.html", {"link": link})
        subject = _("Confirm your personal-data request")
    outbox.outbox_enqueue(
        purpose=CONFIRMATION_PURPOSE,
        object_id=submission.pk,
        to=[submission.email],
        subject=str(subject),
        body=html_to_text(html),
        html=html,
    )
    audit.record(
        action=audit.Action.CREATE, actor=actors.system("public-form"), obj=submission, fields=["email", "rights"]
    )
    return submission


@transaction.atomic
def web_submission_confirm(*, token: str):
    """Follow the link: once, before expiry. Returns the ``Request`` now received."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.DSAR_CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ConfirmationError(_("This link has expired. Please submit your request again.")) from exc
    except signing.BadSignature as exc:
        raise ConfirmationError(_("This link is not valid.")) from exc
    submission = WebSubmission.objects.select_for_update().filter(pk=payload.get("id")).first()
    if submission is None or not secrets.compare_digest(submission.nonce_hash, _nonce_hash(str(payload.get("n")))):
        raise ConfirmationError(_("This link is not valid."))
    if submission.confirmed_at is not None:
        raise ConfirmationError(_("This link has already been used: your request was already received."))
    if timezone.now() > submission.expires_at:
        raise ConfirmationError(_("This link has expired. Please submit your request again."))
    request = request_log(
        # R1.1.2: the request reached IJINUS when it was submitted, not when the link was followed.
        received_on=timezone.localdate(submission.created_at),
        channel=ContactChannel.WEB_FORM,
        rights=[RightAsked(right=right, details=submission.details) for right in submission.rights],
        actor=actors.system("public-form"),
        requester_name=submission.name,
        requester_email=submission.email,
        language=submission.language,
    )
    submission.confirmed_at = timezone.now()
    submission.request = request
    submission.save(update_fields=["confirmed_at", "request"])
    return request


def web_submissions_purge(*, now=None) -> int:
    """Delete submissions past expiry: unconfirmed ones were never requests, confirmed ones live on
    as their ``Request`` (R1.5.4, no second copy of the details)."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = WebSubmission.objects.filter(expires_at__lt=now)
        count, _per_model = expired.delete()
        if count:
            audit.record(
                action=audit.Action.DELETE,
                actor=actors.system("public-form"),
                object_type="requests_dsar.websubmission",
                reason=f"{count}",
            )
    return count
