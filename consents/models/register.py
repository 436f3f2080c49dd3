"""The register of processing activities (Art. 30; R3.1-R3.3) and its registries.

A ``ProcessingActivity`` is one register entry, with a stable ``code`` (P01..P15 follow the order of
LEGAL.md R3.3; personal-data sources name these codes). Purposes are child rows, each with its own
legal basis (R3.1.3). Recipients (policy §6; R5.5.1) carry the country and transfer mechanism
(R5.4.1), so an activity's transfers outside the EU are read from its recipients. Every change goes
through ``consents.services`` and leaves a ``RegisterVersion`` with the previous state (R3.1.4).

The register describes processing, not people: none of these models holds a data subject's data.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.actors import user_fk
from ijinus_privacy.jobs import BackgroundJob

# EU member states plus the EEA countries (Iceland, Liechtenstein, Norway): no transfer (Art. 44).
EEA_COUNTRIES = frozenset(
    {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE"}
    | {"IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO"}
)


class LegalBasis(models.TextChoices):
    CONSENT = "a", _("Art. 6(1)(a) consent")
    CONTRACT = "b", _("Art. 6(1)(b) contract or pre-contractual steps")
    LEGAL_OBLIGATION = "c", _("Art. 6(1)(c) legal obligation")
    VITAL_INTERESTS = "d", _("Art. 6(1)(d) vital interests")
    PUBLIC_TASK = "e", _("Art. 6(1)(e) public task")
    LEGITIMATE_INTEREST = "f", _("Art. 6(1)(f) legitimate interest")


class TransferMechanism(models.TextChoices):
    NONE = "none", _("No transfer: processed in the EU/EEA")
    ADEQUACY = "adequacy", _("Adequacy decision (Art. 45)")
    SCC = "scc_2021_914", _("Standard contractual clauses, Decision (EU) 2021/914 (Art. 46(2)(c))")
    BCR = "bcr", _("Binding corporate rules (Art. 47)")
    DEROGATION = "derogation_49", _("Derogation (Art. 49)")
    TO_ASSESS = "to_assess", _("Unknown: to assess (DPO)")


# Art. 46 tools need an assessment of the destination's law and practice (CJEU C-311/18, EDPB 01/2020).
TIA_MECHANISMS = frozenset({"scc_2021_914", "bcr"})


class YesNoToAssess(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    TO_ASSESS = "to_assess", _("To assess")


class Controller(models.Model):
    """The controller's identity and DPO contact (Art. 30(1)(a)); a single row, pk 1."""

    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=200, blank=True)
    share_capital = models.CharField(_("share capital"), max_length=50, blank=True)
    address = models.TextField(_("registered address"))
    registration = models.CharField(_("trade and companies register"), max_length=200, blank=True)
    representative = models.CharField(
        _("EU representative (Art. 27)"),
        max_length=200,
        blank=True,
        help_text=_("Art. 30(1)(a); none when established in the EU."),
    )
    dpo_name = models.CharField(_("DPO name"), max_length=200, blank=True)
    dpo_email = models.EmailField(
        _("DPO e-mail"),
        blank=True,
        help_text=_(
            "The one address given to data subjects for the DPO (Art. 13(1)(b), Art. 37(7)): letters, access "
            "exports, e-mails and public pages all show it."
        ),
    )
    dpo_postal_address = models.TextField(
        _("DPO postal address"), blank=True, help_text=_("Shown to data subjects beside the e-mail (Art. 12(1)).")
    )
    dpo_phone = models.CharField(
        _("DPO phone"), max_length=40, blank=True, help_text=_("Shown to data subjects (Art. 12(1)); optional.")
    )
    open_questions = models.TextField(_("open DPO questions"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("controller (Art. 30(1)(a))")
        verbose_name_plural = _("controller (Art. 30(1)(a))")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="consents_controller_singleton")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Controller | None:
        return cls.objects.filter(pk=1).first()


class CodedQuerySet(models.QuerySet):
    def with_codes(self, codes) -> CodedQuerySet:
        return self.filter(code__in=list(codes))


class SubjectCategory(models.Model):
    """A category of data subjects (Art. 30(1)(c)); a person can hold several at once (R3.2.3)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    objects = CodedQuerySet.as_manager()

    class Meta:
        verbose_name = _("data-subject category")
        verbose_name_plural = _("data-subject categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class DataCategory(models.Model):
    """A category of personal data (Art. 30(1)(c)); personal-data sources name these codes (R3.2.1)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    policy_reference = models.CharField(_("policy reference"), max_length=100, blank=True)
    sensitive = models.BooleanField(
        _("sensitive data (Art. 9/10)"),
        default=False,
        help_text=_("Expected: no (policy §3.6; CNIL register template)."),
    )

    objects = CodedQuerySet.as_manager()

    class Meta:
        verbose_name = _("data category")
        verbose_name_plural = _("data categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SecurityMeasure(models.Model):
    """An Art. 32 measure (Art. 30(1)(g); policy §8; R5.2.5)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    policy_reference = models.CharField(_("policy reference"), max_length=100, blank=True)

    objects = CodedQuerySet.as_manager()

    class Meta:
        verbose_name = _("security measure")
        verbose_name_plural = _("security measures")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RecipientQuerySet(CodedQuerySet):
    def outside_eea(self) -> RecipientQuerySet:
        """Recipients that receive data outside the EU/EEA, or whose location is still unknown."""
        return self.exclude(transfer_mechanism=TransferMechanism.NONE)


class Recipient(models.Model):
    """Who receives the data (Art. 4(9); policy §6; R5.4.1, R5.5.1)."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal staff service")
        PROCESSOR = "processor", _("Subcontractor / processor (Art. 28)")
        SOCIAL_NETWORK = "social_network", _("Social network")
        PARTNER = "partner", _("Commercial partner (third-party controller)")
        AUTHORITY = "authority", _("Authority")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166 code of processing; blank when unknown (Art. 30(1)(e))."),
    )
    processing_countries = models.CharField(
        _("countries of processing incl. sub-processors"), max_length=200, blank=True
    )
    transfer_mechanism = models.CharField(
        _("transfer mechanism (Art. 30(1)(e))"),
        max_length=20,
        choices=TransferMechanism.choices,
        default=TransferMechanism.TO_ASSESS,
    )
    scc_module = models.CharField(_("SCC module"), max_length=50, blank=True)
    scc_signed_on = models.DateField(_("SCC signed on"), null=True, blank=True)
    scc_reference = models.CharField(_("SCC document reference"), max_length=300, blank=True)
    tia_reference = models.CharField(
        _("transfer impact assessment reference"),
        max_length=300,
        blank=True,
        help_text=_(
            "Required for a transfer under standard contractual clauses "
            "(Art. 46; CNIL guide on transfer impact assessments)."
        ),
    )
    tia_date = models.DateField(
        _("transfer impact assessment date"),
        null=True,
        blank=True,
        help_text=_("Date of the assessment of the destination country's law and practice (Art. 46; CJEU C-311/18)."),
    )
    company_name = models.CharField(
        _("company (legal name)"),
        max_length=200,
        blank=True,
        help_text=_("The provider actually used, as named in its Art. 28 contract; empty while not identified."),
    )
    dpa_signed_on = models.DateField(
        _("Art. 28 contract signed on"), null=True, blank=True, help_text=_("Processors only (Art. 28).")
    )
    sub_processors = models.TextField(_("sub-processors"), blank=True)
    legal_basis_for_sharing = models.CharField(
        _("legal basis for sharing"),
        max_length=300,
        blank=True,
        help_text=_("Partners and authorities (Art. 4(9)-(10))."),
    )
    joint_controller = models.CharField(
        _("joint controller (Art. 26)"), max_length=10, choices=YesNoToAssess.choices, default=YesNoToAssess.NO
    )
    open_questions = models.TextField(_("open DPO questions"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RecipientQuerySet.as_manager()

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.country = self.country.upper()
        if self.transfer_mechanism == TransferMechanism.NONE and self.country and self.country not in EEA_COUNTRIES:
            raise ValidationError(
                {"transfer_mechanism": _("A recipient outside the EU/EEA needs a transfer mechanism (Art. 44-49).")}
            )
        if self.transfer_mechanism == TransferMechanism.NONE and self.kind != self.Kind.INTERNAL and not self.country:
            raise ValidationError({"country": _("State the country of processing before declaring no transfer.")})

    @property
    def is_transfer(self) -> bool:
        return self.transfer_mechanism != TransferMechanism.NONE

    def transfer_gaps(self) -> list[str]:
        """What a transfer outside the EU/EEA still lacks: country, safeguard, impact assessment (Art. 44-46)."""
        if not self.is_transfer:
            return []
        gaps = []
        if not self.country:
            gaps.append(str(_("country")))
        if self.transfer_mechanism == TransferMechanism.TO_ASSESS:
            gaps.append(str(_("safeguard")))
        if self.transfer_mechanism in TIA_MECHANISMS and not (self.tia_date and self.tia_reference):
            gaps.append(str(_("transfer impact assessment (date and reference)")))
        return gaps

    def gaps(self) -> list[str]:
        """What the DPO still has to document for this recipient (R5.4.1-R5.4.2, R5.5.1)."""
        gaps = []
        if self.kind != self.Kind.INTERNAL and not self.country:
            gaps.append(str(_("country of processing unknown")))
        if self.transfer_mechanism == TransferMechanism.TO_ASSESS:
            gaps.append(str(_("transfer mechanism to assess")))
        if self.transfer_mechanism == TransferMechanism.SCC and not self.tia_reference:
            gaps.append(str(_("SCC transfer without a transfer impact assessment (TIA; Art. 46)")))
        if self.kind == self.Kind.PROCESSOR and not self.dpa_signed_on:
            gaps.append(str(_("no Art. 28 contract date")))
        if self.kind == self.Kind.SOCIAL_NETWORK and self.joint_controller == YesNoToAssess.TO_ASSESS:
            gaps.append(str(_("joint controllership to assess (Art. 26)")))
        if self.open_questions:
            gaps.append(str(_("open DPO questions")))
        return gaps


class ProcessingActivityQuerySet(CodedQuerySet):
    def with_register(self) -> ProcessingActivityQuerySet:
        """Everything the register views and exports read, in a fixed number of queries."""
        return self.prefetch_related(
            "purposes",
            "subject_categories",
            "security_measures",
            "recipients",
            models.Prefetch("data_category_links", queryset=ActivityDataCategory.objects.select_related("category")),
        )

    def with_legal_basis(self, basis: str) -> ProcessingActivityQuerySet:
        return self.filter(purposes__legal_basis=basis).distinct()

    def with_open_questions(self) -> ProcessingActivityQuerySet:
        return self.exclude(open_questions="")


class ProcessingActivity(models.Model):
    """One entry of the register of processing activities (Art. 30(1); CNIL template; R3.1)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        TO_REVIEW = "to_review", _("To review by the DPO")
        VALIDATED = "validated", _("Validated")
        RETIRED = "retired", _("Retired")

    class ControllerRole(models.TextChoices):
        CONTROLLER = "controller", _("Controller")
        JOINT = "joint", _("Joint controller (Art. 26)")
        PROCESSOR = "processor", _("Processor (Art. 28)")
        TO_ASSESS = "to_assess", _("To assess")

    class Transfers(models.TextChoices):
        NONE = "none", _("None: data stays in the EU/EEA")
        YES = "yes", _("Yes: see recipients")
        TO_ASSESS = "to_assess", _("Unknown: to assess")

    code = models.CharField(
        _("code"), max_length=10, unique=True, help_text=_("Stable: P01..P15 are the purposes of the privacy policy.")
    )
    name = models.CharField(_("activity name"), max_length=200, help_text=_("As in the CNIL register template."))
    name_fr = models.CharField(_("activity name (French, CNIL label)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    controller_role = models.CharField(
        _("IJINUS acts as"), max_length=20, choices=ControllerRole.choices, default=ControllerRole.CONTROLLER
    )
    joint_controllers = models.TextField(
        _("joint controllers"), blank=True, help_text=_("Art. 30(1)(a): name and contact details, where applicable.")
    )
    subject_categories = models.ManyToManyField(
        SubjectCategory,
        verbose_name=_("data-subject categories (Art. 30(1)(c))"),
        related_name="activities",
        blank=True,
    )
    data_categories = models.ManyToManyField(
        DataCategory,
        through="ActivityDataCategory",
        verbose_name=_("data categories (Art. 30(1)(c))"),
        related_name="activities",
        blank=True,
    )
    sensitive_data = models.BooleanField(
        _("sensitive data (Art. 9)"), default=False, help_text=_("Expected: no (CNIL register template).")
    )
    recipients = models.ManyToManyField(
        Recipient, verbose_name=_("recipients (Art. 30(1)(d))"), related_name="activities", blank=True
    )
    transfers_outside_eu = models.CharField(
        _("transfers outside the EU (Art. 30(1)(e))"),
        max_length=20,
        choices=Transfers.choices,
        blank=True,
        help_text=_("State it even when there is none; country and mechanism are those of the recipients."),
    )
    transfer_notes = models.TextField(_("transfer notes (Art. 49 documentation)"), blank=True)
    retention = models.TextField(
        _("retention, general (Art. 30(1)(f))"), blank=True, help_text=_("Per data category on each category row.")
    )
    security_measures = models.ManyToManyField(
        SecurityMeasure, verbose_name=_("security measures (Art. 30(1)(g))"), related_name="activities", blank=True
    )
    security_notes = models.TextField(_("security measures, specific"), blank=True)
    data_source = models.TextField(_("source of the data"), blank=True, help_text=_("Art. 14(2)(f)"))
    software = models.CharField(
        _("software / application used"), max_length=300, blank=True, help_text=_("As in the CNIL register template.")
    )
    dpia_needed = models.CharField(
        _("DPIA needed (Art. 35)"), max_length=10, choices=YesNoToAssess.choices, default=YesNoToAssess.TO_ASSESS
    )
    dpia_reference = models.CharField(_("DPIA reference"), max_length=300, blank=True)
    notice_reference = models.CharField(
        _("notice(s) describing the activity"),
        max_length=300,
        blank=True,
        help_text=_("Where people are told about it (Art. 13-14)."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    open_questions = models.TextField(
        _("open DPO questions"),
        blank=True,
        help_text=_("The open legal questions on this activity, until the DPO settles them."),
    )
    validated_by = user_fk(_("validated by"), editable=False)
    validated_by_name = models.CharField(
        _("validated by (DPO)"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("The DPO's name when the entry was validated (Art. 39(1)(b)); cleared when the entry changes."),
    )
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProcessingActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("register of processing activities")
        ordering = ["code"]
        permissions = [
            ("export_register", _("Can export the register for the CNIL (Art. 30(4))")),
            ("validate_processingactivity", _("Can validate a register entry (DPO, Art. 39(1)(b))")),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def transfer_recipients(self) -> list[Recipient]:
        return [recipient for recipient in self.recipients.all() if recipient.is_transfer]

    def processors(self) -> list[Recipient]:
        """The processors (Art. 28) this activity uses, named by their company once identified."""
        return [recipient for recipient in self.recipients.all() if recipient.kind == Recipient.Kind.PROCESSOR]

    def transfer_gaps(self) -> dict[str, list[str]]:
        """Per recipient name, what its transfer outside the EU/EEA still lacks (Art. 30(1)(e), Art. 44-46)."""
        return {r.name: gaps for r in self.transfer_recipients() if (gaps := r.transfer_gaps())}

    def missing_fields(self) -> list[str]:
        """Mandatory Art. 30(1) fields still empty; an entry with any cannot be validated (R3.1.1)."""
        missing = []
        purposes = list(self.purposes.all()) if self.pk else []
        if not self.name:
            missing.append(str(_("name")))
        if not purposes:
            missing.append(str(_("purposes (b)")))
        elif any(not purpose.legal_basis for purpose in purposes):
            missing.append(str(_("legal basis of every purpose (Art. 6(1))")))
        if not self.pk or not self.subject_categories.all():
            missing.append(str(_("data-subject categories (c)")))
        if not self.pk or not self.data_category_links.all():
            missing.append(str(_("data categories (c)")))
        if not self.pk or not self.recipients.all():
            missing.append(str(_("recipients (d)")))
        if self.transfers_outside_eu in ("", self.Transfers.TO_ASSESS):
            missing.append(str(_("transfers outside the EU stated (e)")))
        elif self.transfers_outside_eu == self.Transfers.YES and not self.transfer_recipients():
            missing.append(str(_("transfer recipient, country and mechanism (e)")))
        elif self.transfers_outside_eu == self.Transfers.NONE and self.pk and self.transfer_recipients():
            missing.append(str(_("transfers (e): 'none' stated but a recipient is outside the EU or unassessed")))
        if not self.retention and not any(link.retention for link in self.data_category_links.all()):
            missing.append(str(_("retention (f)")))
        if not self.pk or (not self.security_measures.all() and not self.security_notes):
            missing.append(str(_("security measures (g)")))
        return missing

    def accountability_gaps(self) -> list[str]:
        """Beyond Art. 30: balancing tests, TIAs, DPIA decision, open questions (R3.1.3, R5.4.2)."""
        gaps = []
        if self.pk:
            if any(
                p.legal_basis == LegalBasis.LEGITIMATE_INTEREST and not p.balancing_test_reference
                for p in self.purposes.all()
            ):
                gaps.append(str(_("legitimate-interest purpose without a balancing-test reference (Art. 6(1)(f))")))
            for recipient in self.recipients.all():
                if recipient.transfer_mechanism == TransferMechanism.SCC and not recipient.tia_reference:
                    gaps.append(str(_("SCC transfer without TIA: %(code)s (Art. 46)")) % {"code": recipient.code})
                if recipient.kind == Recipient.Kind.PROCESSOR and not recipient.company_name:
                    gaps.append(str(_("processor not named: %(name)s (Art. 28)")) % {"name": recipient.name})
            if not self.software:
                gaps.append(str(_("software / systems used not stated")))
        if self.dpia_needed == YesNoToAssess.TO_ASSESS:
            gaps.append(str(_("DPIA decision to take (Art. 35)")))
        if self.sensitive_data:
            gaps.append(str(_("sensitive data declared (Art. 9)")))
        if self.open_questions:
            gaps.append(str(_("open DPO questions")))
        return gaps

    @property
    def is_complete(self) -> bool:
        return not self.missing_fields()


class Purpose(models.Model):
    """A purpose or sub-purpose of an activity, with its own legal basis (Art. 30(1)(b); R3.1.3)."""

    activity = models.ForeignKey(
        ProcessingActivity, verbose_name=_("processing activity"), on_delete=models.CASCADE, related_name="purposes"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.CharField(_("purpose"), max_length=500)
    legal_basis = models.CharField(_("legal basis (Art. 6(1))"), max_length=1, choices=LegalBasis.choices)
    legal_basis_detail = models.CharField(
        _("legal basis detail"), max_length=300, blank=True, help_text=_("E.g. the statute, L.34-5 CPCE, the contract.")
    )
    balancing_test_reference = models.CharField(
        _("legitimate-interest assessment reference"),
        max_length=300,
        blank=True,
        help_text=_("Required for Art. 6(1)(f) (EDPB Guidelines 1/2024)."),
    )

    class Meta:
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes (Art. 30(1)(b))")
        ordering = ["activity", "position", "id"]

    def __str__(self) -> str:
        return self.description


class ActivityDataCategory(models.Model):
    """A data category processed by an activity, with its erasure time limit (Art. 30(1)(c),(f))."""

    activity = models.ForeignKey(ProcessingActivity, on_delete=models.CASCADE, related_name="data_category_links")
    category = models.ForeignKey(
        DataCategory, verbose_name=_("data category"), on_delete=models.PROTECT, related_name="activity_links"
    )
    retention = models.CharField(_("retention (Art. 30(1)(f))"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("data category and retention")
        verbose_name_plural = _("data categories and retention (Art. 30(1)(c),(f))")
        ordering = ["activity", "category__code"]
        constraints = [models.UniqueConstraint(fields=["activity", "category"], name="consents_activity_category_once")]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.category_id}"


class RegisterVersionQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> RegisterVersionQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class RegisterVersion(models.Model):
    """One change to the register: who, when, why, and the state before and after (R3.1.4). Append-only."""

    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_code = models.CharField(_("code"), max_length=40, blank=True)
    version = models.PositiveIntegerField(_("version"))
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_by_username = models.CharField(_("changed by (snapshot)"), max_length=150, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    previous_state = models.JSONField(_("previous state"), null=True, blank=True)
    state = models.JSONField(_("state after the change"))

    objects = RegisterVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("register version")
        verbose_name_plural = _("register history")
        ordering = ["-id"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["object_type", "object_id", "version"], name="consents_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_code or self.object_id} v{self.version}"


class RegisterExportJob(BackgroundJob):
    """The register's PDF built in the background (Art. 30(4)): it takes seconds to lay out, too long
    for a web request. The row follows it (pending, running, done, failed); the file is encrypted at
    rest (``ijinus_privacy.storage``) and downloaded from the job's page."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error_code = models.CharField(_("error"), max_length=100, blank=True)
    file_path = models.CharField(max_length=255, blank=True, editable=False)
    file_name = models.CharField(max_length=100, blank=True, editable=False)
    activity_count = models.PositiveIntegerField(_("entries"), default=0)

    class Meta:
        verbose_name = _("register PDF")
        verbose_name_plural = _("register PDFs")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="consents_regexport_status")]

    def __str__(self) -> str:
        return _("Register PDF #%(id)s") % {"id": self.pk}
