"""Who we hold data about (policy §3.1) and the roles they hold at once (R3.2.3).

``__str__`` never shows personal data: admin breadcrumbs, logs and audit events use the id.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class DataSubjectQuerySet(models.QuerySet):
    def with_email(self, email: str) -> DataSubjectQuerySet:
        return self.filter(email=normalise_email(email))


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


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

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")

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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DataSubjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("data subject")
        verbose_name_plural = _("data subjects")
        ordering = ["-id"]
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
        help_text=_("A reply, order, call, click or login from the person. Never an e-mail open (R4.2)."),
    )
    contract_end_on = models.DateField(_("contract end"), null=True, blank=True)
    unsubscribed_on = models.DateField(_("unsubscribed on"), null=True, blank=True)
    product_delivered_on = models.DateField(_("product delivered on"), null=True, blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["subject", "role"], name="subjects_role_unique_per_subject")]
        indexes = [models.Index(fields=["role", "collected_on"], name="subjects_role_role_collected")]

    def __str__(self) -> str:
        return self.get_role_display()
