"""Erasure proofs, the archive of records kept after an erasure, tombstones, and Art. 19 tracking.

How an erasure keeps what the law requires (R1.10.3, R4.4.2): the records a statutory exception
covers (invoices and payments, 10 years, C. com. L.123-22; contract evidence, 5 years, C. civ.
art. 2224) are *moved*: each one is copied, field by field, into an ``ErasureKeep`` row with its
ground and end date, and the active rows are then deleted with everything else. ``ErasureKeep`` is
the intermediate archive for the records of a person who is otherwise gone: only the Archivist
role sees it (R4.4.2), it holds no link to an active row, and ``erasure_keeps_purge`` deletes each
row on its end date. Nothing in the active tables can be joined back to the person.

``ErasureRecord`` is the deletion proof (R1.10.4): who approved, when, counts per source, and the
kept items with their reason and end date; no personal value. ``ErasureTombstone`` holds keyed
hashes of the e-mail and phone (``ijinus_privacy.identifiers``) so that ``reapply_erasures``
recognises a person who reappears after a backup restore (R1.10.7).

``DisclosureLog`` records every disclosure of a subject's data to a recipient (R1.12.1);
``RecipientNotification`` is one Art. 19 task per recipient when a rectification, erasure or
restriction is executed (R1.12.2). Notifications keep the subject's id only, so they survive the
erasure they report.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subjects.models import DataSubject

from .request import Request


class ErasureGround(models.TextChoices):
    """The Art. 17(1) ground relied on (R1.10.1)."""

    NO_LONGER_NECESSARY = "17_1_a", _("No longer necessary for the purposes (Art. 17(1)(a))")
    CONSENT_WITHDRAWN = "17_1_b", _("Consent withdrawn, no other legal basis (Art. 17(1)(b))")
    OBJECTION = "17_1_c", _("Objection under Art. 21(1) without overriding grounds, or under 21(2) (Art. 17(1)(c))")
    UNLAWFUL = "17_1_d", _("Unlawful processing (Art. 17(1)(d))")
    LEGAL_OBLIGATION = "17_1_e", _("Legal obligation to erase (Art. 17(1)(e))")


class ErasureRecord(models.Model):
    """The deletion proof of one erasure (R1.10.4): facts and counts, never a personal value."""

    request = models.ForeignKey(
        Request, on_delete=models.PROTECT, related_name="erasures", verbose_name=_("request"), null=True, blank=True
    )
    subject_ref = models.PositiveBigIntegerField(_("data subject id (erased)"), db_index=True)
    ground = models.CharField(_("ground (Art. 17(1))"), max_length=10, choices=ErasureGround.choices)
    executed_at = models.DateTimeField(_("executed at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by_username = models.CharField(_("approved by (DPO)"), max_length=150)
    counts = models.JSONField(_("rows per source"), default=dict, blank=True)
    kept = models.JSONField(
        _("kept items"),
        default=list,
        blank=True,
        help_text=_("Per source and category: ground, reason, count, until (Art. 17(3))."),
    )
    suppression_added = models.BooleanField(_("suppression entry left (Art. 21(3))"), default=False)
    notifications = models.PositiveIntegerField(_("recipient notifications created (Art. 19)"), default=0)

    class Meta:
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records (deletion proofs)")
        ordering = ["-executed_at", "-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return _("Erasure #%(id)s") % {"id": self.pk}


class ErasureKeepQuerySet(models.QuerySet):
    def due(self, today) -> ErasureKeepQuerySet:
        return self.filter(keep_until__lte=today)


class ErasureKeep(models.Model):
    """One record kept in the intermediate archive after its owner's erasure (R1.10.3, R4.4.2)."""

    erasure = models.ForeignKey(ErasureRecord, on_delete=models.PROTECT, related_name="keeps")
    subject_ref = models.PositiveBigIntegerField(_("data subject id (erased)"), db_index=True)
    source = models.CharField(_("source"), max_length=100)
    record_type = models.CharField(_("record type"), max_length=100)
    record_ref = models.PositiveBigIntegerField(_("former record id"))
    ground = models.CharField(_("exception (Art. 17(3))"), max_length=20)
    reason = models.CharField(_("reason"), max_length=300)
    keep_until = models.DateField(_("kept until"), db_index=True)
    payload = models.JSONField(_("record as kept"), default=dict)
    archived_at = models.DateTimeField(_("archived at"), default=timezone.now)

    objects = ErasureKeepQuerySet.as_manager()

    class Meta:
        verbose_name = _("record kept after erasure")
        verbose_name_plural = _("records kept after erasure (intermediate archive)")
        ordering = ["keep_until", "id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return _("Kept record #%(id)s") % {"id": self.pk}


class ErasureTombstone(models.Model):
    """Keyed hashes of an erased person's identifiers, to re-erase them after a restore (R1.10.7)."""

    erasure = models.OneToOneField(ErasureRecord, on_delete=models.PROTECT, related_name="tombstone")
    email_hash = models.CharField(_("e-mail HMAC-SHA256"), max_length=64, blank=True, db_index=True)
    phone_hash = models.CharField(_("phone HMAC-SHA256"), max_length=64, blank=True, db_index=True)
    erased_on = models.DateField(_("erased on"))
    reapplied = models.PositiveIntegerField(_("times re-applied"), default=0)
    last_reapplied_at = models.DateTimeField(_("last re-applied at"), null=True, blank=True)
    held_found_at = models.DateTimeField(
        _("found again under a legal hold at"),
        null=True,
        blank=True,
        help_text=_("A person matching this tombstone is back but under a legal hold: the DPO decides."),
    )
    readmitted_subject_ref = models.PositiveBigIntegerField(
        _("data subject id admitted again"),
        null=True,
        blank=True,
        help_text=_("The person came back on their own new request or consent (Art. 6(1)(a)-(b)); not re-erased."),
    )
    readmitted_at = models.DateTimeField(_("admitted again at"), null=True, blank=True)
    readmission_basis = models.CharField(_("admitted again on"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("erasure tombstone")
        verbose_name_plural = _("erasure tombstones")
        ordering = ["-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return _("Tombstone #%(id)s") % {"id": self.pk}


class DisclosureLogQuerySet(models.QuerySet):
    def for_subject(self, subject_id: int) -> DisclosureLogQuerySet:
        return self.filter(subject_id=subject_id)


class DisclosureLog(models.Model):
    """One disclosure of a subject's data to a recipient (Art. 19, Art. 15(1)(c); R1.12.1)."""

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="disclosures", verbose_name=_("subject")
    )
    recipient = models.ForeignKey(
        "consents.Recipient", on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("recipient")
    )
    disclosed_on = models.DateField(_("disclosed on"))
    categories = models.JSONField(_("data categories"), default=list, help_text=_("Data-category codes (Art. 30)."))
    purpose = models.CharField(_("purpose"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = DisclosureLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("disclosure (Art. 19)")
        verbose_name_plural = _("disclosure log")
        ordering = ["-disclosed_on", "-id"]
        indexes = [models.Index(fields=["subject", "recipient"], name="dsar_disclosure_subject_recip")]

    def __str__(self) -> str:
        return _("Disclosure #%(id)s") % {"id": self.pk}

    def clean(self) -> None:
        if not self.categories:
            raise ValidationError({"categories": _("Name at least one data category disclosed (Art. 19).")})
        if self.disclosed_on and self.disclosed_on > timezone.localdate():
            raise ValidationError({"disclosed_on": _("A disclosure cannot be dated in the future.")})


class ChangeKind(models.TextChoices):
    RECTIFICATION = "rectification", _("Rectification (Art. 16)")
    ERASURE = "erasure", _("Erasure (Art. 17(1))")
    RESTRICTION = "restriction", _("Restriction (Art. 18)")


class RecipientNotificationQuerySet(models.QuerySet):
    def open(self) -> RecipientNotificationQuerySet:
        return self.filter(status=RecipientNotification.Status.PENDING)

    def for_subject(self, subject_id: int) -> RecipientNotificationQuerySet:
        return self.filter(subject_ref=subject_id)


class RecipientNotification(models.Model):
    """Tell one recipient about a rectification, erasure or restriction (Art. 19; R1.12.2)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To send")
        SENT = "sent", _("Sent")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged by the recipient")
        IMPOSSIBLE = "impossible", _("Impossible or disproportionate effort (justified)")

    request = models.ForeignKey(
        Request,
        on_delete=models.CASCADE,
        related_name="recipient_notifications",
        verbose_name=_("request"),
        null=True,
        blank=True,
    )
    subject_ref = models.PositiveBigIntegerField(_("data subject id"), db_index=True)
    recipient = models.ForeignKey(
        "consents.Recipient", on_delete=models.PROTECT, related_name="notifications", verbose_name=_("recipient")
    )
    change_kind = models.CharField(_("change"), max_length=20, choices=ChangeKind.choices)
    categories = models.JSONField(_("data categories disclosed"), default=list)
    last_disclosed_on = models.DateField(_("last disclosed on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    justification = models.TextField(
        _("justification"), blank=True, help_text=_("Required when notifying is impossible or disproportionate.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_by_username = models.CharField(_("last updated by"), max_length=150, blank=True)

    objects = RecipientNotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("recipient notification (Art. 19)")
        verbose_name_plural = _("recipient notifications (Art. 19)")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "recipient", "change_kind"],
                condition=Q(request__isnull=False),
                name="dsar_notification_one_per_request_recipient_change",
            )
        ]

    def __str__(self) -> str:
        return _("Notification #%(id)s") % {"id": self.pk}

    @property
    def due_on(self):
        """Due within the request's Art. 12(3) response period: the request's due date (R1.12.4);
        ``None`` for a notification outside any request."""
        return self.request.due_on if self.request_id else None

    def is_overdue(self, today=None) -> bool:
        due = self.due_on
        return self.status == self.Status.PENDING and due is not None and due < (today or timezone.localdate())

    def clean(self) -> None:
        if self.status == self.Status.IMPOSSIBLE and not self.justification.strip():
            raise ValidationError(
                {"justification": _("Justify why notifying this recipient is impossible or disproportionate.")}
            )
