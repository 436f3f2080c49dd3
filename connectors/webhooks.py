"""Outbound webhooks: the connector kind for processors without an API of ours to call (issue 15).

A webhook-kind ``ConnectedSystem`` is told of each right to carry out (erase, anonymise, restrict,
rectify, suppress) by a signed ``POST`` of a JSON event to its ``base_url``. The processor answers
2xx once it has the event; the task is then done, with the processor's ``reference`` (or the
status) as proof. Everything else is the core's retry mechanism (``connectors.contract``):

* connection refused, timeout, 408, 429, 5xx: ``TransientError``, tried again with back-off;
* any other status (3xx are not followed, 4xx): ``PermanentError``, the task fails with the reason.

Every attempt is recorded as a ``WebhookDelivery`` (docs/webhooks.md): the body as stored has the
person's identifiers replaced by ``[redacted]``; the e-mail travels only inside the signed body,
never in the URL or a header.

Signature: ``X-Ijinus-Signature: t=<unix>,v1=<hex>``, the hex HMAC-SHA256 of ``"{t}.{body}"`` with
the system's signing secret (its credential, encrypted at rest). Receivers refuse a timestamp
older than the replay window (``WEBHOOK_REPLAY_WINDOW_SECONDS``, 5 minutes); ``verify_signature``
is the reference implementation, and docs/webhooks.md has the same check for receivers.

Services here (``secret_issue``, ``redeliver``) check permissions, write in ``transaction.atomic()``
and record their audit event in the same transaction. HTTP calls are made outside transactions.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit

from .contract import Connector, Outcome, PermanentError, TransientError
from .models import ConnectedSystem, ConnectorTask
from .models.webhooks import REDACTED, WebhookDelivery

SIGNATURE_HEADER = "X-Ijinus-Signature"
DEFAULT_REPLAY_WINDOW = 300
RETRYABLE_STATUSES = {408, 425, 429}
EXCERPT_LENGTH = 500
READ_LIMIT = 64 * 1024
USER_AGENT = "IJINUS-Privacy-Webhooks/1"
JOB = "webhooks"
EVENT_ACTIONS = ("erase", "anonymise", "restrict", "rectify", "suppress")  # a webhook collects nothing


def replay_window() -> int:
    """Seconds a receiver accepts a signature for (``WEBHOOK_REPLAY_WINDOW_SECONDS``, default 300)."""
    return int(getattr(settings, "WEBHOOK_REPLAY_WINDOW_SECONDS", DEFAULT_REPLAY_WINDOW))


# --- Signing ---------------------------------------------------------------------------------


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(
    secret: str, header: str, body: bytes, *, now: int | None = None, window: int | None = None
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within the replay window (receiver side)."""
    try:
        parts = dict(item.strip().split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > (replay_window() if window is None else window):
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    signatures = [value for key, value in (item.strip().split("=", 1) for item in header.split(",")) if key == "v1"]
    return any(hmac.compare_digest(expected, signature) for signature in signatures)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


# --- The event -------------------------------------------------------------------------------


def event_type(task: ConnectorTask) -> str:
    return f"subject.{task.action}"


def event_payload(task: ConnectorTask, *, identifiers: dict[str, Any]) -> dict[str, Any]:
    """The event for ``task``: what a processor needs to carry out the right, and nothing more.

    ``subject.id`` is our pseudonymous subject number; ``subject.identifiers`` are the task's
    lookup (the e-mail and any id the processor knows), which exist only in the signed body.
    """
    return {
        "id": str(task.idempotency_key),
        "type": event_type(task),
        "action": task.action,
        "created": task.created_at.astimezone(UTC).isoformat(timespec="seconds"),
        "idempotency_key": str(task.idempotency_key),
        "subject": {"id": task.subject_ref, "identifiers": identifiers},
        "request": {"id": task.request_id} if task.request_id else None,
        "art19_notification": bool(task.notification_id),
    }


def _redacted(payload: dict[str, Any]) -> dict[str, Any]:
    stored = json.loads(json.dumps(payload))
    stored["subject"]["identifiers"] = dict.fromkeys(stored["subject"]["identifiers"], REDACTED)
    return stored


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list | tuple):
        return [leaf for item in value for leaf in _leaves(item)]
    return [] if value is None or isinstance(value, bool | int) else [str(value)]


def _redact_text(text: str, identifiers: dict[str, Any]) -> str:
    """The receiver's answer without any identifier it may echo (the e-mail, a name to rectify...)."""
    for value in sorted(set(_leaves(identifiers)), key=len, reverse=True):
        for form in {value, value.lower()}:
            if len(form) >= 3:
                text = text.replace(form, REDACTED)
    return text


# --- Sending ---------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer, never followed
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def check_url(url: str) -> None:
    """HTTPS only, except to this machine (tests, a local relay); no identifiers in the URL."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https":
        return
    loopback = host == "localhost"
    with contextlib.suppress(ValueError):
        loopback = loopback or ipaddress.ip_address(host).is_loopback
    if parts.scheme != "http" or not loopback:
        raise PermanentError("webhook URL must use https")


@dataclass
class _Response:
    status: int | None
    body: str
    error: str
    duration_ms: int


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> _Response:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (check_url: https or loopback http)
    started = time.monotonic()
    status, text, error = None, "", ""
    try:
        with _opener.open(request, timeout=timeout) as response:
            status, text = response.status, response.read(READ_LIMIT).decode("utf-8", "replace")
    except urllib.error.HTTPError as answer:
        status = answer.code
        text = answer.read(READ_LIMIT).decode("utf-8", "replace") if answer.fp else ""
    except TimeoutError:
        error = "timeout"
    except urllib.error.URLError as failure:
        reason = failure.reason
        error = "timeout" if isinstance(reason, TimeoutError) else f"connection failed ({type(reason).__name__})"
    except (ConnectionError, http.client.HTTPException, OSError) as failure:
        error = f"connection failed ({type(failure).__name__})"
    return _Response(status, text, error, int((time.monotonic() - started) * 1000))


def _classify(response: _Response) -> tuple[str, str]:
    """The delivery's outcome and the error to store (a type and a status, no content)."""
    if response.status is not None and 200 <= response.status < 300:
        return WebhookDelivery.Outcome.DELIVERED, ""
    if response.status is None:
        return WebhookDelivery.Outcome.RETRYABLE, response.error
    if response.status in RETRYABLE_STATUSES or response.status >= 500:
        return WebhookDelivery.Outcome.RETRYABLE, f"HTTP {response.status}"
    if 300 <= response.status < 400:
        return WebhookDelivery.Outcome.FAILED, f"HTTP {response.status}: redirects are not followed; set the final URL"
    return WebhookDelivery.Outcome.FAILED, f"HTTP {response.status}: the receiver refused the event"


def _remote_ref(response: _Response) -> str:
    try:
        answer = json.loads(response.body) if response.body else {}
    except ValueError:
        answer = {}
    reference = answer.get("reference") or answer.get("id") if isinstance(answer, dict) else None
    return str(reference)[:200] if reference else f"HTTP {response.status}"


def send(
    task: ConnectorTask, *, actor=None, redelivery_of: WebhookDelivery | None = None
) -> tuple[WebhookDelivery, _Response]:
    """POST the task's event once, signed, and record the attempt (redacted) with its answer."""
    system = task.system
    check_url(system.base_url)
    secret = system.credential()
    if not secret:
        raise PermanentError("webhook: no signing secret; issue one in the admin")
    identifiers = task.lookup()
    payload = event_payload(task, identifiers=identifiers)
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(secret, body, timestamp),
        "X-Ijinus-Event": payload["type"],
        "X-Ijinus-Event-Id": payload["id"],
        "Idempotency-Key": str(task.idempotency_key),
    }
    response = _post(system.base_url, body, headers, timeout=system.timeout_seconds)
    outcome, error = _classify(response)
    with transaction.atomic():
        attempt = (WebhookDelivery.objects.filter(event_id=task.idempotency_key).count()) + 1
        delivery = WebhookDelivery.objects.create(
            system=system,
            task=task,
            event_id=task.idempotency_key,
            event_type=payload["type"],
            attempt=attempt,
            redelivery_of=redelivery_of,
            requested_by_username=actors.username(actor) if redelivery_of else "",
            url=system.base_url,
            signature_timestamp=timestamp,
            payload_sha256=hashlib.sha256(body).hexdigest(),
            request_body=_redacted(payload),
            duration_ms=response.duration_ms,
            response_status=response.status,
            response_excerpt=_redact_text(response.body, identifiers)[:EXCERPT_LENGTH],
            error=error[:300],
            outcome=outcome,
        )
        audit.record(
            action=audit.Action.CREATE,
            actor=actor or actors.system(JOB),
            obj=delivery,
            fields=["event_type", "attempt", "response_status", "outcome"],
            reason=(f"Manual redelivery of webhook delivery #{redelivery_of.pk}" if redelivery_of else "")
            + (f" ({error})" if error and redelivery_of else ""),
        )
    return delivery, response


class WebhookConnector(Connector):
    """The ``webhook`` kind: every change action is one signed event; nothing is collected."""

    kind = ConnectedSystem.Kind.WEBHOOK

    def _deliver(self, task: ConnectorTask) -> Outcome:
        delivery, response = send(task)
        if delivery.outcome == WebhookDelivery.Outcome.DELIVERED:
            return Outcome.done(_remote_ref(response), delivery=delivery.pk, status=response.status)
        if delivery.outcome == WebhookDelivery.Outcome.RETRYABLE:
            raise TransientError(f"webhook: {delivery.error}", status=response.status)
        raise PermanentError(f"webhook: {delivery.error}", status=response.status)

    def erase(self, task: ConnectorTask) -> Outcome:
        return self._deliver(task)

    def anonymise(self, task: ConnectorTask) -> Outcome:
        return self._deliver(task)

    def restrict(self, task: ConnectorTask) -> Outcome:
        return self._deliver(task)

    def rectify(self, task: ConnectorTask) -> Outcome:
        return self._deliver(task)

    def suppress(self, task: ConnectorTask) -> Outcome:
        return self._deliver(task)


# --- Services (admin) ------------------------------------------------------------------------


def secret_issue(*, system: ConnectedSystem, actor) -> str:
    """A new signing secret for a webhook system, stored encrypted; returned once, to show once.

    Issuing a new one replaces the old at once: the receiver must be given the new secret.
    """
    actors.require(actor, "connectors.change_connectedsystem")
    if system.kind != ConnectedSystem.Kind.WEBHOOK:
        raise ValidationError(_("Only a webhook system has a signing secret."))
    secret = new_secret()
    with transaction.atomic():
        system.set_credential(secret)
        system.save(update_fields=["credential_encrypted", "updated_at"])
        audit.record(
            action=audit.Action.CHANGE,
            actor=actor,
            obj=system,
            fields=["credential_encrypted"],
            reason="Webhook signing secret issued",
        )
    return secret


def redeliver(*, delivery: WebhookDelivery, actor) -> WebhookDelivery:
    """Send a recorded event again, now, with a fresh signature; recorded as a new attempt.

    The body is rebuilt from the task: its identifiers are dropped once the system confirmed, so
    such an event cannot be sent again (the refusal says so).
    """
    actors.require(actor, "connectors.redeliver_webhookdelivery")
    task = delivery.task
    if task is None:
        raise ValidationError(_("This delivery has no task to rebuild the event from."))
    if not task.lookup_encrypted:
        raise ValidationError(
            _("The person's identifiers were dropped once the system confirmed: this event cannot be sent again.")
        )
    try:
        new, _response = send(task, actor=actor, redelivery_of=delivery)
    except PermanentError as refusal:
        raise ValidationError(str(refusal)) from None
    return new


def deliveries_for(event_id: uuid.UUID) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(event_id=event_id).order_by("attempt"))
