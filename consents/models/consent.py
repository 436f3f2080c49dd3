"""Notices, consent events, marketing bases and the suppression list (R2.1-R2.9, R1.13, R5.6).

* ``Notice``: every version of the privacy policy, of each consent wording and of the cookie banner,
  immutable once saved, with its SHA-256 (R5.6.1). Events point to the version shown (R2.1.4).
* ``ConsentEvent``: append-only (R2.1.1). The current state of a (subject, channel) is its latest
  event by ``occurred_at`` (then id), read by one correlated subquery on the index
  ``(subject, channel, occurred_at, id)``: no projection table to keep in step, imports with their
  original (past) timestamps land in the right place, and ``on=<date>`` answers for any day.
* ``MarketingBasis``: the recorded facts behind a soft opt-in or a B2B professional contact (R2.6).
* ``Suppression``: HMAC hashes of e-mails/phones per channel; no link to a subject, so it outlives
  erasure and blocks a re-import (R1.13.3, R2.3).
"""

from __future__ import annotations

import hashlib

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.choices import ALL_CHANNELS, COOKIE_CHANNELS, MARKETING_CHANNELS, Channel, Language
from subjects.models import Contract, DataSubject, ProductFamily


class ImmutableError(ValidationError):
    """Raised when code tries to change or delete a record that is append-only."""


# Cookie choices: asked again after 6 months (R2.4.3); a consent lasts 13 months at most (R2.5.2).
COOKIE_REASK_MONTHS = 6
COOKIE_LIFETIME_MONTHS = 13


# --- Notices (R5.6.1) ------------------------------------------------------------------------


class NoticeQuerySet(models.QuerySet):
    """Bulk ``update()``/``delete()`` are refused like ``save()``/``delete()`` on one version (R5.6.1).

    The one bulk write allowed is the one Django's deletion of a staff account makes (``created_by``
    set to NULL): it changes no text and no hash.
    """

    def update(self, **kwargs):
        if kwargs.keys() == {"created_by"} and kwargs["created_by"] is None:
            return super().update(**kwargs)
        raise ImmutableError(
            _("A notice version is immutable: store a new version instead (EDPB Guidelines 05/2020, ¶108).")
        )

    def delete(self):
        raise ImmutableError(_("A notice version is never deleted (EDPB Guidelines 05/2020, ¶108)."))

    def tampered(self) -> list[Notice]:
        """The versions whose stored text no longer matches their SHA-256 (R5.6.1): should be none."""
        return [notice for notice in self.order_by("pk").iterator(chunk_size=500) if not notice.hash_verified]

    def in_force(self, *, kind: str, language: str, channel: str = "", on=None) -> NoticeQuerySet:
        """The versions in force on a day, newest first (the first is the one shown)."""
        on = on or timezone.localdate()
        return self.filter(kind=kind, language=language, channel=channel, effective_on__lte=on).order_by(
            "-effective_on", "-version"
        )


class Notice(models.Model):
    """One version of a text shown to people; never changed or deleted once saved (R5.6.1)."""

    class Kind(models.TextChoices):
        PRIVACY_POLICY = "privacy_policy", _("Privacy policy")
        CONSENT_TEXT = "consent_text", _("Consent wording")
        COOKIE_BANNER = "cookie_banner", _("Cookie banner")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(
        _("purpose and channel"),
        max_length=30,
        choices=Channel.choices,
        blank=True,
        help_text=_("For a consent wording: the purpose it asks for (Art. 6(1)(a))."),
    )
    version = models.PositiveIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    effective_on = models.DateField(_("effective on"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("full text"), help_text=_("The exact text shown (EDPB Guidelines 05/2020, ¶108)."))
    sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("stored at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stored by"),
    )

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice version")
        verbose_name_plural = _("notice versions")
        ordering = ["kind", "channel", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel", "language", "version"], name="consents_notice_unique_version"
            ),
        ]

    def __str__(self) -> str:
        parts = [self.get_kind_display()]
        if self.channel:
            parts.append(self.get_channel_display())
        return f"{' — '.join(str(part) for part in parts)} v{self.version} ({self.language})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableError(
                _("A notice version is immutable: store a new version instead (EDPB Guidelines 05/2020, ¶108).")
            )
        self.sha256 = self.hash_text(self.text)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(_("A notice version is never deleted (EDPB Guidelines 05/2020, ¶108)."))

    @property
    def hash_verified(self) -> bool:
        """The text read now still hashes to the SHA-256 stored with it (a change in the database shows)."""
        return bool(self.sha256) and self.hash_text(self.text) == self.sha256

    @staticmethod
    def hash_text(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def clean(self) -> None:
        if self.kind == self.Kind.CONSENT_TEXT and not self.channel:
            raise ValidationError({"channel": _("A consent wording asks for one purpose and channel (Art. 6(1)(a)).")})
        if self.kind != self.Kind.CONSENT_TEXT and self.channel:
            raise ValidationError({"channel": _("Only a consent wording is tied to a purpose and channel.")})
        if not (self.text or "").strip():
            raise ValidationError({"text": _("The full text shown is required (EDPB Guidelines 05/2020, ¶108).")})


# --- Consent events (R2.1) -------------------------------------------------------------------


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk ``update()``/``delete()`` are refused; erasure removes rows through its source only."""

    def update(self, **kwargs):
        raise ImmutableError(_("Consent events are append-only (Art. 7(1))."))

    def delete(self):
        raise ImmutableError(_("Consent events are append-only (Art. 7(1))."))


class ConsentEventQuerySet(AppendOnlyQuerySet):
    def for_channel(self, channel: str) -> ConsentEventQuerySet:
        return self.filter(channel=channel)

    def up_to(self, moment) -> ConsentEventQuerySet:
        return self.filter(occurred_at__lte=moment)

    def current(self, *, at=None) -> ConsentEventQuerySet:
        """The latest event of each (subject or visitor, channel), at ``at`` (default: now).

        One query: each row is kept when it is the first of its (subject, channel) -- or, for an
        unnamed visitor, (visitor id, channel) -- in the index order ``occurred_at DESC, id DESC``.
        """
        at = at or timezone.now()
        earlier = ConsentEvent.objects.filter(channel=OuterRef("channel"), occurred_at__lte=at).order_by(
            "-occurred_at", "-id"
        )
        latest_of_subject = earlier.filter(subject_id=OuterRef("subject_id")).values("pk")[:1]
        latest_of_visitor = earlier.filter(subject__isnull=True, visitor_id=OuterRef("visitor_id")).values("pk")[:1]
        return self.filter(occurred_at__lte=at).filter(
            Q(subject__isnull=False, pk=Subquery(latest_of_subject))
            | Q(subject__isnull=True, pk=Subquery(latest_of_visitor))
        )

    def cookies_to_reask(self, *, now=None) -> ConsentEventQuerySet:
        """Current cookie choices (consent or refusal) older than 6 months: ask again (R2.4.3)."""
        now = now or timezone.now()
        return (
            self.filter(channel__in=COOKIE_CHANNELS)
            .current(at=now)
            .filter(
                action__in=ConsentEvent.CHOICE_ACTIONS,
                occurred_at__lte=now - relativedelta(months=COOKIE_REASK_MONTHS),
            )
        )


class ConsentEvent(models.Model):
    """One consent fact, never changed (R2.1.1). Who, when, what was shown, how, what for."""

    class Action(models.TextChoices):
        GIVEN = "given", _("Given")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        RECONFIRMED = "reconfirmed", _("Reconfirmed")

    class CollectionPoint(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        URL = "url", _("Web page (URL)")
        APP_SCREEN = "app_screen", _("App screen")
        PAPER_FORM = "paper_form", _("Paper form")
        PHONE_SCRIPT = "phone_script", _("Phone script")
        COOKIE_BANNER = "cookie_banner", _("Cookie banner")
        EMAIL_LINK = "email_link", _("Link in an e-mail (unsubscribe)")
        EMAILING_TOOL = "emailing_tool", _("E-mailing tool (imported proof)")
        STAFF = "staff", _("Customer service (on the person's behalf)")
        SYSTEM = "system", _("System (expiry)")

    class Mechanism(models.TextChoices):
        UNTICKED_CHECKBOX = "unticked_checkbox", _("Unticked checkbox ticked by the person")
        BUTTON = "button", _("Button")
        SLIDER = "slider", _("Off-by-default switch")
        DOUBLE_OPT_IN = "double_opt_in", _("Double opt-in (confirmation link)")
        SIGNATURE = "signature", _("Signed form")
        ORAL = "oral", _("Oral, recorded by staff")
        ONE_CLICK = "one_click", _("One-click unsubscribe link")
        OS_SETTING = "os_setting", _("Operating-system setting (detected)")
        AUTOMATIC = "automatic", _("Automatic (lifetime reached)")

    class EnteredBy(models.TextChoices):
        SUBJECT = "subject", _("The person, themselves")
        STAFF = "staff", _("Staff, on the person's behalf")
        SYSTEM = "system", _("The system")

    # Actions that record a choice shown to the person: they need the notice shown (R2.2).
    CHOICE_ACTIONS = (Action.GIVEN, Action.REFUSED, Action.RECONFIRMED)
    POSITIVE_ACTIONS = (Action.GIVEN, Action.RECONFIRMED)
    NEGATIVE_ACTIONS = (Action.REFUSED, Action.WITHDRAWN, Action.EXPIRED)

    subject = models.ForeignKey(
        DataSubject,
        on_delete=models.CASCADE,
        related_name="consent_events",
        verbose_name=_("subject"),
        null=True,
        blank=True,
    )
    visitor_id = models.CharField(
        _("pseudonymous visitor id"),
        max_length=64,
        blank=True,
        help_text=_("For cookie choices of a visitor we cannot name (EDPB Guidelines 05/2020, ¶108; CNIL 2020-092)."),
    )
    channel = models.CharField(_("purpose and channel"), max_length=30, choices=Channel.choices)
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    occurred_at = models.DateTimeField(
        _("effective at (UTC)"), help_text=_("When the choice took effect; for double opt-in, the confirmation.")
    )
    requested_at = models.DateTimeField(
        _("requested at"),
        null=True,
        blank=True,
        help_text=_("Double opt-in: when the person asked (EDPB Guidelines 05/2020, ¶108)."),
    )
    confirmed_at = models.DateTimeField(
        _("confirmed at"),
        null=True,
        blank=True,
        help_text=_("Double opt-in: when the person confirmed (EDPB Guidelines 05/2020, ¶108)."),
    )
    notice = models.ForeignKey(
        Notice,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("notice version shown"),
        null=True,
        blank=True,
    )
    notice_sha256 = models.CharField(_("SHA-256 of the text shown"), max_length=64, blank=True, editable=False)
    collection_point = models.CharField(_("collection point"), max_length=20, choices=CollectionPoint.choices)
    collection_detail = models.CharField(
        _("collection detail"),
        max_length=300,
        blank=True,
        help_text=_(
            "Form id, URL, app screen, paper-form or script reference, source list (EDPB Guidelines 05/2020, ¶108)."
        ),
    )
    interface_version = models.CharField(
        _("interface version"),
        max_length=40,
        blank=True,
        help_text=_("Banner or workflow version (EDPB Guidelines 05/2020, ¶108)."),
    )
    mechanism = models.CharField(_("mechanism"), max_length=20, choices=Mechanism.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    entered_by = models.CharField(_("entered by"), max_length=10, choices=EnteredBy.choices)
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    staff_reference = models.CharField(
        _("staff reference"),
        max_length=100,
        blank=True,
        help_text=_(
            "How the person expressed it: signed-form reference, call id, import batch (EDPB Guidelines 05/2020, ¶108)."
        ),
    )
    ip_address = models.GenericIPAddressField(
        _("IP address"),
        null=True,
        blank=True,
        help_text=_("Optional; kept as long as the proof (Art. 5(1)(c); EDPB Guidelines 05/2020, ¶107)."),
    )
    confirmation_ip_address = models.GenericIPAddressField(
        _("confirmation IP address"),
        null=True,
        blank=True,
        help_text=_("Double opt-in: the address the confirmation link was opened from (Art. 7(1) GDPR)."),
    )
    tool_reference = models.CharField(
        _("reference in the e-mailing tool"),
        max_length=100,
        blank=True,
        default="",
        db_default="",  # rows inserted by raw SQL (bench, bulk loads) get "" too
        help_text=_("The member or contact id of the tool the proof was imported from (Art. 7(1) GDPR)."),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        ordering = ["-occurred_at", "-id"]
        permissions = [
            ("import_consentevent", _("Can import consent proofs (DPO)")),
            ("export_consentproof", _("Can export consent-proof bundles (DPO)")),
            ("export_audience", _("Can export a campaign audience (DPO)")),
        ]
        indexes = [
            models.Index(fields=["subject", "channel", "-occurred_at", "-id"], name="consents_evt_subj_chan_at"),
            models.Index(fields=["channel", "action", "occurred_at"], name="consents_evt_chan_action_at"),
            models.Index(fields=["visitor_id", "channel", "-occurred_at"], name="consents_evt_visitor"),
        ]

    def __str__(self) -> str:
        return _("Consent event #%(id)s") % {"id": self.pk}

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableError(_("Consent events are append-only (Art. 7(1)): record a new event instead."))
        if self.notice_id is not None:
            self.notice_sha256 = self.notice.sha256
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(_("Consent events are append-only (Art. 7(1))."))

    def clean(self) -> None:
        """Proof fields required at capture (R2.1, R2.2)."""
        errors: dict[str, list] = {}

        def add(field: str, message) -> None:
            errors.setdefault(field, []).append(message)

        if not self.subject_id and not self.visitor_id:
            add(
                "subject",
                _("A consent event names the subject or a pseudonymous visitor id (EDPB Guidelines 05/2020, ¶108)."),
            )
        if self.visitor_id and self.channel and self.channel not in COOKIE_CHANNELS:
            add("visitor_id", _("A pseudonymous visitor id is only used for cookie choices (CNIL 2020-092)."))
        if self.action in self.CHOICE_ACTIONS:
            if self.notice_id is None:
                add(
                    "notice",
                    _("The notice version shown is required to prove a choice (EDPB Guidelines 05/2020, ¶108)."),
                )
            if self.mechanism in (self.Mechanism.AUTOMATIC, self.Mechanism.ONE_CLICK, self.Mechanism.OS_SETTING):
                add("mechanism", _("This mechanism records a withdrawal or an expiry, not a choice."))
        if self.notice_id is not None and self.channel:
            notice = self.notice
            if notice.kind == Notice.Kind.CONSENT_TEXT and notice.channel != self.channel:
                add("notice", _("This consent wording asks for another purpose (Art. 6(1)(a))."))
            if notice.kind == Notice.Kind.PRIVACY_POLICY and self.action in self.CHOICE_ACTIONS:
                add(
                    "notice",
                    _("A link to the privacy policy does not prove what was asked (EDPB Guidelines 05/2020, ¶108)."),
                )
            if self.occurred_at and notice.effective_on > timezone.localdate(self.occurred_at):
                add("notice", _("This notice version was not yet in force at that time."))
        if self.entered_by == self.EnteredBy.STAFF and not (self.staff_reference or "").strip():
            add(
                "staff_reference",
                _("Staff entering a choice record how the person expressed it (EDPB Guidelines 05/2020, ¶108)."),
            )
        if self.occurred_at and self.occurred_at > timezone.now() + timezone.timedelta(minutes=5):
            add("occurred_at", _("A consent event cannot be in the future."))
        if self.requested_at and not self.confirmed_at and self.mechanism == self.Mechanism.DOUBLE_OPT_IN:
            add("confirmed_at", _("A double opt-in needs the confirmation time (EDPB Guidelines 05/2020, ¶108)."))
        if self.requested_at and self.confirmed_at and self.confirmed_at < self.requested_at:
            add("confirmed_at", _("The confirmation cannot come before the request."))
        if self.confirmed_at and self.occurred_at and self.occurred_at != self.confirmed_at:
            add("occurred_at", _("A double opt-in takes effect at its confirmation."))
        if errors:
            raise ValidationError(errors)

    @property
    def is_positive(self) -> bool:
        return self.action in self.POSITIVE_ACTIONS


# --- Marketing bases other than consent (R2.6) ---------------------------------------------


class ProductFamilyAnalogy(models.Model):
    """Two product families the DPO deems analogous for the soft opt-in (CPCE L.34-5, R2.6.3)."""

    family = models.CharField(_("product family"), max_length=20, choices=ProductFamily.choices)
    analogous_family = models.CharField(_("analogous family"), max_length=20, choices=ProductFamily.choices)
    justification = models.TextField(_("justification"))

    class Meta:
        verbose_name = _("analogous product families (CPCE L.34-5)")
        verbose_name_plural = _("analogous product families (CPCE L.34-5)")
        constraints = [
            models.UniqueConstraint(fields=["family", "analogous_family"], name="consents_analogy_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_family_display()} ~ {self.get_analogous_family_display()}"

    def clean(self) -> None:
        if self.family and self.family == self.analogous_family:
            raise ValidationError({"analogous_family": _("A family is always analogous to itself.")})

    @classmethod
    def analogous_to(cls, family: str) -> set[str]:
        """The families a campaign about ``family`` may address under a soft opt-in."""
        pairs = cls.objects.filter(models.Q(family=family) | models.Q(analogous_family=family))
        return {family} | {value for pair in pairs.values_list("family", "analogous_family") for value in pair}


class MarketingBasis(models.Model):
    """The facts behind a marketing basis other than consent (R2.6.3 soft opt-in, R2.6.4 B2B)."""

    class Basis(models.TextChoices):
        SOFT_OPT_IN = "soft_opt_in", _("Soft opt-in: existing client, analogous products (CPCE L.34-5)")
        B2B_PROFESSIONAL = (
            "b2b_professional",
            _("Professional contact, message about their job (CNIL, B2B prospecting)"),
        )

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="marketing_bases", verbose_name=_("subject")
    )
    channel = models.CharField(_("channel"), max_length=30, choices=[(c.value, c.label) for c in MARKETING_CHANNELS])
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contract (sale or service)"),
        help_text=_("Soft opt-in: the sale or service during which the address was collected (CPCE L.34-5)."),
    )
    product_family = models.CharField(_("product family"), max_length=20, choices=ProductFamily.choices, blank=True)
    opt_out_offered = models.BooleanField(
        _("free, simple opt-out offered at collection"),
        default=False,
        help_text=_("Required for a soft opt-in and for a professional contact (CPCE L.34-5)."),
    )
    informed_on = models.DateField(_("informed on"), help_text=_("When the person was informed at collection."))
    job_function = models.CharField(
        _("professional function"), max_length=150, blank=True, help_text=_("B2B: the function messages relate to.")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("marketing basis")
        verbose_name_plural = _("marketing bases")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["subject", "channel", "basis"], name="consents_basis_subj_chan")]

    def __str__(self) -> str:
        return _("Marketing basis #%(id)s") % {"id": self.pk}

    def save(self, *args, **kwargs) -> None:
        if self.basis == self.Basis.SOFT_OPT_IN and self.contract_id and not self.product_family:
            self.product_family = self.contract.product_family
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if not self.opt_out_offered:
            errors["opt_out_offered"] = [_("The basis only holds if an opt-out was offered at collection.")]
        if self.basis == self.Basis.SOFT_OPT_IN:
            if self.channel != Channel.NEWSLETTER_EMAIL:
                errors["channel"] = [_("The soft opt-in covers e-mail only (CPCE L.34-5).")]
            if self.contract_id is None:
                errors["contract"] = [_("A soft opt-in names the sale or service (CPCE L.34-5).")]
            elif self.subject_id and self.contract.subject_id != self.subject_id:
                errors["contract"] = [_("This contract belongs to someone else.")]
            elif self.product_family and self.product_family != self.contract.product_family:
                errors["product_family"] = [_("The product family is the contract's.")]
        if self.basis == self.Basis.B2B_PROFESSIONAL:
            if self.channel not in (Channel.NEWSLETTER_EMAIL, Channel.PHONE_MARKETING):
                errors["channel"] = [_("A professional basis covers e-mail and phone only.")]
            if self.subject_id and self.subject.kind != DataSubject.Kind.PROFESSIONAL:
                errors["basis"] = [
                    _("Only a professional contact can be reached on this basis (CNIL, B2B prospecting).")
                ]
            if not (self.job_function or "").strip():
                errors["job_function"] = [
                    _("Record the professional function messages relate to (CNIL, B2B prospecting).")
                ]
        if errors:
            raise ValidationError(errors)


# --- Suppression list (R1.13.3, R2.3) ---------------------------------------------------------


class SuppressionQuerySet(models.QuerySet):
    def for_channel(self, channel: str) -> SuppressionQuerySet:
        return self.filter(channel__in=[channel, ALL_CHANNELS])

    def matching(self, hashes) -> SuppressionQuerySet:
        return self.filter(identifier_hash__in=[value for value in hashes if value])


class Suppression(models.Model):
    """A hashed e-mail or phone that must not be contacted on a channel; survives erasure."""

    class Reason(models.TextChoices):
        WITHDRAWAL = "withdrawal", _("Consent withdrawn or unsubscribed (Art. 7(3))")
        OBJECTION = "objection", _("Objection to direct marketing (Art. 21(2)-(3))")
        ERASURE = "erasure", _("Erased, kept off the lists (Art. 21(3))")
        DECEASED = "deceased", _("Deceased (LIL art. 85)")

    identifier_kind = models.CharField(_("identifier"), max_length=5, choices=[("email", "e-mail"), ("phone", "phone")])
    identifier_hash = models.CharField(_("HMAC-SHA256"), max_length=64)
    channel = models.CharField(
        _("channel"), max_length=30, choices=[(ALL_CHANNELS, _("All marketing channels")), *Channel.choices]
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    created_at = models.DateTimeField(_("suppressed at"), auto_now_add=True)

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suppression entry")
        verbose_name_plural = _("suppression list")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["identifier_hash", "channel"], name="consents_suppression_unique"),
        ]

    def __str__(self) -> str:
        return _("Suppression #%(id)s") % {"id": self.pk}
