import re
from datetime import date, datetime

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.admin import GuardedViewsMixin, LabelledTabularInline, PersonalDataAdminMixin, ReadOnlyModelAdmin
from ijinus_privacy.admin_scale import ScaledAdminMixin
from subjects.person_page import PersonLabelledAdminMixin, person_label
from subjects.sources import ContractSource, InvoiceSource, OrderSource

from . import (
    admin_person,  # noqa: F401  (the person's page: legal holds, retention)
    forwarding,
    services,
)
from .forms import ArchiveConsultForm
from .models import (
    ArchivedSubject,
    LegalHold,
    RetentionRule,
    RetentionRuleVersion,
    SweepRun,
)


class RetentionRuleVersionInline(LabelledTabularInline):
    model = RetentionRuleVersion
    fields = ("version", "changed_fields", "changed_by", "changed_at", "previous_state")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "role",
        "trigger",
        "active_months",
        "end_of_active_action",
        "archive_months",
        "final_action",
        "binding",
        "enabled",
        "approval",
        "version",
    )
    list_filter = ("scope", "binding", "end_of_active_action", "enabled", "requires_approval")
    search_fields = ("code", "purpose", "data_category")
    readonly_fields = ("version", "approved_by", "approved_at")
    show_full_result_count = False
    inlines = [RetentionRuleVersionInline]
    actions = ["approve_rules"]
    fieldsets = (
        (None, {"fields": ("code", "scope", "role", "sweeper", "purpose", "data_category", "register_entry")}),
        (
            _("Periods (Art. 5(1)(e))"),
            {"fields": ("trigger", "active_months", "end_of_active_action", "archive_months", "final_action")},
        ),
        (_("Grounds"), {"fields": ("binding", "source_reference", "justification", "dpo_flag")}),
        (_("Running the rule"), {"fields": ("enabled", "requires_approval", "approved_by", "approved_at", "version")}),
    )

    @admin.display(description=_("approval"))
    def approval(self, rule: RetentionRule) -> str:
        if not rule.requires_approval:
            return "—"
        return _("approved") if rule.approved_at else _("awaiting DPO approval")

    def save_model(self, request, obj, form, change):
        # The form has validated; the service versions the previous state, audits, resets approval.
        try:
            if change:
                changes = {name: form.cleaned_data[name] for name in form.changed_data}
                saved = services.rule_update(
                    rule=RetentionRule.objects.get(pk=obj.pk), changes=changes, actor=request.user
                )
            else:
                saved = services.rule_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        obj.pk, obj.version = saved.pk, saved.version
        obj._state.adding = False

    @admin.action(description=_("Approve committed runs of the selected rules"), permissions=["approve"])
    def approve_rules(self, request, queryset):
        for rule in queryset:
            try:
                services.rule_approve(rule=rule, actor=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return
        self.message_user(request, _("Approved."), messages.SUCCESS)

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("retention.approve_retentionrule")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # disable a rule instead: its runs and versions refer to it


# What the intermediate archive keeps of a client (LEGAL.md's table: contract-execution data,
# invoices 10 years, C. com. L.123-22): shown first when the archivist opens a person.
KEPT_SOURCES = (ContractSource.name, InvoiceSource.name, OrderSource.name)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _shown(value):
    """A collected value as the archivist reads it: dates in the page's format, blanks as a dash."""
    if isinstance(value, str) and ISO_DATE.match(value):
        return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if isinstance(value, str) and len(value) > 18 and ISO_DATE.match(value[:10]) and value[10] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    if value in (None, ""):
        return "—"
    return value


def archived_sections(subject_id: int) -> list[dict]:
    """Everything held about an archived person, from the registry (R4.4.2): one table per kind of
    record (a contract, an invoice, a payment...), what the archive keeps first (``kept``)."""
    from ijinus_privacy.personal_data import registry

    sections = []
    for source in registry:
        collected = source.collect(subject_id)
        by_kind: dict[str, list[dict]] = {}
        for record in collected.records:
            by_kind.setdefault(str(record.get("record", "")), []).append(record)
        for kind, records in by_kind.items():
            keys = [key for key in dict.fromkeys(key for record in records for key in record) if key != "record"]
            sections.append(
                {
                    "label": collected.label,
                    "kind": kind,
                    "kept": source.name in KEPT_SOURCES,
                    "columns": [collected.field_labels.get(key, key) for key in keys],
                    "rows": [[_shown(record.get(key)) for key in keys] for record in records],
                }
            )
    return sorted(sections, key=lambda section: not section["kept"])


@admin.register(ArchivedSubject)
class ArchivedSubjectAdmin(GuardedViewsMixin, ReadOnlyModelAdmin):
    """Only the Archivist sees this list; the data itself opens through a reasoned, audited form."""

    list_display = ("subject_id", "rule", "archived_at", "archive_until", "consult_link")
    list_select_related = ("rule",)
    search_number_fields = ("subject_id",)
    search_help_text = _("A subject number (123 or n° 123).")
    fields = ("subject_id", "rule", "archived_at", "archive_until")
    readonly_fields = fields

    @admin.display(description=_("consult"))
    def consult_link(self, archived: ArchivedSubject) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:retention_archivedsubject_consult", args=[archived.pk]), _("consult")
        )

    def get_urls(self):
        return [
            self.guarded_path(
                "<int:pk>/consult/",
                self.consult_view,
                name="retention_archivedsubject_consult",
                permission="retention.access_archive",
            ),
            *super().get_urls(),
        ]

    def consult_view(self, request, pk: int):
        archived = get_object_or_404(ArchivedSubject.objects.select_related("subject", "rule"), pk=pk)
        form = ArchiveConsultForm(request.POST or None)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Consult archived subject #%(id)s") % {"id": archived.subject_id},
            "archived": archived,
            "form": form,
            "opts": self.model._meta,
        }
        if request.method == "POST" and form.is_valid():
            try:
                subject = services.archive_consult(
                    archived=archived,
                    reason=form.cleaned_data["reason"],
                    reference=form.cleaned_data["reference"],
                    actor=request.user,
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return redirect(request.path)
            context["subject"] = subject
            context["subject_label"] = person_label(subject)
            context["sections"] = archived_sections(subject.pk)
        return TemplateResponse(request, "retention/archive_consult.html", context)


@admin.register(LegalHold)
class LegalHoldAdmin(PersonLabelledAdminMixin, PersonalDataAdminMixin, ScaledAdminMixin, admin.ModelAdmin):
    list_display = ("id", "subject_id", "reason", "reference", "owner", "started_on", "review_on", "lifted_at")
    list_filter = ("reason",)
    list_select_related = ("owner",)
    raw_id_fields = ("subject",)
    search_fields = ("=reference",)
    search_number_fields = ("subject_id",)
    search_help_text = _("A subject number (123 or n° 123) or a case reference.")
    fields = (
        "subject",
        "reason",
        "reference",
        "object_type",
        "object_id",
        "owner",
        "started_on",
        "review_on",
        "lifted_at",
        "lifted_by",
    )
    actions = ["lift_holds"]

    def get_readonly_fields(self, request, obj=None):
        return ("lifted_at", "lifted_by", *(self.fields if obj else ()))

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # lift a hold instead: it stays as proof

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        hold = services.hold_place(
            subject=data["subject"],
            reason=data["reason"],
            reference=data.get("reference", ""),
            object_type=data.get("object_type", ""),
            object_id=data.get("object_id", ""),
            owner=data.get("owner") or request.user,
            started_on=data.get("started_on"),
            review_on=data["review_on"],
            actor=request.user,
        )
        obj.pk = hold.pk

    @admin.action(description=_("Lift the selected holds"), permissions=["change"])
    def lift_holds(self, request, queryset):
        for hold in queryset.filter(lifted_at__isnull=True):
            try:
                services.hold_lift(hold=hold, actor=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return
        self.message_user(request, _("Lifted; due actions run at the next sweep."), messages.SUCCESS)


@admin.register(SweepRun)
class SweepRunAdmin(GuardedViewsMixin, ReadOnlyModelAdmin):
    """The runs, and the DPO's button to run one (R4.7.1): a dry run first, read rule by rule, then its
    commit; both in the background, their page following the run live (``retention.services.launching``)."""

    change_form_template = "admin/retention/sweeprun/change_form.html"
    change_list_template = "admin/retention/sweeprun/change_list.html"
    list_display = (
        "id",
        "started_at",
        "as_of",
        "mode",
        "origin",
        "status",
        "summary",
    )
    list_filter = ("committed", "status", "origin")
    list_select_related = ("rule",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "as_of",
                    "mode",
                    "origin",
                    "rule",
                    "status",
                    "started_at",
                    "finished_at",
                    "duration",
                    "resumes",
                    "resumed_by_run",
                    "heartbeat_at",
                )
            },
        ),
        (_("What the run did, rule by rule"), {"fields": ("counts_table", "skipped_list", "errors_list")}),
        (_("Batches (each one short transaction)"), {"fields": ("batches", "worst_batch_seconds")}),
    )
    readonly_fields = (
        "as_of",
        "mode",
        "origin",
        "rule",
        "status",
        "started_at",
        "finished_at",
        "duration",
        "counts_table",
        "skipped_list",
        "errors_list",
        "batches",
        "worst_batch_seconds",
        "resumes",
        "resumed_by_run",
        "heartbeat_at",
    )

    def get_urls(self):
        permission = services.launching.RUN_PERMISSION
        return [
            self.guarded_path("run/", self.run_view, name="retention_sweeprun_run", permission=permission),
            self.guarded_path(
                "launched/<uuid:task_id>/",
                self.launched_view,
                name="retention_sweeprun_launched",
                permission=permission,
            ),
            self.guarded_path(
                "<int:pk>/commit/", self.commit_view, name="retention_sweeprun_commit", permission=permission
            ),
            *super().get_urls(),
        ]

    def _launch(self, request, *, commit: bool, dry_run: SweepRun | None = None):
        try:
            task_id = services.sweep_launch(commit=commit, actor=request.user, dry_run=dry_run)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            if dry_run is not None:
                return redirect("admin:retention_sweeprun_change", dry_run.pk)
            return redirect("admin:retention_sweeprun_run")
        return redirect("admin:retention_sweeprun_launched", task_id)

    def run_view(self, request):
        """GET: what a sweep does and the button; POST: start the dry run."""
        if request.method == "POST":
            return self._launch(request, commit=False)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Run a retention sweep"),
            "opts": self.model._meta,
            "sweep_running": services.sweep_running(),
        }
        return TemplateResponse(request, "admin/retention/sweeprun/run.html", context)

    def launched_view(self, request, task_id):
        """Waits (reloading itself) until a worker has created the run, then opens the run's page."""
        run = services.sweep_launched(str(task_id))
        if run is not None:
            return redirect("admin:retention_sweeprun_change", run.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Retention sweep queued"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/retention/sweeprun/launched.html", context)

    def commit_view(self, request, pk: int):
        """POST only: commit the dry run the DPO has just read."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return self._launch(request, commit=True, dry_run=get_object_or_404(SweepRun, pk=pk))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = SweepRun.objects.filter(pk=object_id).first() if self.has_view_permission(request) else None
        extra: dict = {}
        if run is not None:
            done, total = services.launching_progress(run)
            live = run.status == SweepRun.Status.RUNNING
            may_run = request.user.has_perm(services.launching.RUN_PERMISSION)
            refusal = services.committable(run) if may_run and not run.committed else ""
            extra = {
                "sweep_live": live,
                "sweep_done_rules": done,
                "sweep_total_rules": total,
                "sweep_percent": round(100 * done / total) if total else 100,
                "sweep_can_commit": may_run and not run.committed and not live and not refusal,
                "sweep_commit_refusal": refusal if may_run and not live else "",
                # The copies in the connected systems of the people this run disposed of (R4.7.2).
                "sweep_forwarded": [
                    {
                        "report": report,
                        "url": report.url if request.user.has_perm("connectors.view_connectortask") else "",
                    }
                    for report in forwarding.forwarded(run)
                ],
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    @admin.display(description=_("resumed by"))
    def resumed_by_run(self, run: SweepRun) -> str:
        """An interrupted run's work was finished by this later run."""
        later = run.resumed_by.order_by("id").first()
        if later is None:
            return "-"
        url = reverse("admin:retention_sweeprun_change", args=[later.pk])
        return format_html('<a href="{}">{}</a>', url, later)

    @admin.display(description=_("mode"), ordering="committed")
    def mode(self, run: SweepRun) -> str:
        return _("Committed") if run.committed else _("Dry run (nothing changed)")

    @admin.display(description=_("people"))
    def summary(self, run: SweepRun) -> str:
        """What happened to people, at a glance; the page of the run has everything, rule by rule."""
        done = [(key, run.total(key)) for key in PEOPLE_OUTCOMES]
        labels = SWEEP_OUTCOMES if run.committed else SWEEP_OUTCOMES_DRY
        return ", ".join(_counted(labels[key], total) for key, total in done if total) or "-"

    @admin.display(description=_("duration"))
    def duration(self, run: SweepRun) -> str:
        if run.finished_at is None:
            return "-"
        return _("%(seconds).1f s") % {"seconds": (run.finished_at - run.started_at).total_seconds()}

    @admin.display(description=_("counts per rule and action"))
    def counts_table(self, run: SweepRun) -> str:
        if not run.counts:
            return "-"
        names = dict(RetentionRule.objects.filter(code__in=run.counts).values_list("code", "purpose"))
        rows = format_html_join(
            "",
            "<tr><td><strong>{}</strong><br><small>{}</small></td><td>{}</td></tr>",
            (
                (code, names.get(code, ""), _outcomes(counts, committed=run.committed))
                for code, counts in sorted(run.counts.items())
            ),
        )
        return format_html(
            '<table class="sweep-counts"><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>',
            _("rule"),
            _("what happened") if run.committed else _("what would happen (nothing was changed)"),
            rows,
        )

    @admin.display(description=_("rules skipped, with why"))
    def skipped_list(self, run: SweepRun) -> str:
        if not run.skipped:
            return "-"
        items = format_html_join("", "<li><strong>{}</strong>: {}</li>", sorted(run.skipped.items()))
        return format_html("<ul>{}</ul>", items)

    @admin.display(description=_("errors"))
    def errors_list(self, run: SweepRun) -> str:
        if not run.errors:
            return "-"
        items = ((error.get("rule", "?"), error.get("error", "?")) for error in run.errors)
        return format_html(
            "<ul>{}</ul><p>{}</p>",
            format_html_join("", "<li><strong>{}</strong>: {}</li>", items),
            _("Batches already committed stay done; a new run finishes the work."),
        )


# The sweep's outcome keys (retention.services.sweeping and the record sweepers), as a DPO reads them.
SWEEP_OUTCOMES = {
    "subjects_deleted": _("people deleted"),
    "subjects_anonymised": _("people anonymised"),
    "subjects_archived": _("people archived"),
    "roles_ended": _("roles ended"),
    "source_rows": _("related rows deleted or blanked"),
    "records_deleted": _("navigation records deleted"),
    "interests_due_for_review": _("assumed interests flagged for review"),
    "interests_deleted": _("assumed interests deleted"),
    "marketing_bases_deleted": _("marketing bases deleted"),
    "export_files_deleted": _("export files deleted"),
}


# The same for a dry run: what would happen, since nothing did.
SWEEP_OUTCOMES_DRY = {
    "subjects_deleted": _("people would be deleted"),
    "subjects_anonymised": _("people would be anonymised"),
    "subjects_archived": _("people would be archived"),
    "roles_ended": _("roles would end"),
    "source_rows": _("related rows would be deleted or blanked"),
    "records_deleted": _("navigation records would be deleted"),
    "interests_due_for_review": _("assumed interests would be flagged for review"),
    "interests_deleted": _("assumed interests would be deleted"),
    "marketing_bases_deleted": _("marketing bases would be deleted"),
    "export_files_deleted": _("export files would be deleted"),
}


PEOPLE_OUTCOMES = ("subjects_deleted", "subjects_anonymised", "subjects_archived")


def _outcomes(counts: dict[str, int], *, committed: bool = True) -> str:
    labels = SWEEP_OUTCOMES if committed else SWEEP_OUTCOMES_DRY
    shown = [(labels.get(key, key), value) for key, value in counts.items() if value]
    if not shown:
        return _("nothing due")
    return "; ".join(_counted(label, value) for label, value in shown)


def _counted(label, count: int) -> str:
    return _("%(label)s: %(count)s") % {"label": label, "count": count}
