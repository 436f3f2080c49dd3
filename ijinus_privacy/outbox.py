"""The durable outbox: every e-mail is a row first, sent by a worker with retries and back-off.

``outbox_enqueue`` writes the message (encrypted) in the caller's transaction, with its audit
event, and publishes ``outbox_send_task`` (the message id only) after commit. No web request
talks to the mail server: a refused or silent server costs the user nothing, and the thing the
message carries is marked "sent" only once the server accepted it: the hook registered for its
purpose (``register_on_sent``) runs in the transaction that records the message as sent.

A failed attempt puts the message back in the queue, due after an exponential back-off
(``OUTBOX_RETRY_SECONDS`` doubled each time, at most ``OUTBOX_RETRY_MAX_SECONDS``); after
``OUTBOX_MAX_ATTEMPTS`` it is ``failed`` and shows on the DPO's dashboard. Beat re-publishes the
messages that are due every minute (a broker down at enqueue time, a retry coming due) and gives
back those whose worker died while sending. Delivery is at least once: a worker killed between
the server's acceptance and the commit of "sent" sends again on the next attempt.

In embedded mode (Celery eager) the send runs inline after commit; a failure leaves the message
queued (``manage.py outbox_send`` sends what is due) and never reaches the user.
"""

from __future__ import annotations

import json
import logging
import smtplib
from base64 import b64decode, b64encode
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import actors, audit, encryption, jobs
from .models import OutboxMessage

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

logger = logging.getLogger(__name__)

OnSent = Callable[[OutboxMessage, datetime], None]
_ON_SENT: dict[str, OnSent] = {}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


def register_on_sent(purpose: str, hook: OnSent) -> None:
    """Call ``hook(message, sent_at)`` in the transaction that marks a message of ``purpose`` sent."""
    _ON_SENT[purpose] = hook


def _seal(*, to: Sequence[str], subject: str, body: str, html: str, attachments: Sequence[Attachment]) -> bytes:
    document = {
        "to": list(to),
        "subject": subject,
        "body": body,
        "html": html,
        "attachments": [[a.filename, b64encode(a.content).decode(), a.mimetype] for a in attachments],
    }
    return encryption.encrypt(json.dumps(document).encode())


def _open(message: OutboxMessage) -> EmailMultiAlternatives:
    document = json.loads(encryption.decrypt(bytes(message.payload)))
    email = EmailMultiAlternatives(subject=document["subject"], body=document["body"], to=document["to"])
    if document["html"]:
        email.attach_alternative(document["html"], "text/html")
    for filename, content, mimetype in document["attachments"]:
        email.attach(filename, b64decode(content), mimetype)
    return email


def outbox_dispatch(message_id: int) -> bool:
    """Publish the send task within a second (a black-holed broker never holds the page, T9); a
    broker failure leaves the message queued for beat. Never raises."""
    from .tasks import outbox_send_task

    return jobs.publish_quickly(
        "outbox message", message_id, lambda pk: outbox_send_task.apply_async(args=[pk], retry=False)
    )


@transaction.atomic
def outbox_enqueue(
    *,
    purpose: str,
    to: Sequence[str],
    subject: str,
    body: str,
    html: str = "",
    attachments: Sequence[Attachment] = (),
    object_id: int | str = "",
    context: dict | None = None,
    subject_id: int | None = None,
    actor: User | None = None,
    replace_queued: bool = False,
) -> OutboxMessage:
    """Queue one e-mail in the caller's transaction; it is published to the workers after commit.

    ``replace_queued``: a message of the same purpose and object still waiting (not being sent)
    takes the new content instead of a second message being added (a new one-time code replaces
    the previous, unsent one).
    """
    if not [address for address in to if address]:
        raise ValidationError(_("No e-mail address to send to."))
    payload = _seal(to=to, subject=subject, body=body, html=html, attachments=attachments)
    message = None
    if replace_queued and object_id != "":
        message = (
            OutboxMessage.objects.select_for_update()
            .for_purpose(purpose, object_id)
            .filter(state=OutboxMessage.State.QUEUED)
            .order_by("-id")
            .first()
        )
    if message is None:
        message = OutboxMessage(purpose=purpose, object_id=str(object_id))
    message.payload = payload
    message.context = context or {}
    message.attempts = 0  # new content, a fresh series of attempts
    message.next_attempt_at = timezone.now()
    message.save()
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=message,
        subject_id=subject_id,
        fields=["to", "subject", "body", *(["attachments"] if attachments else [])],
        reason=f"queued:{purpose}",
    )
    message_id = message.pk
    transaction.on_commit(lambda: outbox_dispatch(message_id))
    return message


def _claim(message_id: int, now: datetime) -> OutboxMessage | None:
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update(skip_locked=True).due(now=now).filter(pk=message_id).first()
        if message is None:
            return None
        message.state = OutboxMessage.State.SENDING
        message.attempts += 1
        message.claimed_at = now
        message.save(update_fields=["state", "attempts", "claimed_at"])
        return message


def _error_label(error: BaseException) -> str:
    """The error's class and, for SMTP answers, the reply code: never the text (it may echo addresses)."""
    code = getattr(error, "smtp_code", None)
    return type(error).__name__ + (f" {code}" if code else "")


def retry_delay(attempts: int) -> timedelta:
    seconds = settings.OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def outbox_send(*, message_id: int, now: datetime | None = None) -> str:
    """Send one due message (a worker's task); return its state. Never raises on a mail failure."""
    message = _claim(message_id, now or timezone.now())
    if message is None:
        return "skipped"
    try:
        _open(message).send()
    except (smtplib.SMTPException, OSError, ValueError) as error:
        # ValueError: a header the backend refuses. OSError covers refused, reset and timed-out sockets.
        return _attempt_failed(message, error)
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        sent_at = timezone.now()
        message.state = OutboxMessage.State.SENT
        message.sent_at = sent_at
        message.payload = b""  # the message left: its content is not kept (Art. 5(1)(c))
        message.last_error = ""
        message.save(update_fields=["state", "sent_at", "payload", "last_error"])
        audit.record(
            actor=actors.system("outbox"),
            action=audit.Action.CHANGE,
            obj=message,
            fields=["state"],
            reason=f"sent:{message.purpose}",
        )
        hook = _ON_SENT.get(message.purpose)
        if hook is not None:
            hook(message, sent_at)
    return message.state


def _attempt_failed(message: OutboxMessage, error: BaseException) -> str:
    label = _error_label(error)
    logger.warning("outbox message %s attempt %s failed: %s", message.pk, message.attempts, label)
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        message.last_error = label[:200]
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            message.state = OutboxMessage.State.FAILED
        else:
            message.state = OutboxMessage.State.QUEUED
            message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
        message.save(update_fields=["last_error", "state", "next_attempt_at"])
    return message.state


def outbox_redispatch(*, now: datetime | None = None, limit: int = 500) -> int:
    """Beat: give back messages whose worker died while sending, publish the due ones again."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_SENDING_STALE_SECONDS)
    OutboxMessage.objects.filter(state=OutboxMessage.State.SENDING, claimed_at__lt=stale).update(
        state=OutboxMessage.State.QUEUED, next_attempt_at=now
    )
    ids = list(OutboxMessage.objects.due(now=now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return sum(1 for message_id in ids if outbox_dispatch(message_id))


def outbox_send_due(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send every due message here and now (``manage.py outbox_send``, embedded mode); count by state."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for message_id in (
        OutboxMessage.objects.due(now=now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    ):
        state = outbox_send(message_id=message_id, now=now)
        counts[state] = counts.get(state, 0) + 1
    return counts


@transaction.atomic
def outbox_retry(*, message: OutboxMessage, actor: User) -> OutboxMessage:
    """The DPO sends a failed or waiting message again now (a fresh series of attempts)."""
    if not actor.has_perm("ijinus_privacy.retry_outboxmessage"):
        raise PermissionDenied(_("You may not send e-mails again."))
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.state not in (OutboxMessage.State.FAILED, OutboxMessage.State.QUEUED):
        raise ValidationError(_("Only a failed or queued e-mail can be sent again."))
    message.state = OutboxMessage.State.QUEUED
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["state", "attempts", "next_attempt_at"])
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=message, fields=["state"], reason="retry")
    message_id = message.pk
    transaction.on_commit(lambda: outbox_dispatch(message_id))
    return message
