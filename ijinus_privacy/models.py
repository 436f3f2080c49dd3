"""The audit trail (R5.1): who viewed, changed, exported or downloaded which subject's data.

Append-only and hash-chained. Each event stores the hash of the one before it, and its own hash
covers every column but the live ``actor`` link, so ``manage.py audit_verify`` detects any edit,
deletion or insertion made behind the application's back. The hash is an HMAC under a key the
database does not hold (``key_id`` names it; events written before keying have ``key_id`` "" and a
plain SHA-256), so rewriting an event and recomputing the later links needs that key. The database
itself refuses UPDATE and DELETE (triggers installed by migration 0002, re-installed by 0003, see
``audit_triggers``); the single exception is the ``SET NULL`` of ``actor`` when a staff account is
deleted, since ``actor_pk`` and ``actor_username`` keep the identity in the chain (R5.1.2).

Events never hold values: field *names* only, and the subject as a bare id, so an erased
subject's audit history names no one.

Events are kept for ``AUDIT_RETENTION_MONTHS`` (R5.1.3). The oldest ones are purged behind an
``AuditCheckpoint``: the last purged event's hash and the number purged, HMAC-signed, so the chain
that remains still verifies from where the checkpoint ends (``audit_retention``). The database lets
a DELETE through only for events a checkpoint covers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.choices import Language


class AuditEventQuerySet(models.QuerySet):
    def for_subject(self, subject_id: int) -> AuditEventQuerySet:
        return self.filter(subject_id=subject_id)

    def consultations(self) -> AuditEventQuerySet:
        """Staff reads and exports of personal data: the dates and purposes owed under R1.7.5."""
        return self.filter(action__in=[AuditEvent.Action.VIEW, AuditEvent.Action.EXPORT, AuditEvent.Action.DOWNLOAD])


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("View")
        CREATE = "create", _("Create")
        CHANGE = "change", _("Change")
        DELETE = "delete", _("Delete")
        EXPORT = "export", _("Export")
        DOWNLOAD = "download", _("Download")
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        ARCHIVE_ACCESS = "archive_access", _("Archive access")

    occurred_at = models.DateTimeField(_("occurred at (UTC)"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    actor_pk = models.BigIntegerField(_("actor id (snapshot)"), null=True, blank=True)
    actor_username = models.CharField(_("actor username (snapshot)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, help_text=_("app_label.model"))
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    subject_id = models.BigIntegerField(
        _("data subject id"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("The data subject concerned, for per-subject queries (CJEU C-579/21). A bare id, not a link."),
    )
    fields = models.JSONField(
        _("fields"), default=list, blank=True, help_text=_("Field names, never values (CNIL 2021-122).")
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, unique=True)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    key_id = models.CharField(
        _("key id"),
        max_length=16,
        blank=True,
        default="",
        help_text=_("The HMAC key the hash was computed with; empty for events hashed before the chain was keyed."),
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class AuditCheckpoint(models.Model):
    """Where a purge of old audit events ended (R5.1.3): the chain that remains starts here.

    ``first_prev_hash`` is the previous hash of the first event purged (the previous checkpoint's
    ``last_hash``, or the genesis hash), ``last_event_id`` and ``last_hash`` those of the last one,
    ``purged_count`` how many went. ``signature`` is an HMAC of all of these under the audit key
    ``key_id``: a checkpoint forged in the database does not verify. Append-only, like the events.
    """

    created_at = models.DateTimeField(_("created at (UTC)"))
    cutoff = models.DateTimeField(_("events before"), help_text=_("Events that occurred before this were purged."))
    first_prev_hash = models.CharField(_("previous hash of the first purged event"), max_length=64)
    first_event_id = models.BigIntegerField(_("first purged event"))
    last_event_id = models.BigIntegerField(_("last purged event"), unique=True)
    last_hash = models.CharField(_("hash of the last purged event"), max_length=64, unique=True)
    purged_count = models.PositiveIntegerField(_("events purged"))
    key_id = models.CharField(_("key id"), max_length=16)
    signature = models.CharField(_("signature"), max_length=64)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints (purged periods)")
        ordering = ["-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"checkpoint #{self.pk}: events up to #{self.last_event_id}"


class OutboxMessageQuerySet(models.QuerySet):
    def due(self, *, now) -> OutboxMessageQuerySet:
        return self.filter(state=OutboxMessage.State.QUEUED, next_attempt_at__lte=now)

    def unsent(self) -> OutboxMessageQuerySet:
        return self.filter(state__in=[OutboxMessage.State.QUEUED, OutboxMessage.State.SENDING])

    def for_purpose(self, purpose: str, object_id: int | str) -> OutboxMessageQuerySet:
        return self.filter(purpose=purpose, object_id=str(object_id))


class OutboxMessage(models.Model):
    """An e-mail waiting to leave, or the record that it left (``ijinus_privacy.outbox``).

    The message itself (recipient, subject, bodies, attachments) is one Fernet-encrypted payload,
    emptied once the message is sent: the clear columns hold no personal data (a purpose, an object
    id, a state, an error class or SMTP code).
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    purpose = models.CharField(_("purpose"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    context = models.JSONField(_("context (ids only)"), default=dict, blank=True)
    payload = models.BinaryField(_("encrypted message"), blank=True, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("last attempt started at"), null=True, blank=True)
    last_error = models.CharField(
        _("last error"), max_length=200, blank=True, help_text=_("The error class or SMTP code, never personal data.")
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-id"]
        default_permissions = ("view",)
        permissions = [("retry_outboxmessage", _("Send a failed e-mail again"))]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_state_next"),
            models.Index(fields=["purpose", "object_id"], name="outbox_purpose_object"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.purpose}:{self.object_id}"


class StaffPreference(models.Model):
    """A staff member's own settings that follow them from one browser to another: the admin's language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="staff_preference"
    )
    language = models.CharField(_("language of the admin"), max_length=8, choices=Language.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("staff preference")
        verbose_name_plural = _("staff preferences")
        default_permissions = ()

    def __str__(self) -> str:
        return f"#{self.pk}"
