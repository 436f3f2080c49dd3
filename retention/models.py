"""Retention rules, the intermediate archive, legal holds and sweep runs (LEGAL R4.1-R4.7).

Three phases per data subject (R4.4.1): *active* (no row here), *intermediate archive* (an
``ArchivedSubject`` row: visible to the Archivist role only, each access with a reason, R4.4.2) and
*gone* (deleted, or irreversibly anonymised, R4.4.3). Apps below retention keep archived subjects
out of their operational lists, searches, exports and marketing queries through the condition this
app registers (``ijinus_privacy.conditions.ARCHIVED``); ``active_subjects()`` / ``exclude_archived()``
below say the same for code on this floor and above.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.dates import expiry_cutoff
from ijinus_privacy.jobs import OwnedRun
from subjects.models import DataSubject, SubjectRole


class Trigger(models.TextChoices):
    """Events a retention clock starts from (R4.2). "X or last contact" = the later of the two."""

    COLLECTION = "collection", _("Collection")
    LAST_CONTACT = "last_contact", _("Collection or last inbound contact, whichever is later")
    CONTRACT_END = "contract_end", _("Contract end")
    CONTRACT_END_OR_CONTACT = "contract_end_or_contact", _("Contract end or last inbound contact, whichever is later")
    UNSUBSCRIPTION_OR_CONTACT = (
        "unsubscription_or_contact",
        _("Unsubscription or last inbound contact, whichever is later"),
    )
    DELIVERY_OR_CONTACT = "delivery_or_contact", _("Product delivery or last inbound contact, whichever is later")
    TRACKER_SET = "tracker_set", _("Tracker (cookie) set")
    INTEREST_UPDATE = "interest_update", _("Assumed-interest update")
    RECEIPT = "receipt", _("Receipt")
    END_OF_PROCESSING = "end_of_processing", _("End of processing")
    EVENT = "event", _("Logged event")
    CLOSURE = "closure", _("File closure")
    EXPIRY = "expiry", _("Expiry date of the record")


# Role triggers: (SubjectRole date field, date that may postpone it) — R4.2 "whichever is later".
ROLE_TRIGGER_FIELDS: dict[str, tuple[str, str | None]] = {
    Trigger.COLLECTION: ("collected_on", None),
    Trigger.LAST_CONTACT: ("collected_on", "last_inbound_contact_on"),
    Trigger.CONTRACT_END: ("contract_end_on", None),
    Trigger.CONTRACT_END_OR_CONTACT: ("contract_end_on", "last_inbound_contact_on"),
    Trigger.UNSUBSCRIPTION_OR_CONTACT: ("unsubscribed_on", "last_inbound_contact_on"),
    Trigger.DELIVERY_OR_CONTACT: ("product_delivered_on", "last_inbound_contact_on"),
}


class Action(models.TextChoices):
    NONE = "none", _("No automatic action (documented period)")
    DELETE = "delete", _("Delete")
    ANONYMISE = "anonymise", _("Anonymise irreversibly")
    ARCHIVE = "archive", _("Move to intermediate archive")
    REVIEW = "review", _("Flag for review")


class Binding(models.TextChoices):
    STATUTORY = "statutory", _("Statutory")
    CNIL_RECOMMENDED = "cnil_recommended", _("CNIL-recommended")
    INTERNAL = "internal", _("Internal decision")


class Scope(models.TextChoices):
    ROLE = "role", _("Subject role (the person's link to the purpose)")
    RECORDS = "records", _("Records swept by the owning app")


class RetentionRuleQuerySet(models.QuerySet):
    def enabled(self) -> RetentionRuleQuerySet:
        return self.filter(enabled=True)

    def role_rules(self) -> RetentionRuleQuerySet:
        return self.filter(scope=Scope.ROLE)


class RetentionRule(models.Model):
    """One row of the policy's retention table (R4.1.1, R4.3)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.ROLE)
    role = models.CharField(
        _("subject role"),
        max_length=30,
        choices=SubjectRole.Role.choices,
        blank=True,
        help_text=_("The role whose data this rule governs (Art. 5(1)(b), (e): per subject and purpose)."),
    )
    purpose = models.CharField(_("purpose"), max_length=255)
    data_category = models.CharField(_("data category"), max_length=255)
    register_entry = models.CharField(
        _("register entry"),
        max_length=60,
        blank=True,
        help_text=_("Code of the processing activity (Art. 30(1)(f)) this rule implements."),
    )
    sweeper = models.CharField(
        _("record sweeper"),
        max_length=100,
        blank=True,
        help_text=_("Name of the record sweeper registered by the owning app (records scope only)."),
    )
    trigger = models.CharField(_("trigger"), max_length=30, choices=Trigger.choices)
    active_months = models.PositiveIntegerField(
        _("active period (months)"),
        null=True,
        blank=True,
        help_text=_("Calendar months in the active base. Empty: not decided yet (the rule cannot run)."),
    )
    end_of_active_action = models.CharField(_("end-of-active action"), max_length=10, choices=Action.choices)
    archive_months = models.PositiveIntegerField(
        _("archive period (months)"), null=True, blank=True, help_text=_("Intermediate archive.")
    )
    final_action = models.CharField(
        _("final action"),
        max_length=10,
        choices=[(Action.DELETE, Action.DELETE.label), (Action.ANONYMISE, Action.ANONYMISE.label)],
        blank=True,
        help_text=_("At the end of the archive period (end_of_archive_action)."),
    )
    binding = models.CharField(_("binding force"), max_length=20, choices=Binding.choices)
    source_reference = models.CharField(_("source"), max_length=500)
    justification = models.TextField(_("justification"), blank=True)
    dpo_flag = models.TextField(_("⚑ flag for the DPO"), blank=True)
    requires_approval = models.BooleanField(
        _("requires approval"),
        default=False,
        help_text=_("The first committed run waits for the DPO's approval."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = RetentionRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["code"]
        permissions = [("approve_retentionrule", _("Can approve a retention rule's committed runs"))]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.scope == Scope.ROLE:
            if not self.role:
                errors["role"] = _("A role rule names the role it governs.")
            if self.trigger not in ROLE_TRIGGER_FIELDS:
                errors["trigger"] = _("This trigger is not a dated fact of a subject role.")
            if self.end_of_active_action == Action.REVIEW:
                errors["end_of_active_action"] = _("Only record sweepers can flag records for review.")
        elif not self.sweeper:
            errors["sweeper"] = _("A records rule names the record sweeper that applies it.")
        if self.end_of_active_action == Action.ARCHIVE:
            if not self.archive_months:
                errors["archive_months"] = _("Archiving needs an archive period.")
            if not self.final_action:
                errors["final_action"] = _("Archiving needs a final action (Art. 5(1)(e)).")
        elif self.archive_months or self.final_action:
            errors["end_of_active_action"] = _("An archive period and final action apply only to archiving.")
        if self.enabled and self.active_months is None and self.end_of_active_action != Action.NONE:
            errors["active_months"] = _("Set the active period before enabling the rule.")
        if self.enabled and self.scope == Scope.ROLE and self.role:
            clash = RetentionRule.objects.filter(scope=Scope.ROLE, role=self.role, enabled=True).exclude(pk=self.pk)
            if clash.exists():
                errors["role"] = _("Another enabled role rule already governs this role.")
        if errors:
            raise ValidationError(errors)

    @property
    def awaiting_approval(self) -> bool:
        return self.requires_approval and self.approved_at is None

    @property
    def total_months(self) -> int:
        return (self.active_months or 0) + (self.archive_months or 0)

    def role_expired_q(self, today: date, months: int, prefix: str = "") -> Q:
        """SubjectRole rows whose clock of ``months`` has run out on ``today`` (trigger <= cutoff)."""
        main, postponing = ROLE_TRIGGER_FIELDS[self.trigger]
        cutoff = expiry_cutoff(today, months)
        q = Q(**{f"{prefix}{main}__isnull": False, f"{prefix}{main}__lte": cutoff})
        if postponing:
            q &= Q(**{f"{prefix}{postponing}__isnull": True}) | Q(**{f"{prefix}{postponing}__lte": cutoff})
        return q & Q(**{f"{prefix}role": self.role})


class RetentionRuleVersion(models.Model):
    """The state of a rule before each change: append-only (R4.7.1 proof of configuration)."""

    rule = models.ForeignKey(RetentionRule, on_delete=models.CASCADE, related_name="versions", verbose_name=_("rule"))
    version = models.PositiveIntegerField(_("version replaced"))
    previous_state = models.JSONField(_("previous state"))
    changed_fields = models.JSONField(_("changed fields"), default=list)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("retention rule version")
        verbose_name_plural = _("retention rule versions")
        ordering = ["rule", "-version"]
        constraints = [models.UniqueConstraint(fields=["rule", "version"], name="retention_rule_version_unique")]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"


class ArchivedSubjectQuerySet(models.QuerySet):
    def due(self, today: date) -> ArchivedSubjectQuerySet:
        return self.filter(archive_until__lte=today)


class ArchivedSubject(models.Model):
    """A subject in intermediate archive (R4.4.2). Only the Archivist role may see these rows."""

    subject = models.OneToOneField(
        DataSubject, on_delete=models.CASCADE, related_name="archive", verbose_name=_("subject")
    )
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule"))
    archived_at = models.DateTimeField(_("archived at"))
    archive_until = models.DateField(
        _("archive until"), help_text=_("Latest end of the archive periods of the subject's roles.")
    )

    objects = ArchivedSubjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("archived subject")
        verbose_name_plural = _("intermediate archive")
        ordering = ["-id"]
        default_permissions = ("view",)
        permissions = [("access_archive", _("Can consult archived data, with a reason"))]

    def __str__(self) -> str:
        return _("Archived subject #%(id)s") % {"id": self.subject_id}


class AccessReason(models.TextChoices):
    """Why the archivist opens archived data (R4.4.2: "consultées de manière ponctuelle et motivée")."""

    ACCOUNTING = "accounting", _("Accounting or tax control")
    DISPUTE = "dispute", _("Dispute or legal claim")
    AUTHORITY = "authority", _("Authority request")
    SUBJECT_REQUEST = "subject_request", _("Data-subject request")


# Reasons that name a file: the case, the authority's letter or the request it serves (R4.4.2, "motivée").
REASONS_NEEDING_A_REFERENCE = frozenset({AccessReason.DISPUTE, AccessReason.AUTHORITY, AccessReason.SUBJECT_REQUEST})

CASE_REFERENCE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9_./-]{0,40}$", _("A case or file number: letters, digits and _ . / - only (no personal data).")
)


class LegalHoldQuerySet(models.QuerySet):
    def in_force(self) -> LegalHoldQuerySet:
        return self.filter(lifted_at__isnull=True)

    def review_due(self, today: date) -> LegalHoldQuerySet:
        return self.in_force().filter(review_on__lte=today)


class LegalHold(models.Model):
    """Blocks every automatic action on the subject's data while in force (R4.5.1)."""

    class Reason(models.TextChoices):
        DISPUTE = "dispute", _("Dispute")
        CLAIM = "claim", _("Legal claim")
        AUTHORITY = "authority", _("Authority request")
        OPEN_REQUEST = "open_request", _("Open data-subject request")
        OTHER = "other", _("Other")

    subject = models.ForeignKey(
        DataSubject, on_delete=models.CASCADE, related_name="legal_holds", verbose_name=_("subject")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    reference = models.CharField(
        _("case reference"),
        max_length=40,
        blank=True,
        validators=[CASE_REFERENCE_VALIDATOR],
        help_text=_("File or case number; no personal data."),
    )
    object_type = models.CharField(
        _("record type"), max_length=100, blank=True, help_text=_("app_label.model when only some records are held.")
    )
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("started on"))
    review_on = models.DateField(_("review on"), help_text=_("Mandatory review date."))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["subject"], condition=Q(lifted_at__isnull=True), name="retention_hold_in_force")
        ]

    def __str__(self) -> str:
        return _("Legal hold #%(id)s") % {"id": self.pk}

    def clean(self) -> None:
        if self.started_on and self.review_on and self.review_on < self.started_on:
            raise ValidationError({"review_on": _("The review date cannot precede the start date.")})


class SweepRun(OwnedRun):
    """One sweep: a dry run or a committed run, with counts per rule and action (R4.7.1).

    Each committed batch leaves a ``SweepBatch`` row in its own transaction, so a run whose process
    was killed is marked interrupted with exactly what it did, and the next run says it resumed it.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed (partly done; a new run finishes the work)")
        INTERRUPTED = "interrupted", _("Interrupted (its process stopped; the next run finishes the work)")

    class Origin(models.TextChoices):
        BEAT = "beat", _("Nightly schedule")
        COMMAND = "command", _("Management command")
        ADMIN = "admin", _("Admin")
        OTHER = "other", _("Other")

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    as_of = models.DateField(_("as of"), help_text=_("The date the periods were computed for."))
    committed = models.BooleanField(_("committed"), help_text=_("False: a dry run that changed nothing."))
    rule = models.ForeignKey(
        RetentionRule, verbose_name=_("only rule"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.OTHER)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    counts = models.JSONField(_("counts per rule and action"), default=dict, blank=True)
    skipped = models.JSONField(_("rules skipped, with why"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    batches = models.PositiveIntegerField(_("batches"), default=0)
    worst_batch_seconds = models.FloatField(_("worst batch (s)"), default=0)
    resumes = models.ForeignKey(
        "self",
        verbose_name=_("resumes the interrupted run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resumed_by",
    )

    class Meta:
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")
        ordering = ["-id"]
        permissions = [("run_sweep", _("Run a retention sweep from the admin: dry run, then commit (DPO)"))]

    def __str__(self) -> str:
        return _("Sweep run #%(id)s") % {"id": self.pk}

    def total(self, action: str) -> int:
        return sum(per_rule.get(action, 0) for per_rule in self.counts.values())


class SweepBatch(models.Model):
    """What one committed batch of a run did, written in the batch's own transaction (counts only)."""

    run = models.ForeignKey(SweepRun, on_delete=models.CASCADE, related_name="batch_records")
    rule_code = models.CharField(_("rule"), max_length=60)
    counts = models.JSONField(_("counts"), default=dict)
    committed_at = models.DateTimeField(_("committed at"), default=timezone.now)

    class Meta:
        verbose_name = _("sweep batch")
        verbose_name_plural = _("sweep batches")
        ordering = ["id"]

    def __str__(self) -> str:
        return _("Batch #%(id)s of sweep run #%(run)s") % {"id": self.pk, "run": self.run_id}


def archived_subject_exists(subject_ref: str = "pk") -> Exists:
    return Exists(ArchivedSubject.objects.filter(subject_id=OuterRef(subject_ref)))


def active_subjects(queryset: models.QuerySet[DataSubject] | None = None) -> models.QuerySet[DataSubject]:
    """Subjects in the active base: use for every operational list, search, export and marketing query.

    The same rule as the ``ARCHIVED`` condition that lower apps ask for (``DataSubjectAdmin``,
    the marketing selection); child rows use ``exclude_archived(qs, "subject")`` (R4.4.2).
    """
    queryset = DataSubject.objects.all() if queryset is None else queryset
    return queryset.exclude(archived_subject_exists())


def exclude_archived(queryset: models.QuerySet, subject_field: str = "subject") -> models.QuerySet:
    return queryset.exclude(archived_subject_exists(f"{subject_field}_id"))


def held_subject_exists(subject_ref: str = "pk") -> Exists:
    """Subjects under a legal hold in force: no automatic action, no marketing (R4.5.1, R4.5.3)."""
    return Exists(LegalHold.objects.in_force().filter(subject_id=OuterRef(subject_ref)))
