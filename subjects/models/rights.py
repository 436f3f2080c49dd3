"""The person's rights held on their file: rectification (R1.9), restriction marks (R1.11),
objections (R1.13) and post-mortem directives (R1.15). Imported by ``subjects.models``.

Proposed values of a rectification are personal data: they live on the row only until the change
is applied or rejected, then they are cleared; the audit trail keeps field names only (R5.1).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ijinus_privacy import actors
from ijinus_privacy.choices import MARKETING_CHANNELS

from .subject import DataSubject

# Fields of a data subject a rectification may change (Art. 16): identity and contact data.
RECTIFIABLE_FIELDS = (
    "last_name",
    "first_names",
    "marital_status",
    "date_of_birth",
    "street_address",
    "postal_code",
    "city",
    "country",
    "email",
    "phone",
    "organisation",
    "job_title",
    "language",
    "notes",
)


def _request_fk() -> models.ForeignKey:
    return models.ForeignKey(
        "requests_dsar.Request",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("request"),
    )


# --- Rectification (Art. 16, R1.9) ------------------------------------------------------------


class RectificationQuerySet(models.QuerySet):
    def pending(self) -> RectificationQuerySet:
        return self.filter(status=Rectification.Status.PROPOSED)


class Rectification(models.Model):
    """One proposed change to one field of a data subject (R1.9.1)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="rectifications", verbose_name=_("subject")
    )
    request = _request_fk()
    field_name = models.CharField(
        _("field"),
        max_length=50,
        choices=[(name, DataSubject._meta.get_field(name).verbose_name) for name in RECTIFIABLE_FIELDS],
    )
    proposed_value = models.TextField(
        _("proposed value"), blank=True, help_text=_("Cleared once the change is applied or rejected.")
    )
    accuracy_contested = models.BooleanField(
        _("accuracy contested"),
        default=False,
        help_text=_("The person contests the accuracy of the data: offer a restriction (Art. 18(1)(a))."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    proposed_by = actors.user_fk(_("proposed by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = actors.user_fk(_("decided by"))

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification (Art. 16)")
        verbose_name_plural = _("rectifications (Art. 16)")
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["subject", "status"], name="subjects_rectif_subj_status")]

    def __str__(self) -> str:
        return _("Rectification #%(id)s") % {"id": self.pk}


# --- Restriction (Art. 18, R1.11) -------------------------------------------------------------


class RestrictionQuerySet(models.QuerySet):
    def in_force(self) -> RestrictionQuerySet:
        return self.filter(lifted_at__isnull=True)


class Restriction(models.Model):
    """A restriction mark (Art. 4(3)): only storage is allowed while it is in force (R1.11.3)."""

    class Ground(models.TextChoices):
        ACCURACY_CONTESTED = "18_1_a", _("Accuracy contested, while it is checked (Art. 18(1)(a))")
        UNLAWFUL = "18_1_b", _("Unlawful processing, restriction preferred to erasure (Art. 18(1)(b))")
        LEGAL_CLAIMS = "18_1_c", _("No longer needed, but required by the person for legal claims (Art. 18(1)(c))")
        OBJECTION_PENDING = "18_1_d", _("Objection under Art. 21(1) pending verification (Art. 18(1)(d))")

    class Scope(models.TextChoices):
        SUBJECT = "subject", _("The whole subject")
        CATEGORIES = "categories", _("Listed kinds of records")
        RECORDS = "records", _("Listed records")

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="restrictions", verbose_name=_("subject")
    )
    request = _request_fk()
    ground = models.CharField(_("ground (Art. 18(1))"), max_length=10, choices=Ground.choices)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.SUBJECT)
    categories = models.JSONField(
        _("kinds of records"),
        default=list,
        blank=True,
        help_text=_('Model labels, e.g. "subjects.supportticket", when the scope is listed kinds of records.'),
    )
    records = models.JSONField(
        _("records"),
        default=list,
        blank=True,
        help_text=_('"model label:id" entries, e.g. "subjects.invoice:12", when the scope is listed records.'),
    )
    started_at = models.DateTimeField(_("start"), default=timezone.now)
    requested_by_subject = models.BooleanField(
        _("requested by the person"),
        default=True,
        help_text=_("False when IJINUS placed it on its own initiative (e.g. during an objection)."),
    )
    placed_by = actors.user_fk(_("placed by"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = actors.user_fk(_("lifted by"))
    lift_notice = models.TextField(
        _("notice to the person before lifting"),
        blank=True,
        help_text=_("What the person was told before the restriction was lifted (Art. 18(3))."),
    )
    lift_notice_sent_on = models.DateField(_("notice sent on"), null=True, blank=True)

    objects = RestrictionQuerySet.as_manager()

    class Meta:
        verbose_name = _("restriction (Art. 18)")
        verbose_name_plural = _("restrictions (Art. 18)")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["subject", "lifted_at"], name="subjects_restr_subj_lifted")]

    def __str__(self) -> str:
        return _("Restriction #%(id)s") % {"id": self.pk}

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None

    def clean(self) -> None:
        errors = {}
        if self.scope == self.Scope.CATEGORIES and not self.categories:
            errors["categories"] = _("List the kinds of records to restrict.")
        if self.scope == self.Scope.RECORDS and not self.records:
            errors["records"] = _("List the records to restrict.")
        if any(":" not in str(entry) for entry in self.records or ()):
            errors["records"] = _('Each record reads "model label:id", e.g. "subjects.invoice:12".')
        if errors:
            raise ValidationError(errors)

    def covers(self, label: str, pk: object) -> bool:
        """Whether this mark covers a record of model ``label`` with primary key ``pk``."""
        if self.scope == self.Scope.SUBJECT:
            return True
        if self.scope == self.Scope.CATEGORIES:
            return label in self.categories
        return f"{label}:{pk}" in self.records


class RestrictionOverride(models.Model):
    """A recorded Art. 18(2) ground to process restricted data for one kind of operation."""

    class Purpose(models.TextChoices):
        CONSENT = "consent", _("With the person's consent (Art. 18(2))")
        LEGAL_CLAIMS = "legal_claims", _("Establishment, exercise or defence of legal claims (Art. 18(2))")
        OTHER_PERSON = "other_person", _("Protection of the rights of another person (Art. 18(2))")
        PUBLIC_INTEREST = "public_interest", _("Important public interest (Art. 18(2))")

    class Operation(models.TextChoices):
        EDIT = "edit", _("Change the data")
        EXPORT = "export", _("Export or disclose the data")
        MARKETING = "marketing", _("Marketing selection")
        AUTOMATED = "automated", _("Automated jobs (retention sweeps)")

    restriction = models.ForeignKey(
        Restriction, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("restriction")
    )
    purpose = models.CharField(_("ground (Art. 18(2))"), max_length=20, choices=Purpose.choices)
    operation = models.CharField(_("operation allowed"), max_length=10, choices=Operation.choices)
    justification = models.TextField(_("justification"))
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"))
    granted_by = actors.user_fk(_("granted by"))

    class Meta:
        verbose_name = _("restriction override (Art. 18(2))")
        verbose_name_plural = _("restriction overrides (Art. 18(2))")
        ordering = ["-granted_at", "-id"]

    def __str__(self) -> str:
        return _("Override #%(id)s") % {"id": self.pk}

    def clean(self) -> None:
        if not (self.justification or "").strip():
            raise ValidationError({"justification": _("Record why the Art. 18(2) ground applies.")})
        if self._state.adding and self.valid_until and self.valid_until <= timezone.now():
            raise ValidationError({"valid_until": _("An override must be valid for some time from now.")})


# --- Objection (Art. 21, R1.13) ---------------------------------------------------------------


class Objection(models.Model):
    class Kind(models.TextChoices):
        LEGITIMATE_INTEREST = "21_1", _("Processing based on legitimate interest (Art. 21(1))")
        DIRECT_MARKETING = "21_2", _("Direct marketing, including profiling (Art. 21(2)-(3))")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending: the DPO weighs the grounds (restricted meanwhile)")
        UPHELD = "upheld", _("Upheld: processing stops")
        OVERRIDDEN = "overridden", _("Compelling legitimate grounds or legal claims demonstrated")
        APPLIED = "applied", _("Applied at once (direct marketing)")

    # "all" or one marketing channel (consents.Channel values).
    ALL_CHANNELS = "all"

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="objections", verbose_name=_("subject")
    )
    request = _request_fk()
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    channel = models.CharField(_("marketing channel"), max_length=30, blank=True, help_text=_('Or "all".'))
    processing = models.CharField(
        _("processing objected to"), max_length=200, blank=True, help_text=_("Register entry code, e.g. P08.")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    restriction = models.ForeignKey(
        Restriction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("restriction meanwhile (Art. 18(1)(d))"),
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    recorded_by = actors.user_fk(_("recorded by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = actors.user_fk(_("decided by"))

    class Meta:
        verbose_name = _("objection (Art. 21)")
        verbose_name_plural = _("objections (Art. 21)")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return _("Objection #%(id)s") % {"id": self.pk}

    def clean(self) -> None:
        if self.kind == self.Kind.DIRECT_MARKETING and self.channel not in (self.ALL_CHANNELS, *MARKETING_CHANNELS):
            raise ValidationError({"channel": _('Choose a marketing channel, or "all".')})
        if self.kind == self.Kind.LEGITIMATE_INTEREST and self.channel:
            raise ValidationError({"channel": _("A channel only applies to an objection to direct marketing.")})


# --- Post-mortem directives (LIL art. 85, R1.15) -----------------------------------------------


class PostMortemDirectiveQuerySet(models.QuerySet):
    def current(self) -> PostMortemDirectiveQuerySet:
        return self.filter(superseded_at__isnull=True, revoked_at__isnull=True)


class PostMortemDirective(models.Model):
    """One version of a directive; a change writes a new version and keeps the old (R1.15.2)."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("General (registered with a certified trusted third party)")
        PARTICULAR = "particular", _("Particular (concerning IJINUS processing)")

    class Instruction(models.TextChoices):
        ERASE = "erase", _("Erase the data")
        COMMUNICATE = "communicate", _("Communicate the data to the designated person")
        KEEP = "keep", _("Keep the data (as the law allows)")

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="post_mortem_directives", verbose_name=_("subject")
    )
    request = _request_fk()
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    instruction = models.CharField(_("instruction"), max_length=12, choices=Instruction.choices)
    trusted_third_party = models.CharField(
        _("certified trusted third party"), max_length=200, blank=True, help_text=_("For general directives.")
    )
    designated_person_name = models.CharField(_("designated person"), max_length=200, blank=True)
    designated_person_email = models.EmailField(_("designated person's e-mail"), blank=True)
    content_summary = models.TextField(_("content summary"))
    specific_consent = models.BooleanField(
        _("specific consent recorded"),
        default=False,
        help_text=_("Given for this directive, not inferred from accepting terms and conditions (LIL art. 85)."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = actors.user_fk(_("registered by"))
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = PostMortemDirectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("post-mortem directive")
        verbose_name_plural = _("post-mortem directives")
        ordering = ["-registered_at", "-id"]

    def __str__(self) -> str:
        return _("Directive #%(id)s") % {"id": self.pk}

    def clean(self) -> None:
        errors = {}
        if self.kind == self.Kind.PARTICULAR and not self.specific_consent:
            errors["specific_consent"] = _(
                "A particular directive needs the person's specific consent, not acceptance of terms (LIL art. 85)."
            )
        if self.kind == self.Kind.GENERAL and not self.trusted_third_party.strip():
            errors["trusted_third_party"] = _("Name the certified trusted third party holding the general directive.")
        if self.instruction == self.Instruction.COMMUNICATE and not self.designated_person_name.strip():
            errors["designated_person_name"] = _("Name the person the data is to be communicated to.")
        if errors:
            raise ValidationError(errors)


class DeathRecord(models.Model):
    """A recorded death, its evidence, and what was done under the directive (R1.15.3, R1.15.5)."""

    class Evidence(models.TextChoices):
        DEATH_CERTIFICATE = "certificate", _("Death certificate")
        NOTARY = "notary", _("Notary's letter")
        FAMILY_RECORD = "family_record", _("Family record book (livret de famille)")
        OTHER = "other", _("Other evidence")

    class Outcome(models.TextChoices):
        COMMUNICATE = "communicate", _("Data to be communicated to the designated person")
        ERASE = "erase", _("Erasure to be carried out under the directive")
        KEEP = "keep", _("Data kept under the directive")
        NO_DIRECTIVE = "no_directive", _("No directive: heirs may act only as LIL art. 85 II allows")

    class TaskStatus(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="death_records", verbose_name=_("subject")
    )
    died_on = models.DateField(_("died on"))
    evidence_type = models.CharField(_("evidence of death"), max_length=20, choices=Evidence.choices)
    directive = models.ForeignKey(
        PostMortemDirective,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("directive applied"),
    )
    outcome = models.CharField(_("what the directive asks"), max_length=15, choices=Outcome.choices)
    task_status = models.CharField(_("task"), max_length=5, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = actors.user_fk(_("recorded by"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recorded death")
        verbose_name_plural = _("recorded deaths")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return _("Death record #%(id)s") % {"id": self.pk}

    def clean(self) -> None:
        if self.died_on and self.died_on > timezone.localdate():
            raise ValidationError({"died_on": _("The date of death cannot be in the future.")})
        if self._state.adding and self.subject_id and DeathRecord.objects.filter(subject_id=self.subject_id).exists():
            raise ValidationError({"subject": _("This person's death is already recorded.")})
