"""Information and re-consent duties (Art. 7, 13, 14 GDPR; C. consom. L.223-1).

* ``ConsentTextReview``: the DPO's check, element by element, that a consent wording says what
  EDPB Guidelines 05/2020 §3.3.1 and Art. 13 require before it may be used (controller, purpose,
  data, right to withdraw, transfers and automated decisions where relevant).
* ``ConsentPurposeSetting``: per consent purpose and channel, the register entry it depends on
  and an optional refresh interval. ``ReconsentCause`` / ``ReconsentFlag``: the people whose
  consent no longer covers a purpose that changed substantively, or grew too old, until they
  answer again (EDPB 05/2020 ¶¶110-111).
* ``PolicyNotificationCampaign`` / ``PolicyNotification``: a substantive new privacy-policy
  version told actively to each person concerned, recorded per person (WP260 rev.01 ¶¶29-30).
* ``IndirectCollection``: data not collected from the person (prospect lists, trade fairs), its
  source and when and how the person was told (Art. 14(2)(f), 14(3)).
* ``BloctelList`` / ``BloctelNumber``: the telephone opposition list imported by the DPO, kept
  as keyed hashes only (C. consom. L.223-1).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.actors import user_fk
from ijinus_privacy.choices import Channel
from subjects.models import DataSubject

from .consent import ConsentEvent, Notice
from .register import ProcessingActivity

# --- Consent wording check (Art. 7, Art. 13; EDPB 05/2020 §3.3.1) ------------------------------------


class ConsentTextReview(models.Model):
    """The DPO's confirmation, element by element, that a consent wording may be used."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To review by the DPO: not usable yet")
        ACTIVATED = "activated", _("Checked and usable")
        IN_USE_BEFORE_CHECK = "in_use_before_check", _("In use before the check existed: to review by the DPO")

    USABLE = (Status.ACTIVATED, Status.IN_USE_BEFORE_CHECK)

    notice = models.OneToOneField(
        Notice, on_delete=models.PROTECT, related_name="review", verbose_name=_("consent wording")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    states_controller = models.BooleanField(
        _("names the controller"), default=False, help_text=_("Who asks for consent (Art. 13(1)(a)).")
    )
    states_purpose = models.BooleanField(
        _("states the purpose"), default=False, help_text=_("What the consent is for (Art. 13(1)(c)).")
    )
    states_data = models.BooleanField(
        _("states the data collected"), default=False, help_text=_("Which data are used (EDPB 05/2020 §3.3.1).")
    )
    states_withdrawal = models.BooleanField(
        _("states the right to withdraw"),
        default=False,
        help_text=_("That consent can be withdrawn at any time, and how (Art. 7(3), Art. 13(2)(c))."),
    )
    transfers_relevant = models.BooleanField(
        _("data transferred outside the EU/EEA"), default=False, help_text=_("Art. 13(1)(f), Art. 49(1)(a).")
    )
    states_transfers = models.BooleanField(_("states the transfers and their risks"), default=False)
    automated_decisions_relevant = models.BooleanField(
        _("automated decisions are made"), default=False, help_text=_("Art. 13(2)(f), Art. 22.")
    )
    states_automated_decisions = models.BooleanField(_("states the automated decisions"), default=False)
    reviewed_by = user_fk(_("checked by"))
    reviewed_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent wording check (Art. 7, Art. 13)")
        verbose_name_plural = _("consent wording checks (Art. 7, Art. 13)")
        ordering = ["-id"]

    def __str__(self) -> str:
        return str(self.notice)


# --- Re-consent (EDPB 05/2020 ¶¶110-111) -------------------------------------------------------------


class ConsentPurposeSetting(models.Model):
    """What a consent purpose depends on in the register, and how often it is asked again."""

    channel = models.CharField(_("purpose and channel"), max_length=30, choices=Channel.choices, unique=True)
    activity = models.ForeignKey(
        ProcessingActivity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("register entry"),
        help_text=_(
            "A substantive change of this entry (new purpose, new recipients, new transfers) asks for a new "
            "consent (EDPB Guidelines 05/2020 ¶110)."
        ),
    )
    refresh_months = models.PositiveSmallIntegerField(
        _("ask again after (months)"),
        null=True,
        blank=True,
        help_text=_("Optional: consents older than this are asked again (EDPB Guidelines 05/2020 ¶111)."),
    )

    class Meta:
        verbose_name = _("consent purpose setting")
        verbose_name_plural = _("consent purpose settings (re-consent)")
        ordering = ["channel"]

    def __str__(self) -> str:
        return self.get_channel_display()


class ReconsentCause(models.Model):
    """Why a set of consents was flagged at once: a register change, or a refresh interval reached."""

    class Kind(models.TextChoices):
        PURPOSE_CHANGED = "purpose_changed", _("Purpose changed substantively (EDPB 05/2020 ¶110)")
        REFRESH_DUE = "refresh_due", _("Refresh interval reached (EDPB 05/2020 ¶111)")

    kind = models.CharField(_("cause"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("purpose and channel"), max_length=30, choices=Channel.choices)
    activity = models.ForeignKey(
        ProcessingActivity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("register entry"),
    )
    reason = models.CharField(_("what changed"), max_length=500)
    effective_at = models.DateTimeField(_("consents given before"))
    flagged_count = models.PositiveIntegerField(_("people flagged"), default=0)
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    created_by = user_fk(_("flagged by"))

    class Meta:
        verbose_name = _("re-consent cause")
        verbose_name_plural = _("re-consent causes")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.get_channel_display()}"


class ReconsentFlagQuerySet(models.QuerySet):
    def open(self) -> ReconsentFlagQuerySet:
        return self.filter(cleared_at__isnull=True)

    def open_at(self, moment) -> ReconsentFlagQuerySet:
        """Flags in force at ``moment``: raised before it, not yet cleared then."""
        return self.filter(flagged_at__lte=moment).filter(Q(cleared_at__isnull=True) | Q(cleared_at__gt=moment))


class ReconsentFlag(models.Model):
    """One person's consent to a purpose no longer covers it: not used until they answer again."""

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="reconsent_flags", verbose_name=_("subject")
    )
    channel = models.CharField(_("purpose and channel"), max_length=30, choices=Channel.choices)
    cause = models.ForeignKey(ReconsentCause, on_delete=models.CASCADE, related_name="flags", verbose_name=_("cause"))
    consent_event = models.ForeignKey(
        ConsentEvent,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("consent no longer covering the purpose"),
    )
    flagged_at = models.DateTimeField(_("flagged at"))
    cleared_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    clearing_event = models.ForeignKey(
        ConsentEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answer (new consent event)"),
    )

    objects = ReconsentFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("re-consent flag")
        verbose_name_plural = _("re-consent flags (new consent needed)")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "channel"],
                condition=Q(cleared_at__isnull=True),
                name="consents_reconsent_one_open_flag",
            ),
        ]
        indexes = [models.Index(fields=["channel", "cleared_at"], name="consents_reconsent_chan_open")]

    def __str__(self) -> str:
        return _("Re-consent flag #%(id)s") % {"id": self.pk}


# --- Privacy-policy change notifications (WP260 rev.01 ¶¶29-30) --------------------------------------


class PolicyNotificationCampaign(models.Model):
    """A substantive new privacy-policy version, told by e-mail to each person concerned, in batches."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Sending")
        DONE = "done", _("Everyone concerned was told")

    notice = models.OneToOneField(
        Notice, on_delete=models.PROTECT, related_name="notification_campaign", verbose_name=_("privacy-policy version")
    )
    summary = models.TextField(
        _("what changes"),
        help_text=_("Told to each person: the new purposes, recipients, transfers or ways to exercise rights."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(_("people concerned"), default=0)
    notified = models.PositiveIntegerField(_("e-mails queued"), default=0)
    last_subject_id = models.BigIntegerField(_("last person reached (id)"), default=0, editable=False)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    created_by = user_fk(_("started by"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("privacy-policy change notification")
        verbose_name_plural = _("privacy-policy change notifications (Art. 12-13)")
        ordering = ["-id"]

    def __str__(self) -> str:
        return str(self.notice)


class PolicyNotification(models.Model):
    """One person told of a substantive policy change: by which e-mail, queued and sent when."""

    campaign = models.ForeignKey(
        PolicyNotificationCampaign, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("campaign")
    )
    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="policy_notifications", verbose_name=_("subject")
    )
    outbox_message_id = models.BigIntegerField(_("e-mail (outbox id)"), null=True, blank=True)
    queued_at = models.DateTimeField(_("queued at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("person told of a policy change")
        verbose_name_plural = _("people told of a policy change")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "subject"], name="consents_policy_notified_once"),
        ]

    def __str__(self) -> str:
        return _("Policy notification #%(id)s") % {"id": self.pk}


# --- Art. 14: data not collected from the person ----------------------------------------------------


class IndirectCollectionQuerySet(models.QuerySet):
    def uninformed(self) -> IndirectCollectionQuerySet:
        return self.filter(informed_on__isnull=True, exemption="")

    def overdue(self, *, today=None) -> IndirectCollectionQuerySet:
        """Not told, no exemption, and the Art. 14(3) time limit has passed."""
        return self.uninformed().filter(due_on__lt=today or timezone.localdate())


class IndirectCollection(models.Model):
    """Data about a person obtained from someone else, and the Art. 14 information given to them."""

    class SourceKind(models.TextChoices):
        PROSPECT_LIST = "prospect_list", _("Prospect list bought or rented")
        TRADE_FAIR = "trade_fair", _("Trade fair or event")
        PARTNER = "partner", _("Commercial partner")
        REFERRAL = "referral", _("Colleague or customer who passed the contact on")
        PUBLIC_SOURCE = "public_source", _("Publicly accessible source (directory, website)")
        OTHER = "other", _("Other source")

    class Method(models.TextChoices):
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Letter")
        FIRST_MESSAGE = "first_message", _("In the first message sent to the person")
        PHONE = "phone", _("Phone, then in writing")
        IN_PERSON = "in_person", _("In person")

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="indirect_collections", verbose_name=_("subject")
    )
    source_kind = models.CharField(_("kind of source"), max_length=20, choices=SourceKind.choices)
    source_detail = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("Which list, fair or partner the data came from: told to the person (Art. 14(2)(f))."),
    )
    collected_on = models.DateField(_("obtained on"))
    first_communication_on = models.DateField(
        _("first communication planned on"),
        null=True,
        blank=True,
        help_text=_(
            "When data are used to communicate with the person, they are told at the latest then (Art. 14(3)(b))."
        ),
    )
    due_on = models.DateField(
        _("to be told by"),
        editable=False,
        help_text=_("One month after obtaining the data, or the first communication if earlier (Art. 14(3))."),
    )
    informed_on = models.DateField(_("told on"), null=True, blank=True)
    informed_how = models.CharField(_("told how"), max_length=20, choices=Method.choices, blank=True)
    notice = models.ForeignKey(
        Notice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("privacy-policy version given"),
    )
    exemption = models.CharField(
        _("exemption (DPO)"),
        max_length=300,
        blank=True,
        help_text=_("Only where Art. 14(5) applies, e.g. the person already has the information; state why."),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = user_fk(_("recorded by"))

    objects = IndirectCollectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("data obtained from others (Art. 14)")
        verbose_name_plural = _("data obtained from others (Art. 14)")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["informed_on", "due_on"], name="consents_art14_due")]

    def __str__(self) -> str:
        return _("Art. 14 record #%(id)s") % {"id": self.pk}


# --- Telephone opposition list (C. consom. L.223-1) --------------------------------------------------


class BloctelList(models.Model):
    """One opposition-list file imported by the DPO; only the latest one is checked against."""

    list_date = models.DateField(_("date of the list"), help_text=_("The date Bloctel produced the file."))
    number_count = models.PositiveIntegerField(_("numbers"), default=0)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = user_fk(_("imported by"))

    class Meta:
        verbose_name = _("telephone opposition list (Bloctel, C. consom. L.223-1)")
        verbose_name_plural = _("telephone opposition lists (Bloctel, C. consom. L.223-1)")
        ordering = ["-list_date", "-id"]
        permissions = [("import_bloctellist", _("Can import the telephone opposition list (DPO)"))]

    def __str__(self) -> str:
        return _("Bloctel list of %(date)s") % {"date": self.list_date.isoformat()}


class BloctelNumber(models.Model):
    """A number on the opposition list, as its keyed hash (``ijinus_privacy.identifiers``)."""

    bloctel_list = models.ForeignKey(BloctelList, on_delete=models.CASCADE, related_name="numbers")
    number_hash = models.CharField(_("HMAC-SHA256 of the number"), max_length=64)

    class Meta:
        verbose_name = _("number on the opposition list")
        verbose_name_plural = _("numbers on the opposition list")
        constraints = [
            models.UniqueConstraint(fields=["bloctel_list", "number_hash"], name="consents_bloctel_number_once"),
        ]

    def __str__(self) -> str:
        return _("Bloctel number #%(id)s") % {"id": self.pk}
