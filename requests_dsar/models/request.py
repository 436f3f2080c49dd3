"""Data-subject requests: the request file of R1.16.1.

A ``Request`` is received on a date through any channel (R1.1), carries one ``RequestItem`` per
right asked (R1.1.3), and moves through a fixed workflow (``TRANSITIONS``). Everything that
happens to it is an append-only ``RequestEvent``. Clock pauses, the extension, identity checks,
DPO decisions and letters are rows of their own, so the file keeps the *facts* of the procedure
and never its payload (R1.16.2): no identity-document file, no copy of the data delivered.

``__str__`` never shows personal data.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ijinus_privacy import jobs
from ijinus_privacy.choices import ORAL_CHANNELS, ContactChannel, Language
from ijinus_privacy.jobs import BackgroundJob
from ijinus_privacy.written_in import writing_language, written_in_field
from subjects.models import DataSubject


class Right(models.TextChoices):
    ACCESS = "access", _("Access (Art. 15)")
    RECTIFICATION = "rectification", _("Rectification (Art. 16)")
    ERASURE = "erasure", _("Erasure (Art. 17)")
    RESTRICTION = "restriction", _("Restriction (Art. 18)")
    PORTABILITY = "portability", _("Portability (Art. 20)")
    OBJECTION = "objection", _("Objection, legitimate interest (Art. 21(1))")
    OBJECTION_MARKETING = "objection_marketing", _("Objection to direct marketing (Art. 21(2)-(3))")
    CONSENT_WITHDRAWAL = "consent_withdrawal", _("Withdrawal of consent (Art. 7(3))")
    POST_MORTEM = "post_mortem", _("Post-mortem directive (LIL art. 85)")
    OTHER = "other", _("Other / unclear")


class RefusalGround(models.TextChoices):
    """Every ground the law allows; ``GROUNDS_BY_RIGHT`` says which apply to which right (R1.6.5)."""

    RIGHTS_OF_OTHERS = "15_4", _("Adversely affects the rights and freedoms of others (Art. 15(4))")
    MANIFESTLY_UNFOUNDED = "12_5", _("Manifestly unfounded or excessive (Art. 12(5))")
    UNION_OR_MEMBER_LAW = "23", _("Restriction by Union or Member State law (Art. 23)")
    ERASURE_EXPRESSION = "17_3_a", _("Freedom of expression and information (Art. 17(3)(a))")
    ERASURE_LEGAL_OBLIGATION = "17_3_b", _("Legal obligation, e.g. invoices kept 10 years (Art. 17(3)(b))")
    ERASURE_PUBLIC_HEALTH = "17_3_c", _("Public interest in public health (Art. 17(3)(c))")
    ERASURE_ARCHIVING = "17_3_d", _("Archiving, research or statistics (Art. 17(3)(d))")
    ERASURE_LEGAL_CLAIMS = "17_3_e", _("Establishment, exercise or defence of legal claims (Art. 17(3)(e))")
    PORTABILITY_CONDITIONS = "20_1", _("Conditions of Art. 20(1) not met (basis or automated means)")
    PORTABILITY_PUBLIC_TASK = "20_3", _("Public interest or official authority (Art. 20(3))")
    PORTABILITY_OTHERS = "20_4", _("Adversely affects the rights and freedoms of others (Art. 20(4))")
    OBJECTION_COMPELLING = "21_1_compelling", _("Compelling legitimate grounds, demonstrated (Art. 21(1))")
    OBJECTION_LEGAL_CLAIMS = "21_1_claims", _("Establishment, exercise or defence of legal claims (Art. 21(1))")


_G = RefusalGround
# Exactly the table of R1.6.5: "no other grounds may be selected".
GROUNDS_BY_RIGHT: dict[str, frozenset[str]] = {
    Right.ACCESS: frozenset({_G.RIGHTS_OF_OTHERS, _G.MANIFESTLY_UNFOUNDED, _G.UNION_OR_MEMBER_LAW}),
    Right.RECTIFICATION: frozenset({_G.MANIFESTLY_UNFOUNDED, _G.UNION_OR_MEMBER_LAW}),
    Right.ERASURE: frozenset(
        {
            _G.ERASURE_EXPRESSION,
            _G.ERASURE_LEGAL_OBLIGATION,
            _G.ERASURE_PUBLIC_HEALTH,
            _G.ERASURE_ARCHIVING,
            _G.ERASURE_LEGAL_CLAIMS,
        }
    ),
    Right.RESTRICTION: frozenset({_G.MANIFESTLY_UNFOUNDED, _G.UNION_OR_MEMBER_LAW}),
    Right.PORTABILITY: frozenset({_G.PORTABILITY_CONDITIONS, _G.PORTABILITY_PUBLIC_TASK, _G.PORTABILITY_OTHERS}),
    # The controller must demonstrate them (R1.6.5).
    Right.OBJECTION: frozenset({_G.OBJECTION_COMPELLING, _G.OBJECTION_LEGAL_CLAIMS}),
    # Art. 21(2)-(3): absolute. No ground may be selected (R1.6.5, R1.13.2).
    Right.OBJECTION_MARKETING: frozenset(),
    # Not in the R1.6.5 table: withdrawal is always possible (Art. 7(3)); the others keep the general
    # ground of Art. 12(5) (and Art. 23 for an unclear request) until LEGAL.md says otherwise.
    Right.CONSENT_WITHDRAWAL: frozenset(),
    Right.POST_MORTEM: frozenset({_G.MANIFESTLY_UNFOUNDED}),
    Right.OTHER: frozenset({_G.MANIFESTLY_UNFOUNDED, _G.UNION_OR_MEMBER_LAW}),
}


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    AWAITING_INFO = "awaiting_info", _("Awaiting identity or clarification (clock paused)")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting DPO decision")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")
    PARTLY_REFUSED = "partly_refused", _("Partly refused")
    WITHDRAWN = "withdrawn", _("Withdrawn by the requester")
    CLOSED_UNVERIFIED = "closed_unverified", _("Closed, identity not verified")


# The workflow. Anything else raises ValidationError.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.RECEIVED: frozenset({State.AWAITING_INFO, State.IN_PROGRESS, State.WITHDRAWN}),
    State.AWAITING_INFO: frozenset({State.IN_PROGRESS, State.WITHDRAWN, State.CLOSED_UNVERIFIED}),
    State.IN_PROGRESS: frozenset({State.AWAITING_INFO, State.AWAITING_DECISION, State.WITHDRAWN}),
    State.AWAITING_DECISION: frozenset(
        {State.IN_PROGRESS, State.COMPLETED, State.REFUSED, State.PARTLY_REFUSED, State.WITHDRAWN}
    ),
    State.COMPLETED: frozenset(),
    State.REFUSED: frozenset(),
    State.PARTLY_REFUSED: frozenset(),
    State.WITHDRAWN: frozenset(),
    State.CLOSED_UNVERIFIED: frozenset(),
}
OPEN_STATES = frozenset(state for state, targets in TRANSITIONS.items() if targets)
ANSWERED_STATES = frozenset({State.COMPLETED, State.REFUSED, State.PARTLY_REFUSED})
# Only the DPO moves a request into these (permission ``requests_dsar.decide_request``): every closure,
# a withdrawal included ("only the DPO decides: approve, refuse, extend, fee, close").
DPO_ONLY_STATES = frozenset(
    {State.COMPLETED, State.REFUSED, State.PARTLY_REFUSED, State.CLOSED_UNVERIFIED, State.WITHDRAWN}
)


# The triage inbox: open and either just received or owned by nobody. A partial index holds exactly
# these rows, newest first, so the dashboard reads a page of them whatever the history.
TRIAGE_Q = models.Q(state__in=sorted(state.value for state in OPEN_STATES)) & (
    models.Q(state=State.RECEIVED.value) | models.Q(owner__isnull=True)
)


class RequestQuerySet(models.QuerySet):
    def open(self) -> RequestQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def answered(self) -> RequestQuerySet:
        return self.filter(state__in=ANSWERED_STATES)

    def due_within(self, days: int, *, today: date | None = None) -> RequestQuerySet:
        today = today or timezone.localdate()
        return self.open().filter(due_on__lte=today + timedelta(days=days))

    def by_due_date(self) -> RequestQuerySet:
        return self.order_by("due_on", "id")

    def to_triage(self) -> RequestQuerySet:
        """Open requests nobody has taken yet: just received, or with no owner (the dashboard's inbox)."""
        return self.filter(TRIAGE_Q)


class Request(models.Model):
    received_on = models.DateField(
        _("received on"),
        help_text=_("The day it reached any IJINUS address or channel, not the day staff noticed it (Art. 12(3))."),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=ContactChannel.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.RECEIVED)
    subject = models.ForeignKey(
        DataSubject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dsar_requests",
        verbose_name=_("data subject"),
        help_text=_("Link the request to the person when found (Art. 5(2))."),
    )
    requester_name = models.CharField(_("requester name"), max_length=200, blank=True)
    requester_email = models.EmailField(_("requester e-mail"), blank=True)
    requester_phone = models.CharField(_("requester phone"), max_length=40, blank=True)
    requester_address = models.TextField(_("requester postal address"), blank=True)
    language = models.CharField(_("language of letters"), max_length=2, choices=Language.choices, default="fr")
    representative_name = models.CharField(
        _("representative"),
        max_length=200,
        blank=True,
        help_text=_("Person acting for the data subject (EDPB Guidelines 01/2022, §§80-81)."),
    )
    representative_authority = models.TextField(
        _("proof of authority"),
        blank=True,
        help_text=_(
            "What shows the representative's authority (mandate, power of attorney…) "
            "(EDPB Guidelines 01/2022, §§80-81)."
        ),
    )
    oral_summary = models.TextField(
        _("written summary of the oral request"),
        blank=True,
        help_text=_("Required for phone and in-person requests (Art. 12(1))."),
    )
    first_due_on = models.DateField(_("one-month due date"), help_text=_("Art. 12(3), after pauses."))
    ceiling_due_on = models.DateField(
        _("three-month ceiling"), help_text=_("At most two further months (Art. 12(3)), after pauses.")
    )
    due_on = models.DateField(_("due date"), db_index=True)
    paused_days = models.PositiveIntegerField(_("paused calendar days"), default=0)
    identity_request_late = models.BooleanField(
        _("identity/clarification asked late"),
        default=False,
        help_text=_(
            "Asked more than 3 working days after receipt: the pause may not hold (EDPB Guidelines 01/2022, §159)."
        ),
    )
    fee_amount = models.DecimalField(
        _("fee (EUR)"),
        max_digits=8,
        decimal_places=2,
        default=0,
        help_text=_("Free of charge by default (Art. 12(5))."),
    )
    closed_on = models.DateField(_("response or closure date"), null=True, blank=True)
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("The staff member who handles the request until it is answered (Art. 12(3))."),
    )

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["due_on", "id"]
        permissions = [
            ("decide_request", _("Approve, refuse or close a request (DPO)")),
            ("extend_request", _("Extend a request's deadline (DPO)")),
            ("charge_fee", _("Charge a fee for further copies (DPO)")),
            ("verify_identity", _("Run identity checks")),
            ("send_letter", _("Send letters to the requester")),
        ]
        indexes = [
            models.Index(fields=["state", "due_on"], name="dsar_request_state_due"),
            # The dashboard's shares read the requests answered in the last year (R1.16.3).
            models.Index(
                fields=["closed_on"], name="dsar_request_closed_on", condition=models.Q(closed_on__isnull=False)
            ),
            models.Index(fields=["-received_on", "-id"], name="dsar_request_triage", condition=TRIAGE_Q),
        ]

    def __str__(self) -> str:
        return _("Request #%(id)s") % {"id": self.pk}

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def contact_email(self) -> str:
        return (self.subject.email if self.subject_id and self.subject.email else "") or self.requester_email

    def clean(self) -> None:
        errors = {}
        if self.received_on and self.received_on > timezone.localdate():
            errors["received_on"] = _("The receipt date cannot be in the future.")
        if self.channel in ORAL_CHANNELS and not self.oral_summary.strip():
            errors["oral_summary"] = _("An oral request needs a written summary (Art. 12(1)).")
        if not self.subject_id and not (self.requester_name or self.requester_email or self.requester_address):
            errors["requester_name"] = _("Link a data subject or give the requester's details.")
        if self.representative_name and not self.representative_authority.strip():
            errors["representative_authority"] = _(
                "Record the representative's proof of authority (EDPB Guidelines 01/2022, §§80-81)."
            )
        if errors:
            raise ValidationError(errors)


class RequestItem(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="items")
    right = models.CharField(_("right"), max_length=30, choices=Right.choices)
    details = models.TextField(_("details"), blank=True, help_text=_("No reason may be required (Art. 12(5))."))

    class Meta:
        verbose_name = _("right asked")
        verbose_name_plural = _("rights asked")
        constraints = [models.UniqueConstraint(fields=["request", "right"], name="dsar_item_one_per_right")]

    def __str__(self) -> str:
        return self.get_right_display()


class RequestEvent(models.Model):
    """The request's timeline: append-only; the actor's name survives the account (SET_NULL)."""

    class Kind(models.TextChoices):
        LOGGED = "logged", _("Logged")
        TRANSITION = "transition", _("State change")
        NOTE = "note", _("Note")
        PAUSE = "pause", _("Clock paused")
        RESUME = "resume", _("Clock resumed")
        EXTENSION = "extension", _("Extension")
        IDENTITY = "identity", _("Identity check")
        DECISION = "decision", _("DPO decision")
        FEE = "fee", _("Fee")
        LETTER = "letter", _("Letter sent")
        EXPORT = "export", _("Export")
        WARNING = "warning", _("Warning")
        ASSIGNED = "assigned", _("Owner assigned")
        SEARCH = "search", _("Data sources searched")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor_username = models.CharField(_("who"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    written_in = written_in_field()

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline")
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("Timeline events are append-only."))
        if self.reason and not self.written_in:
            self.written_in = writing_language()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Timeline events are append-only."))


class ClockPause(models.Model):
    """Time waiting for the requester (R1.4.1); never for internal reasons (R1.4.4)."""

    class Reason(models.TextChoices):
        IDENTITY = "identity", _("Identity information asked (Art. 12(6))")
        CLARIFICATION = "clarification", _("Clarification asked, voluminous data (Recital 63)")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    started_on = models.DateField(_("information requested on"))
    ended_on = models.DateField(_("information received on"), null=True, blank=True)

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=Q(ended_on__isnull=True), name="dsar_pause_one_open_per_request"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="dsar_pause_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} #{self.pk}"

    @property
    def days(self) -> int:
        return (self.ended_on - self.started_on).days if self.ended_on else 0


class IdentityCheck(models.Model):
    """A proportionate identity check (R1.5). There is deliberately no file field (R1.5.3)."""

    class Method(models.TextChoices):
        PLATFORM_SESSION = "platform_session", _("Authenticated platform or website session")
        EMAIL_LINK = "email_link", _("One-time link to the e-mail on file")
        PHONE_CALLBACK = "phone_callback", _("Callback to the number on file: the person confirmed")
        DOCUMENT = "document", _("Staff check of an identity document (DPO justification)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        VERIFIED = "verified", _("Verified")
        FAILED = "failed", _("Failed")

    class DocumentType(models.TextChoices):
        ID_CARD = "id_card", _("National identity card")
        PASSPORT = "passport", _("Passport")
        RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
        DRIVING_LICENCE = "driving_licence", _("Driving licence")
        OTHER = "other", _("Other official document")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="identity_checks")
    doubt_reason = models.TextField(
        _("reason for doubt"), help_text=_("Verification only on reasonable doubts (Art. 12(6)).")
    )
    method = models.CharField(_("verification method"), max_length=20, choices=Method.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    document_justification = models.TextField(
        _("DPO justification for a document check"),
        blank=True,
        help_text=_(
            "Necessity and proportionality, e.g. risk of wrongful disclosure (EDPB Guidelines 01/2022, §§73-79)."
        ),
    )
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    token_expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    document_type = models.CharField(_("document type"), max_length=20, choices=DocumentType.choices, blank=True)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_by_username = models.CharField(_("checked by"), max_length=150, blank=True)
    copy_deleted_on = models.DateField(
        _("copy received deleted on"),
        null=True,
        blank=True,
        help_text=_(
            "A copy of the document that arrived by e-mail is deleted right after the check "
            "(EDPB Guidelines 01/2022, §§73-79)."
        ),
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)

    class Meta:
        verbose_name = _("identity check")
        verbose_name_plural = _("identity checks")
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} #{self.pk}"


class Extension(models.Model):
    """Two further months (Art. 12(3), R1.3); one per request."""

    class Reason(models.TextChoices):
        LARGE_VOLUME = "large_volume", _("Large volume of data (EDPB 01/2022 §163)")
        SPREAD_ACROSS_UNITS = "spread_across_units", _("Data spread across units (§163)")
        REDACTION_NEEDED = "redaction_needed", _("Redaction of others' data needed (§163)")
        INTELLIGIBILITY = "intelligibility", _("Work needed to make the data intelligible (§163)")

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="extension")
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    explanation = models.TextField(_("explanation given to the requester"))
    written_in = written_in_field()
    notice_sent_on = models.DateField(_("notice sent on"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"{self.get_reason_display()} #{self.pk}"

    def save(self, *args, **kwargs):
        if self.explanation and not self.written_in:
            self.written_in = writing_language()
        super().save(*args, **kwargs)


class Decision(models.Model):
    """A DPO decision on a request or one of its rights, with its written reasons (R1.6.3-R1.6.5)."""

    class Kind(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")
        FEE = "fee", _("Fee for further copies (Art. 15(3))")
        CLOSED_UNVERIFIED = "closed_unverified", _("Closed, identity not verified")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="decisions")
    item = models.ForeignKey(RequestItem, on_delete=models.CASCADE, null=True, blank=True, related_name="decisions")
    kind = models.CharField(_("decision"), max_length=20, choices=Kind.choices)
    ground = models.CharField(_("ground"), max_length=20, choices=RefusalGround.choices, blank=True)
    justification = models.TextField(_("justification"))
    written_in = written_in_field()
    amount = models.DecimalField(_("amount (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_by_username = models.CharField(_("approver"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def save(self, *args, **kwargs):
        if self.justification and not self.written_in:
            self.written_in = writing_language()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.kind == self.Kind.REFUSED:
            if self.item_id is None:
                raise ValidationError({"item": _("A refusal names the right it refuses.")})
            allowed = GROUNDS_BY_RIGHT.get(self.item.right, frozenset())
            if not allowed:
                raise ValidationError({"ground": _("This right cannot be refused: no refusal ground exists for it.")})
            if self.ground not in allowed:
                raise ValidationError({"ground": _("This ground is not allowed for this right.")})


class Letter(models.Model):
    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
        IDENTITY_REQUEST = "identity_request", _("Identity information request (Art. 12(6))")
        CLARIFICATION_REQUEST = "clarification_request", _("Clarification request (Recital 63)")
        EXTENSION_NOTICE = "extension_notice", _("Extension notice (Art. 12(3))")
        REFUSAL = "refusal", _("Refusal (Art. 12(4))")
        RESPONSE = "response", _("Response cover letter")
        FEE_NOTICE = "fee_notice", _("Fee notice, further copies (Art. 15(3))")
        ERASURE_REPORT = "erasure_report", _("Erasure report: erased, kept, why and until when (Art. 17(3))")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(_("letter"), max_length=30, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    sent_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    sent_by_username = models.CharField(_("sent by"), max_length=150, blank=True)
    pdf = models.FileField(
        _("PDF (encrypted)"), upload_to="letters/", blank=True, help_text=_("Read through the audited admin view only.")
    )

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class WebSubmission(models.Model):
    """A request typed on the public page, waiting for its e-mail confirmation (single-use link).

    It becomes a ``Request`` (channel web form, received on the submission day, R1.1.2) only once
    the link is followed; submissions are deleted after expiry.
    """

    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    rights = models.JSONField(_("rights asked"), default=list)
    details = models.TextField(_("details"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default="fr")
    nonce_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    request = models.OneToOneField(Request, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("web submission")
        verbose_name_plural = _("web submissions")

    def __str__(self) -> str:
        return _("Web submission #%(id)s") % {"id": self.pk}


class ExportJobQuerySet(models.QuerySet):
    def live(self) -> ExportJobQuerySet:
        """Jobs whose file has not been purged."""
        return self.filter(purged_at__isnull=True)

    def needing_attention(self, *, now=None) -> ExportJobQuerySet:
        """Failed, stuck (worker gone) or waiting for the queue: what the DPO's dashboard lists."""
        return self.live().filter(
            Q(status=ExportJob.Status.FAILED) | jobs.stuck_q(now) | Q(status=ExportJob.Status.PENDING)
        )

    def expired(self, *, now=None) -> ExportJobQuerySet:
        now = now or timezone.now()
        return self.live().filter(expires_at__lt=now)


class ExportJob(BackgroundJob):
    """One export of a subject's data, built by a worker on the ``exports`` queue (R1.7, R1.8).

    The row is the job: a worker claims it by moving it from pending to running, so another delivery
    finds it done or taken and does nothing (idempotent); a redelivery of the task that owns it, or
    any delivery once its heartbeat is stale, takes it over (``ijinus_privacy.jobs``). The file lives under
    ``MEDIA_ROOT/exports/``, encrypted (Fernet), with the SHA-256 of its plain content; ``__str__``
    and ``error_code`` never hold personal data.
    """

    class Kind(models.TextChoices):
        ACCESS_PDF = "access_pdf", _("Access copy, PDF (Art. 15)")
        ACCESS_JSON = "access_json", _("Access copy, JSON (Art. 15)")
        PORTABILITY = "portability", _("Portability, JSON + CSV zip (Art. 20)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, null=True, blank=True, related_name="export_jobs", verbose_name=_("request")
    )
    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("data subject")
    )
    kind = models.CharField(_("format"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default="fr")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file_path = models.CharField(_("file (under MEDIA_ROOT)"), max_length=300, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256 of the content"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    record_count = models.PositiveIntegerField(_("records"), null=True, blank=True)
    redaction_count = models.PositiveIntegerField(
        _("redactions (Art. 15(4))"),
        default=0,
        help_text=_("Third-party data redacted (Art. 15(4)): a partial refusal to state in the response (Art. 12(4))."),
    )
    error_code = models.CharField(_("error"), max_length=100, blank=True, help_text=_("A code, never personal data."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("file deleted after"), null=True, blank=True)
    purged_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved by the DPO at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by_username = models.CharField(_("approved by"), max_length=150, blank=True)
    sent_at = models.DateTimeField(_("link e-mailed at"), null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True, editable=False)
    code_expires_at = models.DateTimeField(_("download code expires at"), null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    codes_sent = models.PositiveSmallIntegerField(_("codes sent"), default=0)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("approve_export", _("Approve and send an export to the data subject (DPO)")),
            ("download_export", _("Download an export from the admin (audited)")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind"],
                condition=Q(purged_at__isnull=True, request__isnull=False),
                name="dsar_export_one_live_per_request_kind",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="dsar_export_status_created")]

    def __str__(self) -> str:
        return _("Export #%(id)s") % {"id": self.pk}

    @property
    def is_stuck(self) -> bool:
        """Running, but no worker has given a sign of life for ``JOB_STALE_SECONDS``."""
        last_sign = self.heartbeat_at or self.started_at
        return self.status == self.Status.RUNNING and (last_sign is None or last_sign < jobs.stale_before())

    @property
    def progress_label(self) -> str:
        """The status, and why a job waits or stopped: what the DPO needs to decide on a restart."""
        if self.is_stuck:
            return _("Stuck: its worker stopped (restarted automatically within minutes, or restart it)")
        if self.status == self.Status.PENDING and self.dispatched_at is None:
            return _("Pending: queued, will start when the worker is back")
        if self.status == self.Status.FAILED:
            return _("Failed (%(code)s): restart it once the cause is fixed") % {"code": self.error_code or "?"}
        return self.get_status_display()

    @property
    def can_restart(self) -> bool:
        return self.purged_at is None and (self.status == self.Status.FAILED or self.is_stuck)

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.DONE and self.purged_at is None and bool(self.file_path)

    @property
    def filename(self) -> str:
        extension = {self.Kind.ACCESS_PDF: "pdf", self.Kind.ACCESS_JSON: "json", self.Kind.PORTABILITY: "zip"}
        return f"ijinus-{self.kind.replace('_', '-')}-{self.pk}.{extension[self.kind]}"

    @property
    def content_type(self) -> str:
        return {
            self.Kind.ACCESS_PDF: "application/pdf",
            self.Kind.ACCESS_JSON: "application/json",
            self.Kind.PORTABILITY: "application/zip",
        }[self.kind]


def open_request_exists(subject_ref: str = "pk") -> models.Exists:
    """Condition ``AUTOMATIC_JOBS_SUSPENDED`` (``ijinus_privacy.conditions``): a request still open (R1.7.7)."""
    return models.Exists(Request.objects.open().filter(subject_id=models.OuterRef(subject_ref)))
