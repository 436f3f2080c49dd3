"""Outbound webhook deliveries: one row per HTTP attempt to a webhook-kind ``ConnectedSystem``.

A processor without an API of ours to call (issue 15) is told of a right to carry out by a signed
POST (``connectors.webhooks``). Each attempt, retry and manual redelivery is recorded here with
what the DPO needs to prove it and to debug it: the event, the attempt number, the hash of the
exact body sent, the body *as stored* (the person's identifiers replaced by ``[redacted]``: only the
pseudonymous subject number and the request number stay), the response status, an excerpt of the
response (identifiers redacted too), the duration and the error type. The rows are written only
by ``connectors.webhooks`` and never changed.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .systems import ConnectedSystem, ConnectorTask

REDACTED = "[redacted]"


class WebhookDelivery(models.Model):
    """One attempt to deliver one webhook event (append-only)."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", _("delivered (2xx)")
        RETRYABLE = "retryable", _("failed, tried again later")
        FAILED = "failed", _("failed (not retried)")

    system = models.ForeignKey(
        ConnectedSystem, on_delete=models.PROTECT, related_name="webhook_deliveries", verbose_name=_("connected system")
    )
    task = models.ForeignKey(
        ConnectorTask,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="webhook_deliveries",
        verbose_name=_("connector task"),
    )
    event_id = models.UUIDField(
        _("event id"), db_index=True, help_text=_("The same on every attempt and redelivery of the event.")
    )
    event_type = models.CharField(_("event type"), max_length=60)
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    redelivery_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redeliveries",
        verbose_name=_("manual redelivery of"),
    )
    requested_by_username = models.CharField(
        _("redelivered by"), max_length=150, blank=True, help_text=_("Empty for the automatic attempts.")
    )
    url = models.URLField(_("URL"), max_length=300)
    signature_timestamp = models.PositiveBigIntegerField(_("signature timestamp (Unix)"))
    payload_sha256 = models.CharField(
        _("SHA-256 of the body sent"), max_length=64, help_text=_("Proves which body was sent, without keeping it.")
    )
    request_body = models.JSONField(
        _("body sent (identifiers redacted)"),
        help_text=_("The body as sent, with the person's identifiers replaced: data minimisation (Art. 5(1)(c) GDPR)."),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_excerpt = models.CharField(_("response (excerpt, identifiers redacted)"), max_length=500, blank=True)
    error = models.CharField(
        _("error"), max_length=300, blank=True, help_text=_("A type and a status; never personal data.")
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-sent_at", "-id"]
        permissions = [("redeliver_webhookdelivery", "Can redeliver a webhook event")]
        indexes = [models.Index(fields=["system", "-sent_at"], name="connectors_whd_system_sent")]

    def __str__(self) -> str:
        return _("Webhook delivery #%(id)s") % {"id": self.pk}

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Webhook deliveries are append-only: record a new attempt instead.")
        super().save(*args, **kwargs)
