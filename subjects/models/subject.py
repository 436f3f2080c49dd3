"""Who we hold data about (policy §3.1) and the roles they hold at once (R3.2.3).

``__str__`` never shows personal data: admin breadcrumbs, logs and audit events use the id.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.choices import ContactChannel, Language
from ijinus_privacy.identifiers import normalise_email
from ijinus_privacy.jobs import BackgroundJob


class DataSubjectQuerySet(models.QuerySet):
    def with_email(self, email: str) -> DataSubjectQuerySet:
        return self.filter(email=normalise_email(email))

    def with_emails(self, emails: Iterable[str]) -> DataSubjectQuerySet:
        """The people with one of these (normalised) e-mails, through the unique e-mail index.

        That index is partial (``email <> ''``); PostgreSQL proves that ``email IN (...)`` implies
        its condition only for lists of at most 100 values, so a file's thousand e-mails would scan
        the whole table (0.7 s at 1M people instead of 14 ms): the condition is stated.
        """
        return self.filter(email__in=[email for email in emails if email]).exclude(email="")

    def with_role(self, role: str) -> DataSubjectQuerySet:
        return self.filter(roles__role=role)


class DataSubject(models.Model):
    class Kind(models.TextChoices):
        CONSUMER = "consumer", _("Consumer")
        PROFESSIONAL = "professional", _("Professional contact")

    class MaritalStatus(models.TextChoices):
        UNKNOWN = "", _("Not given")
        SINGLE = "single", _("Single")
        MARRIED = "married", _("Married")
        CIVIL_UNION = "civil_union", _("Civil union (PACS)")
        DIVORCED = "divorced", _("Divorced")
        WIDOWED = "widowed", _("Widowed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PROFESSIONAL)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    first_names = models.CharField(_("first names"), max_length=150, blank=True)
    marital_status = models.CharField(
        _("marital status"), max_length=20, choices=MaritalStatus.choices, blank=True, default=MaritalStatus.UNKNOWN
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    street_address = models.CharField(_("street address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, default="FR", help_text=_("ISO 3166 code"))
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.FRENCH)
    deceased_on = models.DateField(_("deceased on"), null=True, blank=True)
    notes = models.TextField(
        _("notes"),
        blank=True,
        help_text=_(
            "Never enter health, political, religious, union, ethnic, sex-life, biometric, genetic or "
            "criminal data (Art. 9-10)."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DataSubjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("data subject")
        verbose_name_plural = _("data subjects")
        ordering = ["-id"]
        permissions = [
            ("import_datasubject", _("Can import data subjects")),
            ("export_datasubject", _("Can export data subjects")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~models.Q(email=""), name="subjects_datasubject_unique_email"
            ),
        ]
        indexes = [
            models.Index(Upper("last_name"), name="subjects_ds_upper_last_name"),
        ]

    def __str__(self) -> str:
        return _("Data subject #%(id)s") % {"id": self.pk}

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.first_names, self.last_name) if part) or f"#{self.pk}"


# The dated facts of a role retention starts from (R4.2), in the order forms and files show them.
ROLE_DATE_FIELDS = (
    "collected_on",
    "last_inbound_contact_on",
    "contract_end_on",
    "unsubscribed_on",
    "product_delivered_on",
)


class SubjectRole(models.Model):
    """A role the person holds, with the dated facts retention starts from (R4.2)."""

    class Role(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE_CLIENT = "active_client", _("Active client")
        INACTIVE_CLIENT = "inactive_client", _("Inactive client")
        PURCHASER = "purchaser", _("Purchaser / renter")
        NEWSLETTER = "newsletter", _("Newsletter subscriber")
        WEBSITE_SUBSCRIBER = "website_subscriber", _("Website subscriber")
        IJITRACK_USER = "ijitrack_user", _("ijitrack user")
        WEBSITE_VISITOR = "website_visitor", _("Website visitor")

    subject = models.ForeignKey(DataSubject, on_delete=models.CASCADE, related_name="roles", verbose_name=_("subject"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    collected_on = models.DateField(_("collected on"))
    last_inbound_contact_on = models.DateField(
        _("last inbound contact"),
        null=True,
        blank=True,
        help_text=_("A reply, order, call, click or login from the person. Never an e-mail open (Art. 5(1)(e))."),
    )
    contract_end_on = models.DateField(_("contract end"), null=True, blank=True)
    unsubscribed_on = models.DateField(_("unsubscribed on"), null=True, blank=True)
    product_delivered_on = models.DateField(_("product delivered on"), null=True, blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        permissions = [
            ("import_subjectrole", _("Can import roles")),
            ("export_subjectrole", _("Can export roles")),
        ]
        constraints = [models.UniqueConstraint(fields=["subject", "role"], name="subjects_role_unique_per_subject")]
        indexes = [models.Index(fields=["role", "collected_on"], name="subjects_role_role_collected")]

    def __str__(self) -> str:
        return self.get_role_display()


# --- Relationship data (policy §3.2) ---------------------------------------------------------


class ProductFamily(models.TextChoices):
    """IJINUS product families; "analogous products" for the soft opt-in (CPCE L.34-5) compare these."""

    LEVEL = "level", _("Level sensors")
    FLOW = "flow", _("Flow meters")
    RAIN = "rain", _("Rain gauges")
    QUALITY = "quality", _("Water-quality probes")
    LOGGER = "logger", _("Data loggers")
    PLATFORM = "platform", _("Monitoring platform (ijitrack)")
    SERVICE = "service", _("Installation and maintenance")


FREE_TEXT_WARNING = _(
    "Never enter health, political, religious, union, ethnic, sex-life, biometric, genetic or criminal data "
    "(policy §3.6, Art. 9-10). Such text is flagged for the DPO and purged."
)


class SubjectChildQuerySet(models.QuerySet):
    def for_subjects(self, subject_ids) -> SubjectChildQuerySet:
        from ijinus_privacy.personal_data import for_subjects

        return for_subjects(self, subject_ids)


class Contract(models.Model):
    class Kind(models.TextChoices):
        SALE = "sale", _("Sale")
        RENTAL = "rental", _("Rental")

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="contracts", verbose_name=_("subject")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reference = models.CharField(_("contract reference"), max_length=40, blank=True)
    product_family = models.CharField(_("product family"), max_length=20, choices=ProductFamily.choices)
    started_on = models.DateField(_("start date"))
    ended_on = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Starts the inactive-client retention clocks.")
    )

    objects = SubjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["subject", "started_on"], name="subjects_contract_subj_start")]

    def __str__(self) -> str:
        return _("Contract #%(id)s") % {"id": self.pk}

    def clean(self) -> None:
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})


class Order(models.Model):
    subject = models.ForeignKey(DataSubject, on_delete=models.CASCADE, related_name="orders", verbose_name=_("subject"))
    reference = models.CharField(_("order reference"), max_length=40, blank=True)
    ordered_on = models.DateField(_("ordered on"))
    product_family = models.CharField(_("product family"), max_length=20, choices=ProductFamily.choices)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)

    objects = SubjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-ordered_on", "-id"]
        indexes = [models.Index(fields=["subject", "ordered_on"], name="subjects_order_subj_date")]

    def __str__(self) -> str:
        return _("Order #%(id)s") % {"id": self.pk}


class Delivery(models.Model):
    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("subject")
    )
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("order"), null=True, blank=True
    )
    delivered_on = models.DateField(
        _("delivered on"), help_text=_("Feeds the ijitrack-user retention clock (the latest delivery counts).")
    )
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    street_address = models.CharField(_("delivery address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)

    objects = SubjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-delivered_on", "-id"]
        indexes = [models.Index(fields=["subject", "delivered_on"], name="subjects_delivery_subj_date")]

    def __str__(self) -> str:
        return _("Delivery #%(id)s") % {"id": self.pk}


class Invoice(models.Model):
    """An accounting document, kept 10 years (C. com. L.123-22, R4.3)."""

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="invoices", verbose_name=_("subject")
    )
    number = models.CharField(_("invoice number"), max_length=40, unique=True)
    issued_on = models.DateField(_("issued on"))
    amount = models.DecimalField(_("amount (EUR, incl. VAT)"), max_digits=12, decimal_places=2)
    billing_name = models.CharField(_("billing name"), max_length=200, blank=True)
    billing_address = models.CharField(_("billing address"), max_length=300, blank=True)

    objects = SubjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["subject", "issued_on"], name="subjects_invoice_subj_date")]

    def __str__(self) -> str:
        return _("Invoice #%(id)s") % {"id": self.pk}


class Payment(models.Model):
    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Bank transfer")
        DIRECT_DEBIT = "direct_debit", _("Direct debit")
        CARD = "card", _("Card")
        CHEQUE = "cheque", _("Cheque")

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="payments", verbose_name=_("subject")
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="payments", verbose_name=_("invoice"), null=True, blank=True
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    payer_reference = models.CharField(
        _("payer reference"), max_length=40, blank=True, help_text=_("Last four IBAN or card digits only.")
    )

    objects = SubjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["subject", "paid_on"], name="subjects_payment_subj_date")]

    def __str__(self) -> str:
        return _("Payment #%(id)s") % {"id": self.pk}


class PromotionParticipation(models.Model):
    class Kind(models.TextChoices):
        PROMOTION = "promotion", _("Promotional offer")
        EVENT = "event", _("Event")

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="promotions", verbose_name=_("subject")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("offer or event"), max_length=150)
    participated_on = models.DateField(_("participated on"))

    objects = SubjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("promotion or event participation")
        verbose_name_plural = _("promotion and event participations")
        ordering = ["-participated_on", "-id"]
        indexes = [models.Index(fields=["subject", "participated_on"], name="subjects_promo_subj_date")]

    def __str__(self) -> str:
        return _("Participation #%(id)s") % {"id": self.pk}


class SupportTicket(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="tickets", verbose_name=_("subject")
    )
    opened_on = models.DateField(_("opened on"))
    channel = models.CharField(_("channel"), max_length=20, choices=ContactChannel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    summary = models.CharField(_("summary"), max_length=200, blank=True, help_text=FREE_TEXT_WARNING)
    text = models.TextField(_("request or problem"), blank=True, help_text=FREE_TEXT_WARNING)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = SubjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer-service ticket")
        verbose_name_plural = _("customer-service tickets")
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["subject", "opened_on"], name="subjects_ticket_subj_date")]

    def __str__(self) -> str:
        return _("Ticket #%(id)s") % {"id": self.pk}


# --- Collected automatically (policy §3.3) ----------------------------------------------------


class NavigationRecord(models.Model):
    """A cookie / tracker record; swept 13 months after it was set (CNIL 2020-092 art. 5, R4.3)."""

    class Purpose(models.TextChoices):
        AUTHENTICATION = "authentication", _("Authentication and navigation")
        PERSONALISATION = "personalisation", _("Personalisation")
        SECURITY = "security", _("Security")
        ANALYSIS = "analysis", _("Audience analysis")
        ADVERTISING = "advertising", _("Advertising")

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="navigation_records", verbose_name=_("subject")
    )
    occurred_at = models.DateTimeField(
        _("set at"), db_index=True, help_text=_("Retention counts from this moment (13 months, CNIL 2020-092).")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    cookie_id = models.CharField(_("cookie id"), max_length=64)
    page = models.CharField(_("page"), max_length=300, blank=True)
    referrer = models.CharField(_("referrer"), max_length=300, blank=True)
    browser = models.CharField(_("browser"), max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = SubjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("navigation record")
        verbose_name_plural = _("navigation records")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["subject", "occurred_at"], name="subjects_nav_subj_date")]

    def __str__(self) -> str:
        return _("Navigation record #%(id)s") % {"id": self.pk}


class MobileDevice(models.Model):
    class DeviceType(models.TextChoices):
        ANDROID_PHONE = "android_phone", _("Android phone")
        IPHONE = "iphone", _("iPhone")
        TABLET = "tablet", _("Tablet")
        OTHER = "other", _("Other")

    class Connectivity(models.TextChoices):
        WIFI = "wifi", _("Wi-Fi")
        CELL_4G = "4g", _("4G")
        CELL_5G = "5g", _("5G")
        OTHER = "other", _("Other")

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="devices", verbose_name=_("subject")
    )
    registered_on = models.DateField(_("registered on"))
    device_type = models.CharField(_("device type"), max_length=20, choices=DeviceType.choices)
    os_version = models.CharField(_("OS version"), max_length=40, blank=True)
    connectivity = models.CharField(_("connectivity"), max_length=10, choices=Connectivity.choices, blank=True)
    app_name = models.CharField(_("application"), max_length=60, default="ijitrack")
    app_version = models.CharField(_("application version"), max_length=20, blank=True)
    push_token = models.CharField(_("push token"), max_length=255, blank=True)
    geolocation_consent = models.BooleanField(
        _("geolocation accepted"),
        default=False,
        help_text=_("Accepted on the device, withdrawable at any time (§3.3)."),
    )

    objects = SubjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("mobile device")
        verbose_name_plural = _("mobile devices")
        ordering = ["-registered_on", "-id"]
        indexes = [models.Index(fields=["subject", "registered_on"], name="subjects_device_subj_date")]

    def __str__(self) -> str:
        return _("Mobile device #%(id)s") % {"id": self.pk}


# --- Assumed interests (§3.4) and data from a third party (§3.5) -------------------------------


class AssumedInterestQuerySet(SubjectChildQuerySet):
    def review_overdue(self, today) -> AssumedInterestQuerySet:
        return self.filter(review_due_on__lt=today)


class AssumedInterest(models.Model):
    """Inferred, reviewed yearly (policy §5, R4.3); never portable (R1.8.2)."""

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="interests", verbose_name=_("subject")
    )
    product_family = models.CharField(_("assumed interest"), max_length=20, choices=ProductFamily.choices)
    inferred_on = models.DateField(
        _("inferred on"), help_text=_("Retention counts from this date; assumed interests are reviewed yearly.")
    )
    review_due_on = models.DateField(_("review due on"), help_text=_("Reviewed yearly (policy §5)."))

    objects = AssumedInterestQuerySet.as_manager()

    class Meta:
        verbose_name = _("assumed interest")
        verbose_name_plural = _("assumed interests")
        ordering = ["review_due_on", "id"]
        indexes = [
            models.Index(fields=["subject", "inferred_on"], name="subjects_interest_subj_date"),
            models.Index(fields=["review_due_on"], name="subjects_interest_review"),
        ]

    def __str__(self) -> str:
        return _("Assumed interest #%(id)s") % {"id": self.pk}


class ThirdPartyData(models.Model):
    """Data about this subject given by someone else, with the acceptance they declared (§3.5)."""

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="third_party_data", verbose_name=_("subject")
    )
    received_on = models.DateField(_("received on"))
    provided_by_name = models.CharField(_("provided by"), max_length=200)
    provided_by_email = models.EmailField(_("provider e-mail"), blank=True)
    declaration = models.TextField(
        _("acceptance declared"),
        help_text=_("What the third party declared about the person's acceptance of the transfer (§3.5)."),
    )
    accepted_on = models.DateField(_("acceptance date declared"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = SubjectChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("data received from a third party")
        verbose_name_plural = _("data received from third parties")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["subject", "received_on"], name="subjects_thirdparty_subj_date")]

    def __str__(self) -> str:
        return _("Third-party data #%(id)s") % {"id": self.pk}


# --- Sensitive data screening (§3.6, R4.6) -----------------------------------------------------


class SensitiveCategory(models.TextChoices):
    HEALTH = "health", _("Health (Art. 9)")
    RELIGION = "religion", _("Religious or philosophical belief (Art. 9)")
    POLITICAL = "political", _("Political opinion (Art. 9)")
    TRADE_UNION = "trade_union", _("Trade-union membership (Art. 9)")
    SEXUAL = "sexual", _("Sex life or sexual orientation (Art. 9)")
    ETHNIC = "ethnic", _("Racial or ethnic origin (Art. 9)")
    GENETIC = "genetic", _("Genetic data (Art. 9)")
    BIOMETRIC = "biometric", _("Biometric data (Art. 9)")
    OFFENCES = "offences", _("Criminal convictions and offences (Art. 10)")


class SensitiveDataFlagQuerySet(models.QuerySet):
    def open(self) -> SensitiveDataFlagQuerySet:
        return self.filter(status=SensitiveDataFlag.Status.OPEN)


class SensitiveDataFlag(models.Model):
    """A free-text field where screening found Art. 9/10 terms. Holds the field name, never the text."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PURGED = "purged", _("Purged")
        DISMISSED = "dismissed", _("Dismissed (false positive)")

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="sensitive_flags", verbose_name=_("subject")
    )
    model = models.CharField(_("model"), max_length=100, help_text=_("app_label.model"))
    object_id = models.BigIntegerField(_("object id"))
    field_name = models.CharField(_("field"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=SensitiveCategory.choices)
    detected_at = models.DateTimeField(_("detected at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    objects = SensitiveDataFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("sensitive-data flag")
        verbose_name_plural = _("sensitive-data flags")
        ordering = ["-detected_at", "-id"]
        permissions = [("purge_sensitivedata", _("Can purge sensitive data (Art. 9)"))]
        indexes = [
            models.Index(fields=["status", "detected_at"], name="subjects_flag_status_date"),
            models.Index(fields=["model", "object_id"], name="subjects_flag_object"),
            models.Index(fields=["subject", "detected_at"], name="subjects_flag_subj_date"),
        ]

    def __str__(self) -> str:
        return _("Sensitive-data flag #%(id)s") % {"id": self.pk}


# --- Imports in the background (issue 12, T5) ------------------------------------------------


class ImportJob(BackgroundJob):
    """One subjects or roles file imported by a worker (files of more than ``IMPORT_SYNC_MAX_ROWS`` rows).

    The row is the job (``ijinus_privacy.jobs``): a worker claims it by moving it from pending to
    running, a redelivered task takes its own job over, and beat restarts one whose worker died (its
    heartbeat stopped) or that the queue missed. The upload waits
    under ``MEDIA_ROOT/imports/``, encrypted, and is deleted when the job ends, done or failed.
    The import is all or nothing: every row is checked first, then all are written in one
    transaction. ``errors`` name rows, columns and reasons, never a value from the file.
    """

    class Kind(models.TextChoices):
        SUBJECTS = "subjects", _("Data subjects")
        ROLES = "roles", _("Roles of data subjects")

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        RUNNING = "running", _("Running")
        AWAITING = "awaiting", _("Checked: waiting for your confirmation")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed: nothing was imported")
        CANCELLED = "cancelled", _("Cancelled: nothing was imported")

    class Stage(models.TextChoices):
        ADD = "add", _("New people only: checked and written in one pass")
        PREVIEW = "preview", _("Changes to people on file: checked, nothing written until you confirm")
        WRITE = "write", _("Confirmed changes: being written")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    kind = models.CharField(_("import of"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    file_name = models.CharField(_("file"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.CSV)
    file_path = models.CharField(_("stored upload (under MEDIA_ROOT)"), max_length=300, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    language = models.CharField(_("language of the messages"), max_length=2, default="fr")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error_code = models.CharField(
        _("error code"), max_length=40, blank=True, help_text=_("WorkerLost: the worker died on each attempt.")
    )
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_created = models.PositiveIntegerField(_("rows created"), default=0)
    rows_updated = models.PositiveIntegerField(_("rows updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("rows refused"), default=0)
    errors = models.JSONField(
        _("errors"), default=list, blank=True, help_text=_("Rows, columns and reasons; never a value.")
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.ADD)
    column_changes = models.JSONField(
        _("changes per column"), default=dict, blank=True, help_text=_("How many people each column changes.")
    )
    preview_path = models.CharField(_("stored preview (under MEDIA_ROOT)"), max_length=300, blank=True, editable=False)
    change_digest = models.CharField(
        _("fingerprint of the previewed changes"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("The confirmed write must make exactly these changes, or nothing is written."),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by_username = models.CharField(_("confirmed by"), max_length=150, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_username = models.CharField(_("started by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last progress at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["status", "created_at"], name="subjects_importjob_status")]

    def __str__(self) -> str:
        return _("Import #%(id)s") % {"id": self.pk}
