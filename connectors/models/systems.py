"""Connected systems: the systems outside this back office that hold personal data (the ijitrack
platform, the e-mailing tool), and one task per right to carry out in each of them.

A ``ConnectedSystem`` is a personal-data source that lives elsewhere: like a ``PersonalDataSource``
it names the data categories and register entries it serves, and it says which actions its
connector supports. Its credential is encrypted at rest (``ijinus_privacy.encryption``).

A ``ConnectorTask`` is the durable row of one call to carry out (collect for an access export,
erase, anonymise, restrict, rectify, suppress): the database row is the truth, the Celery message
only a wake-up call. It keeps its idempotency key across retries, the remote reference the system
answered, the last error (a code and a reason, never personal data), and, encrypted at rest, the
identifiers the remote system needs to find the person (read before the person is erased here,
dropped once the system confirmed) and the data collected for an access export.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consents.models import DataCategory, ProcessingActivity, Recipient
from ijinus_privacy import encryption
from ijinus_privacy.actors import user_fk


class Action(models.TextChoices):
    """What a connector can be asked to do in a connected system."""

    COLLECT = "collect", _("collect (access, portability)")
    ERASE = "erase", _("erase")
    ANONYMISE = "anonymise", _("anonymise")
    RESTRICT = "restrict", _("restrict")
    RECTIFY = "rectify", _("rectify")
    SUPPRESS = "suppress", _("suppress (unsubscribe, do not contact)")


def _encrypt_json(value: Any) -> bytes:
    return encryption.encrypt(json.dumps(value, sort_keys=True, default=str).encode())


def _decrypt_json(token: bytes | memoryview | None) -> Any:
    if not token:
        return None
    return json.loads(encryption.decrypt(bytes(token)))


class ConnectedSystemQuerySet(models.QuerySet):
    def active(self) -> ConnectedSystemQuerySet:
        return self.filter(active=True)

    def supporting(self, action: str) -> ConnectedSystemQuerySet:
        """The systems whose connector can carry out ``action`` (``Action``)."""
        if action not in Action.values:
            raise ValueError(f"Unknown connector action {action!r}.")
        return self.filter(**{f"supports_{action}": True})


class ConnectedSystem(models.Model):
    """A system outside this back office that holds personal data and is reached by a connector."""

    class Kind(models.TextChoices):
        IJITRACK = "ijitrack", _("ijitrack platform (IJINUS privacy contract)")
        EMAILING = "emailing", _("e-mailing tool (Mailchimp-style audience API)")
        WEBHOOK = "webhook", _("outbound webhook (signed)")

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    base_url = models.URLField(
        _("base URL"),
        max_length=300,
        help_text=_(
            "The root of the system's API, e.g. https://v2.ijitrack.com/privacy/v1 or https://us21.api.mailchimp.com/3.0"
        ),
    )
    audience_id = models.CharField(
        _("audience (list) id"),
        max_length=100,
        blank=True,
        help_text=_("E-mailing tool only: the audience whose members are unsubscribed or erased."),
    )
    credential_encrypted = models.BinaryField(_("credential (encrypted)"), blank=True, default=b"", editable=False)
    active = models.BooleanField(
        _("active"),
        default=False,
        help_text=_("Only an active system is called. A new system starts inactive until its contract is tested."),
    )
    supports_collect = models.BooleanField(_("collects (access, portability)"), default=False)
    supports_erase = models.BooleanField(_("erases"), default=False)
    supports_anonymise = models.BooleanField(_("anonymises"), default=False)
    supports_restrict = models.BooleanField(_("restricts"), default=False)
    supports_rectify = models.BooleanField(_("rectifies"), default=False)
    supports_suppress = models.BooleanField(_("suppresses (unsubscribe)"), default=False)
    data_categories = models.ManyToManyField(
        DataCategory,
        blank=True,
        related_name="connected_systems",
        verbose_name=_("data categories"),
        help_text=_("The categories of personal data the system holds: they tailor the Art. 15(1)(b) information."),
    )
    activities = models.ManyToManyField(
        ProcessingActivity,
        blank=True,
        related_name="connected_systems",
        verbose_name=_("processing activities"),
        help_text=_("The entries of the register of processing (Art. 30) the system serves."),
    )
    recipient = models.ForeignKey(
        Recipient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="connected_systems",
        verbose_name=_("recipient in the register"),
        help_text=_(
            "When the system is a recipient of disclosed data, Art. 19 notifications to it go through "
            "its connector and are tracked with its tasks (Art. 19 GDPR)."
        ),
    )
    timeout_seconds = models.PositiveSmallIntegerField(
        _("timeout (seconds)"), default=10, help_text=_("Every call gives up after this long and is retried later.")
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts before failing"),
        default=8,
        help_text=_("A system that keeps answering an error is marked failed after this many attempts."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ConnectedSystemQuerySet.as_manager()

    class Meta:
        verbose_name = _("connected system")
        verbose_name_plural = _("connected systems")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def actions(self) -> list[str]:
        return [action for action in Action.values if getattr(self, f"supports_{action}")]

    def supports(self, action: str) -> bool:
        return bool(getattr(self, f"supports_{action}", False))

    @property
    def has_credential(self) -> bool:
        return bool(self.credential_encrypted)

    def set_credential(self, secret: str) -> None:
        self.credential_encrypted = encryption.encrypt(secret.encode()) if secret else b""

    def credential(self) -> str:
        if not self.credential_encrypted:
            return ""
        return encryption.decrypt(bytes(self.credential_encrypted)).decode()


class ConnectorTaskQuerySet(models.QuerySet):
    def pending(self) -> ConnectorTaskQuerySet:
        """Not settled yet: waiting, running or failed (a failed task still needs a retry or a waiver)."""
        return self.filter(state__in=ConnectorTask.UNSETTLED)

    def due(self, now=None) -> ConnectorTaskQuerySet:
        """Waiting tasks whose next attempt has come: what beat's sweep dispatches."""
        now = now or timezone.now()
        return self.filter(state=ConnectorTask.State.WAITING).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        )

    def for_request(self, request_id: int) -> ConnectorTaskQuerySet:
        return self.filter(request_id=request_id)

    def for_sweep_run(self, run_id: int) -> ConnectorTaskQuerySet:
        return self.filter(sweep_run_id=run_id)


class ConnectorTask(models.Model):
    """One action to carry out in one connected system, for one person (and usually one request)."""

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done (confirmed by the system)")
        FAILED = "failed", _("failed")
        WAIVED = "waived", _("waived by the DPO (reason recorded)")

    UNSETTLED = (State.WAITING, State.RUNNING, State.FAILED)
    SETTLED = (State.DONE, State.WAIVED)

    request = models.ForeignKey(
        "requests_dsar.Request",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="connector_tasks",
        verbose_name=_("request"),
    )
    sweep_run = models.ForeignKey(
        "retention.SweepRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="connector_tasks",
        verbose_name=_("retention sweep"),
        help_text=_(
            "The retention sweep this task carries out: the person was deleted or anonymised here (their "
            "copy goes too) or moved to the intermediate archive (the system stops processing them), "
            "Art. 28(3)(g)."
        ),
    )
    subject_ref = models.PositiveBigIntegerField(
        _("data subject id"), db_index=True, help_text=_("Kept as a number: the person may be erased here already.")
    )
    system = models.ForeignKey(
        ConnectedSystem, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("connected system")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WAITING)
    notification = models.ForeignKey(
        "requests_dsar.RecipientNotification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="connector_tasks",
        verbose_name=_("Art. 19 notification"),
        help_text=_("The recipient notification this task carries out (Art. 19 GDPR)."),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, db_index=True)
    idempotency_key = models.UUIDField(
        _("idempotency key"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Sent with every attempt: the system carries out the action once however often it is retried."),
    )
    remote_ref = models.CharField(_("remote reference"), max_length=200, blank=True)
    last_error = models.CharField(
        _("last error"), max_length=300, blank=True, help_text=_("A status code and a reason; never personal data.")
    )
    lookup_encrypted = models.BinaryField(_("identifiers (encrypted)"), blank=True, default=b"", editable=False)
    result_encrypted = models.BinaryField(_("collected data (encrypted)"), blank=True, default=b"", editable=False)
    waived_reason = models.TextField(_("why not carried out"), blank=True)
    waived_by = user_fk(_("waived by"))
    waived_by_username = models.CharField(_("waived by (username)"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("last attempt started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("sent to the workers at"), null=True, blank=True)

    objects = ConnectorTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("connector task")
        verbose_name_plural = _("connector tasks")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("retry_connectortask", "Can retry a connector task"),
            ("waive_connectortask", "Can waive a connector task with a reason"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "system", "action"],
                condition=Q(request__isnull=False),
                name="connectors_task_one_per_request_system_action",
            ),
            models.CheckConstraint(
                condition=~Q(state="waived") | ~Q(waived_reason=""), name="connectors_task_waiver_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="connectors_task_due_idx")]

    def __str__(self) -> str:
        return _("Task #%(id)s") % {"id": self.pk}

    @property
    def is_settled(self) -> bool:
        return self.state in self.SETTLED

    def set_lookup(self, value: dict[str, Any] | None) -> None:
        self.lookup_encrypted = _encrypt_json(value) if value else b""

    def lookup(self) -> dict[str, Any]:
        return _decrypt_json(self.lookup_encrypted) or {}

    def set_result(self, value: dict[str, Any] | None) -> None:
        self.result_encrypted = _encrypt_json(value) if value is not None else b""

    def result(self) -> dict[str, Any] | None:
        return _decrypt_json(self.result_encrypted)
