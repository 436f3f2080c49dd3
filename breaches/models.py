"""Personal-data breaches (Art. 33-34 GDPR): the register of breaches, the 72-hour clock, the risk
assessment (EDPB Guidelines 9/2022, ENISA severity method), the notification phases to the CNIL,
the people affected and the letters to them, the public communication.

Every change of a ``Breach`` made by a service leaves a ``BreachVersion`` (the fields before and
after) and an audit event. ``__str__`` never shows personal data; the title must not hold any.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consents.models import DataCategory, ProcessingActivity, Recipient
from ijinus_privacy.actors import user_fk
from ijinus_privacy.choices import Language
from ijinus_privacy.models import OutboxMessage
from subjects.models import DataSubject


class BreachQuerySet(models.QuerySet):
    def open(self) -> BreachQuerySet:
        """Not closed: the dashboard's list."""
        return self.exclude(status=Breach.Status.CLOSED)

    def not_notified(self) -> BreachQuerySet:
        return self.filter(phases__isnull=True)


class Breach(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open (suspected or under investigation)")
        ASSESSED = "assessed", _("assessed")
        NOTIFIED = "notified", _("notified to the CNIL")
        CLOSED = "closed", _("closed")

    title = models.CharField(
        _("title"), max_length=200, help_text=_("A short name for the incident, without any personal data.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    discovered_at = models.DateTimeField(_("discovered at"), help_text=_("When the incident was first noticed."))
    discovered_by = models.CharField(
        _("discovered by"), max_length=200, help_text=_("Who found it: a team, a processor, a customer, a researcher.")
    )
    aware_at = models.DateTimeField(
        _("aware at"),
        help_text=_(
            "When IJINUS became reasonably certain that personal data were affected: the 72-hour clock "
            "starts here (Art. 33(1); EDPB Guidelines 9/2022)."
        ),
    )
    nature_confidentiality = models.BooleanField(
        _("confidentiality breach"), default=False, help_text=_("Unauthorised or accidental disclosure or access.")
    )
    nature_integrity = models.BooleanField(
        _("integrity breach"), default=False, help_text=_("Unauthorised or accidental alteration.")
    )
    nature_availability = models.BooleanField(
        _("availability breach"), default=False, help_text=_("Loss of access or destruction.")
    )
    description = models.TextField(_("description"), help_text=_("What happened (Art. 33(3)(a))."))
    systems = models.TextField(_("systems involved"), blank=True)
    activities = models.ManyToManyField(
        ProcessingActivity,
        blank=True,
        related_name="breaches",
        verbose_name=_("processing activities"),
        help_text=_("The entries of the register of processing concerned."),
    )
    data_categories = models.ManyToManyField(
        DataCategory,
        blank=True,
        related_name="breaches",
        verbose_name=_("data categories"),
        help_text=_("Categories of personal data concerned (Art. 33(3)(a)); sensitive ones weigh on the risk."),
    )
    people_estimate = models.PositiveIntegerField(
        _("people affected (approximate)"), null=True, blank=True, help_text=_("Art. 33(3)(a)")
    )
    records_estimate = models.PositiveIntegerField(
        _("records affected (approximate)"), null=True, blank=True, help_text=_("Art. 33(3)(a)")
    )
    consequences = models.TextField(_("likely consequences"), blank=True, help_text=_("Art. 33(3)(c)"))
    measures_taken = models.TextField(
        _("measures taken"),
        blank=True,
        help_text=_("Measures taken to address the breach and mitigate it (Art. 33(3)(d))."),
    )
    measures_proposed = models.TextField(_("measures proposed"), blank=True, help_text=_("Art. 33(3)(d)"))
    processor = models.ForeignKey(
        Recipient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="breaches",
        verbose_name=_("processor involved"),
        help_text=_("When the breach happened at a processor."),
    )
    processor_informed_at = models.DateTimeField(
        _("processor informed us at"),
        null=True,
        blank=True,
        help_text=_("The processor must tell us without undue delay (Art. 33(2))."),
    )
    late_reasons = models.TextField(
        _("reasons for the delay"),
        blank=True,
        help_text=_("Required when the CNIL is notified more than 72 hours after awareness (Art. 33(1))."),
    )
    source_request = models.ForeignKey(
        "requests_dsar.Request",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("data-subject request it arose from"),
        help_text=_(
            "A data copy sent to the wrong person, or more disclosed than asked, while answering a request "
            "(EDPB Guidelines 01/2022 on the right of access, §§80-81)."
        ),
    )
    reminder_sent_at = models.DateTimeField(_("48-hour reminder sent at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure_note = models.TextField(_("closure note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    created_by = user_fk(_("recorded by"))
    created_by_username = models.CharField(_("recorded by"), max_length=150, blank=True, editable=False)

    objects = BreachQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal-data breach")
        verbose_name_plural = _("personal-data breaches")
        ordering = ["-aware_at", "-id"]
        permissions = [
            ("assess_breach", "Can assess the risk of a breach"),
            ("notify_breach", "Can notify a breach to the CNIL"),
            ("close_breach", "Can close a breach"),
            ("send_breach_letters", "Can send the letters to the people affected"),
            ("export_breach_register", "Can export the register of breaches"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        if self.pk is None:
            return "B-?"
        year = timezone.localtime(self.created_at).year if self.created_at else timezone.localdate().year
        return f"B-{year}-{self.pk:03d}"

    @property
    def natures(self) -> list[str]:
        names = []
        if self.nature_confidentiality:
            names.append("confidentiality")
        if self.nature_integrity:
            names.append("integrity")
        if self.nature_availability:
            names.append("availability")
        return names

    def latest_assessment(self) -> RiskAssessment | None:
        return self.assessments.order_by("-assessed_at", "-id").first()


class BreachVersion(models.Model):
    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by_username = models.CharField(_("changed by"), max_length=150, blank=True)
    summary = models.CharField(_("change"), max_length=300)
    snapshot = models.JSONField(
        _("fields before and after"),
        default=dict,
        help_text=_("The breach's fields and linked codes before and after."),
    )

    class Meta:
        verbose_name = _("breach version")
        verbose_name_plural = _("breach versions")
        ordering = ["breach", "number"]
        constraints = [models.UniqueConstraint(fields=["breach", "number"], name="breach_version_unique")]

    def __str__(self) -> str:
        return f"{self.breach_id} v{self.number}"


class ProcessingContext(models.IntegerChoices):
    """ENISA, Recommendations for a methodology of the assessment of severity of personal data breaches (2013)."""

    SIMPLE = 1, _("1 - Simple data (identity, contact details, professional data)")
    BEHAVIOURAL = 2, _("2 - Behavioural data (location, traffic, preferences, habits)")
    FINANCIAL = 3, _("3 - Financial data (bank details, transactions, invoices)")
    SENSITIVE = 4, _("4 - Sensitive data (health, political, religious, sexual life, offences)")


EASE_OF_IDENTIFICATION = [
    (Decimal("0.25"), _("0.25 - Negligible")),
    (Decimal("0.50"), _("0.5 - Limited")),
    (Decimal("0.75"), _("0.75 - Significant")),
    (Decimal("1.00"), _("1 - Maximum")),
]
LOSS_OF_CONFIDENTIALITY = [
    (Decimal("0.00"), _("0 - No loss of confidentiality")),
    (Decimal("0.25"), _("+0.25 - Data exposed to a known, limited number of recipients")),
    (Decimal("0.50"), _("+0.5 - Data exposed to an unknown or large number of recipients")),
]
LOSS_OF_INTEGRITY = [
    (Decimal("0.00"), _("0 - No loss of integrity")),
    (Decimal("0.25"), _("+0.25 - Data altered but recoverable")),
    (Decimal("0.50"), _("+0.5 - Data altered and possibly used, not recoverable")),
]
LOSS_OF_AVAILABILITY = [
    (Decimal("0.00"), _("0 - No loss of availability")),
    (Decimal("0.25"), _("+0.25 - Temporary unavailability, data recoverable")),
    (Decimal("0.50"), _("+0.5 - Full unavailability, data not recoverable")),
]


class Severity(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    VERY_HIGH = "very_high", _("very high")


class RiskAssessment(models.Model):
    """One assessment of a breach's risk; the latest one counts (EDPB Guidelines 9/2022, ENISA)."""

    class Outcome(models.TextChoices):
        NO_RISK = "no_risk", _("unlikely to result in a risk: register only (Art. 33(1), 33(5))")
        RISK = "risk", _("risk: notify the CNIL (Art. 33)")
        HIGH_RISK = "high_risk", _("high risk: notify the CNIL and tell the people (Art. 33, 34)")

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="assessments")
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)
    assessed_by = user_fk(_("assessed by"))
    assessed_by_username = models.CharField(_("assessed by"), max_length=150, blank=True)
    processing_context = models.PositiveSmallIntegerField(
        _("data processing context (DPC)"),
        choices=ProcessingContext.choices,
        help_text=_("ENISA: the type of data and the context of the processing, 1 to 4."),
    )
    ease_of_identification = models.DecimalField(
        _("ease of identification (EI)"),
        max_digits=3,
        decimal_places=2,
        choices=EASE_OF_IDENTIFICATION,
        help_text=_("ENISA: how easily the people can be identified from the data breached."),
    )
    loss_of_confidentiality = models.DecimalField(
        _("loss of confidentiality"), max_digits=3, decimal_places=2, choices=LOSS_OF_CONFIDENTIALITY
    )
    loss_of_integrity = models.DecimalField(
        _("loss of integrity"), max_digits=3, decimal_places=2, choices=LOSS_OF_INTEGRITY
    )
    loss_of_availability = models.DecimalField(
        _("loss of availability"), max_digits=3, decimal_places=2, choices=LOSS_OF_AVAILABILITY
    )
    malicious_intent = models.BooleanField(
        _("malicious intent"), default=False, help_text=_("ENISA: +0.5 when the breach was deliberate.")
    )
    score = models.DecimalField(_("severity score"), max_digits=4, decimal_places=2, help_text=_("DPC × EI + CB"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    computed_outcome = models.CharField(_("computed outcome"), max_length=10, choices=Outcome.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    override_reason = models.TextField(
        _("why the outcome differs from the score"),
        blank=True,
        help_text=_("Required when the outcome chosen is not the computed one."),
    )
    reasoning = models.TextField(
        _("reasoning"),
        help_text=_(
            "Why this outcome: the likelihood and severity of the risk to the people (EDPB Guidelines 9/2022, "
            "Recitals 75-76). Kept for the register (Art. 33(5))."
        ),
    )

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["breach", "assessed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome=models.F("computed_outcome")) | ~Q(override_reason=""),
                name="risk_override_needs_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.breach_id}: {self.get_outcome_display()}"


class NotificationPhase(models.Model):
    """A notification to the CNIL, or one phase of it (Art. 33(4)), each dated."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("initial notification")
        COMPLEMENTARY = "complementary", _("complementary notification (Art. 33(4))")
        COMPLETE = "complete", _("complete notification")

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    submitted_at = models.DateTimeField(
        _("submitted at"), help_text=_("When it was submitted on the CNIL teleservice.")
    )
    cnil_reference = models.CharField(_("CNIL reference"), max_length=100, blank=True)
    content = models.JSONField(
        _("content submitted"), default=dict, blank=True, help_text=_("The CNIL document as it stood when submitted.")
    )
    submitted_by = user_fk(_("submitted by"))
    submitted_by_username = models.CharField(_("submitted by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("notification to the CNIL")
        verbose_name_plural = _("notifications to the CNIL")
        ordering = ["breach", "submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.breach_id}: {self.get_kind_display()}"


class AffectedPerson(models.Model):
    """A person known to be affected. Erasing the person cuts the link; the row (a count) stays (Art. 33(5))."""

    class Source(models.TextChoices):
        LIST = "list", _("chosen from the people")
        QUERY = "query", _("query over the register's sources")
        IMPORT = "import", _("import of e-mail addresses")
        REQUEST = "request", _("the person whose request it arose from")

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="affected")
    subject = models.ForeignKey(
        DataSubject, on_delete=models.SET_NULL, null=True, blank=True, related_name="breach_links"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("person affected")
        verbose_name_plural = _("people affected")
        ordering = ["breach", "id"]
        constraints = [models.UniqueConstraint(fields=["breach", "subject"], name="breach_affected_unique")]

    def __str__(self) -> str:
        return _("Person affected #%(id)s") % {"id": self.pk}


class BreachLetter(models.Model):
    """A letter to a person affected (Art. 34): the PDF kept encrypted at rest, the e-mail through the outbox."""

    class LetterChannel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        POST = "post", _("post")

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="letters")
    affected = models.ForeignKey(
        AffectedPerson, on_delete=models.SET_NULL, null=True, blank=True, related_name="letters"
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=LetterChannel.choices)
    file_name = models.CharField(
        _("PDF (encrypted)"),
        max_length=255,
        blank=True,
        help_text=_("Under MEDIA_ROOT, encrypted; read through the audited admin view only."),
    )
    outbox_message = models.ForeignKey(
        OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    created_by_username = models.CharField(_("written by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("letter to a person affected")
        verbose_name_plural = _("letters to the people affected")
        ordering = ["breach", "id"]

    def __str__(self) -> str:
        return _("Letter #%(id)s") % {"id": self.pk}


class PublicCommunication(models.Model):
    """A public communication instead of individual letters (Art. 34(3)(c))."""

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="public_communications")
    justification = models.TextField(
        _("why individual letters are a disproportionate effort"), help_text=_("Art. 34(3)(c)")
    )
    text_fr = models.TextField(_("text (French)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    where = models.CharField(_("where (URL or place)"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    created_by_username = models.CharField(_("written by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("public communication")
        verbose_name_plural = _("public communications")
        ordering = ["breach", "id"]

    def __str__(self) -> str:
        return _("Public communication #%(id)s") % {"id": self.pk}
