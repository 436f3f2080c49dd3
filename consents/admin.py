"""Admin of the register of processing: the DPO edits, customer service views (R3.1, R5.2.1).

Saves go through ``consents.services`` so every change leaves a version and an audit event. Entries
are never deleted (retire them): the register keeps its history (R3.1.4).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.admin import GuardedViewsMixin, LabelledTabularInline, ReadOnlyModelAdmin

from . import services
from .consent_admin import register as _register_consent_admin
from .export import register_export, register_pdf_download, register_pdf_job_create
from .models import (
    ActivityDataCategory,
    Controller,
    DataCategory,
    LegalBasis,
    ProcessingActivity,
    Purpose,
    Recipient,
    RegisterExportJob,
    RegisterVersion,
    SecurityMeasure,
    SubjectCategory,
)

EXPORT_PERMISSION = "consents.export_register"


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PurposeInline(LabelledTabularInline):
    model = Purpose
    fields = ("description", "legal_basis", "legal_basis_detail", "balancing_test_reference")
    extra = 0


class DataCategoryInline(LabelledTabularInline):
    model = ActivityDataCategory
    fields = ("category", "retention")
    extra = 0


class LegalBasisFilter(admin.SimpleListFilter):
    title = _("legal basis (Art. 6(1))")
    parameter_name = "legal_basis"

    def lookups(self, request, model_admin):
        return LegalBasis.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.with_legal_basis(self.value())
        return queryset


class CompletenessFilter(admin.SimpleListFilter):
    title = _("Art. 30(1) completeness")
    parameter_name = "complete"

    def lookups(self, request, model_admin):
        return (("yes", _("Complete")), ("no", _("Missing mandatory fields")))

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        # The register holds tens of entries, not millions: the check runs in Python.
        complete = [a.pk for a in ProcessingActivity.objects.with_register() if a.is_complete]
        return queryset.filter(pk__in=complete) if self.value() == "yes" else queryset.exclude(pk__in=complete)


class OpenQuestionsFilter(admin.SimpleListFilter):
    title = _("open DPO questions")
    parameter_name = "open_questions"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.with_open_questions()
        if self.value() == "no":
            return queryset.filter(open_questions="")
        return queryset


class TransferSafeguardsFilter(admin.SimpleListFilter):
    title = _("transfers outside the EU/EEA documented (Art. 44-46)")
    parameter_name = "transfers_documented"

    def lookups(self, request, model_admin):
        return (("no", _("A transfer lacks its country, safeguard or impact assessment")), ("yes", _("Documented")))

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        # Tens of entries: the check runs in Python, as the completeness filter's.
        gaps = [a.pk for a in ProcessingActivity.objects.prefetch_related("recipients") if a.transfer_gaps()]
        return queryset.filter(pk__in=gaps) if self.value() == "no" else queryset.exclude(pk__in=gaps)


class ProcessingActivityForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        max_length=500,
        help_text=_("Kept in the register history (Art. 30(3))."),
    )

    class Meta:
        model = ProcessingActivity
        fields = ("code", *services.ACTIVITY_SCALAR_FIELDS, *services.ACTIVITY_M2M)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields and self.instance.status != ProcessingActivity.Status.VALIDATED:
            # Validation is the DPO's step ("Validate (DPO)"), which records who and when.
            self.fields["status"].choices = [
                choice for choice in self.fields["status"].choices if choice[0] != ProcessingActivity.Status.VALIDATED
            ]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("status") == ProcessingActivity.Status.VALIDATED:
            raise ValidationError(_("Create the entry as a draft; validate it once every Art. 30(1) field is filled."))
        return cleaned


def _version_table(obj) -> str:
    versions = RegisterVersion.objects.for_object(obj).order_by("-version")[:50]
    rows = format_html_join(
        "",
        "<tr><td>v{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                v.version,
                v.changed_at.strftime("%Y-%m-%d %H:%M"),
                v.changed_by_username or "—",
                v.reason or "—",
                ", ".join(v.changed_fields) or "—",
            )
            for v in versions
        ),
    )
    header = format_html(
        "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        _("version"),
        _("when"),
        _("who"),
        _("reason"),
        _("changed fields"),
    )
    return format_html("<table>{}{}</table>", header, rows)


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(NoDeleteMixin, GuardedViewsMixin, admin.ModelAdmin):
    form = ProcessingActivityForm
    inlines = (PurposeInline, DataCategoryInline)
    list_display = (
        "code",
        "name",
        "status",
        "validation",
        "legal_bases",
        "completeness",
        "has_open_questions",
        "version",
        "updated_at",
    )
    list_display_links = ("code", "name")
    list_filter = (
        "status",
        LegalBasisFilter,
        CompletenessFilter,
        OpenQuestionsFilter,
        TransferSafeguardsFilter,
        "transfers_outside_eu",
        "dpia_needed",
    )
    search_fields = ("code", "name", "name_fr", "purposes__description")
    filter_horizontal = ("subject_categories", "recipients", "security_measures")
    readonly_fields = (
        "version",
        "created_at",
        "updated_at",
        "completeness_report",
        "version_history",
        "validation",
        "processors_named",
        "transfers_documented",
    )
    actions = ("validate_entries",)
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("code", "name", "name_fr", "description", "status", "validation", "completeness_report")}),
        (_("Controller (Art. 30(1)(a))"), {"fields": ("controller_role", "joint_controllers")}),
        (_("Data subjects and data (Art. 30(1)(c))"), {"fields": ("subject_categories", "sensitive_data")}),
        (
            _("Recipients and transfers (Art. 30(1)(d)-(e))"),
            {
                "fields": (
                    "recipients",
                    "processors_named",
                    "transfers_outside_eu",
                    "transfers_documented",
                    "transfer_notes",
                )
            },
        ),
        (_("Retention (Art. 30(1)(f))"), {"fields": ("retention",)}),
        (_("Security (Art. 30(1)(g))"), {"fields": ("security_measures", "security_notes")}),
        (
            _("CNIL template and accountability"),
            {"fields": ("data_source", "software", "dpia_needed", "dpia_reference", "notice_reference")},
        ),
        (_("Open DPO questions"), {"fields": ("open_questions",)}),
        (
            _("History (Art. 30(3))"),
            {"fields": ("change_reason", "version", "created_at", "updated_at", "version_history")},
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_register()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "code"] if obj is not None else fields

    @admin.display(description=_("DPO validation (Art. 39(1)(b))"))
    def validation(self, obj: ProcessingActivity) -> str:
        if obj.pk is None or obj.validated_at is None:
            return _("not validated")
        return _("validated by %(name)s on %(date)s") % {
            "name": obj.validated_by_name,
            "date": timezone.localtime(obj.validated_at).strftime("%Y-%m-%d %H:%M"),
        }

    @admin.display(description=_("processors (Art. 28)"))
    def processors_named(self, obj: ProcessingActivity) -> str:
        processors = obj.processors() if obj.pk else []
        if not processors:
            return "—"
        return format_html_join(
            "",
            "<div>{} — {}{}</div>",
            (
                (
                    r.name,
                    r.company_name or _("company not named yet"),
                    f" ({r.country})" if r.country else "",
                )
                for r in processors
            ),
        )

    @admin.display(description=_("transfers outside the EU/EEA (Art. 44-46)"))
    def transfers_documented(self, obj: ProcessingActivity) -> str:
        transfers = obj.transfer_recipients() if obj.pk else []
        if not transfers:
            return _("none")
        return format_html_join(
            "",
            "<div>{} — {}: {}</div>",
            (
                (
                    r.name,
                    r.country or "?",
                    ("; ".join(r.transfer_gaps()) and _("missing: %(gaps)s") % {"gaps": "; ".join(r.transfer_gaps())})
                    or r.get_transfer_mechanism_display(),
                )
                for r in transfers
            ),
        )

    @admin.action(description=_("Validate the selected entries (DPO)"), permissions=["validate"])
    def validate_entries(self, request, queryset):
        done = 0
        for activity in queryset:
            try:
                services.activity_validate(activity=activity, actor=request.user)
                done += 1
            except ValidationError as error:
                self.message_user(request, f"{activity.code}: {' '.join(error.messages)}", messages.ERROR)
        if done:
            self.message_user(
                request, _("%(count)s entry(ies) validated by the DPO.") % {"count": done}, messages.SUCCESS
            )

    def has_validate_permission(self, request) -> bool:
        return request.user.has_perm("consents.validate_processingactivity")

    @admin.display(description=_("legal bases"))
    def legal_bases(self, obj: ProcessingActivity) -> str:
        return ", ".join(sorted({f"6(1)({p.legal_basis})" for p in obj.purposes.all()})) or "—"

    @admin.display(description=_("Art. 30(1) complete"), boolean=True)
    def completeness(self, obj: ProcessingActivity) -> bool:
        return obj.is_complete

    @admin.display(description=_("⚑ open questions"), boolean=True)
    def has_open_questions(self, obj: ProcessingActivity) -> bool:
        return bool(obj.open_questions)

    @admin.display(description=_("completeness (Art. 30(1))"))
    def completeness_report(self, obj: ProcessingActivity) -> str:
        if obj.pk is None:
            return "—"
        missing = obj.missing_fields()
        gaps = obj.accountability_gaps()
        missing_html = (
            format_html(
                "<strong>{}</strong><ul>{}</ul>",
                _("Missing mandatory Art. 30(1) fields:"),
                format_html_join("", "<li>{}</li>", ((item,) for item in missing)),
            )
            if missing
            else format_html("<strong>{}</strong>", _("Every mandatory Art. 30(1) field is filled."))
        )
        gaps_html = (
            format_html(
                "<p>{}</p><ul>{}</ul>",
                _("Accountability points:"),
                format_html_join("", "<li>{}</li>", ((item,) for item in gaps)),
            )
            if gaps
            else ""
        )
        return format_html("{}{}", missing_html, gaps_html)

    @admin.display(description=_("version history"))
    def version_history(self, obj: ProcessingActivity) -> str:
        return _version_table(obj) if obj.pk else "—"

    # Saving: everything goes through the services, as one version, in the admin's transaction.
    def save_model(self, request, obj, form, change):
        """Deferred to ``save_related``, once the inlines are validated too."""

    def save_related(self, request, form, formsets, change):
        changes = self._changes_from(form, formsets, change)
        for formset in formsets:  # read by the admin's change message; the service saved the rows
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        reason = form.cleaned_data.get("change_reason") or ""
        if not change:
            changes.pop("name", None)
            activity = services.activity_create(
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                actor=request.user,
                reason=reason,
                **changes,
            )
            form.instance.pk = activity.pk
            return
        try:
            with transaction.atomic():
                services.activity_update(activity=form.instance, changes=changes, actor=request.user, reason=reason)
        except ValidationError as error:
            request._register_save_failed = True
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def _changes_from(self, form, formsets, change) -> dict:
        names = set(form.changed_data) if change else set(form.cleaned_data)
        changes = {
            name: form.cleaned_data[name]
            for name in names
            if name in services.ACTIVITY_SCALAR_FIELDS or name in services.ACTIVITY_M2M
        }
        for formset in formsets:
            if change and not formset.has_changed():
                continue
            rows = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            if formset.model is Purpose:
                changes["purposes"] = [
                    {
                        "id": row["id"].pk if row.get("id") else None,
                        **{k: row.get(k, "") for k in services.PURPOSE_FIELDS},
                    }
                    for row in rows
                ]
            elif formset.model is ActivityDataCategory:
                changes["data_categories"] = [
                    {"category": row["category"], "retention": row.get("retention", "")} for row in rows
                ]
        return changes

    def response_change(self, request, obj):
        if getattr(request, "_register_save_failed", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    # Export for the CNIL (Art. 30(4)), audited as EXPORT.
    def get_urls(self):
        urls = [
            self.guarded_path(
                "export/pdf/<int:job_id>/",
                self.export_job_view,
                name="consents_processingactivity_export_job",
                permission=EXPORT_PERMISSION,
            ),
            self.guarded_path(
                "export/pdf/<int:job_id>/download/",
                self.export_download_view,
                name="consents_processingactivity_export_download",
                permission=EXPORT_PERMISSION,
            ),
            self.guarded_path(
                "export/<str:fmt>/",
                self.export_view,
                name="consents_processingactivity_export",
                permission=EXPORT_PERMISSION,
            ),
        ]
        return urls + super().get_urls()

    def export_view(self, request, fmt: str):
        """CSV at once; the PDF is built in the background (seconds of layout): GET shows the page and
        the last builds, POST queues a build and opens its page."""
        if fmt not in ("pdf", "csv"):
            raise PermissionDenied
        if fmt == "pdf":
            if request.method == "POST":
                job = register_pdf_job_create(actor=request.user)
                return HttpResponseRedirect(reverse("admin:consents_processingactivity_export_job", args=[job.pk]))
            return self._register_pdf_page(request, job=None)
        content, content_type, filename = register_export(fmt=fmt, actor=request.user)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def export_job_view(self, request, job_id: int):
        job = RegisterExportJob.objects.filter(pk=job_id).first()
        if job is None:
            raise Http404
        return self._register_pdf_page(request, job=job)

    def _register_pdf_page(self, request, *, job):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Register of processing: PDF for the CNIL (Art. 30(4))"),
            "opts": self.model._meta,
            "job": job,
            "live": job is not None
            and job.status in (RegisterExportJob.Status.PENDING, RegisterExportJob.Status.RUNNING),
            "recent": list(RegisterExportJob.objects.filter(status=RegisterExportJob.Status.DONE)[:5]),
        }
        return TemplateResponse(request, "admin/consents/processingactivity/register_pdf.html", context)

    def export_download_view(self, request, job_id: int):
        job = RegisterExportJob.objects.filter(pk=job_id).first()
        if job is None:
            raise Http404
        try:
            content = register_pdf_download(job=job, actor=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:consents_processingactivity_export_job", args=[job.pk]))
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{job.file_name or "register-of-processing.pdf"}"'
        return response

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_export_register": request.user.has_perm(EXPORT_PERMISSION),
            "export_pdf_url": reverse("admin:consents_processingactivity_export", args=["pdf"]),
            "export_csv_url": reverse("admin:consents_processingactivity_export", args=["csv"]),
        }
        return super().changelist_view(request, extra_context)


class ReferenceAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Registries of the register: saved through ``services.reference_save`` (versioned, audited)."""

    show_full_result_count = False
    readonly_fields = ("version_history",)

    def save_model(self, request, obj, form, change):
        services.reference_save(instance=obj, actor=request.user, reason="admin")

    @admin.display(description=_("version history"))
    def version_history(self, obj) -> str:
        return _version_table(obj) if obj.pk else "—"


@admin.register(Recipient)
class RecipientAdmin(ReferenceAdmin):
    list_display = (
        "code",
        "name",
        "company_name",
        "kind",
        "country",
        "transfer_mechanism",
        "dpa_signed_on",
        "tia_date",
        "tia_reference",
        "gap_count",
    )
    list_filter = ("kind", "transfer_mechanism", "joint_controller")
    search_fields = ("code", "name")

    def save_model(self, request, obj, form, change):
        services.recipient_save(recipient=obj, actor=request.user, reason="admin")

    @admin.display(description=_("points to document"))
    def gap_count(self, obj: Recipient) -> int:
        return len(obj.gaps())


@admin.register(DataCategory)
class DataCategoryAdmin(ReferenceAdmin):
    list_display = ("code", "name", "policy_reference", "sensitive")
    list_filter = ("sensitive",)
    search_fields = ("code", "name")


@admin.register(SecurityMeasure)
class SecurityMeasureAdmin(ReferenceAdmin):
    list_display = ("code", "name", "policy_reference")
    search_fields = ("code", "name")


@admin.register(SubjectCategory)
class SubjectCategoryAdmin(ReferenceAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Controller)
class ControllerAdmin(ReferenceAdmin):
    list_display = ("name", "registration", "dpo_email")

    def has_add_permission(self, request) -> bool:
        # The single controller row is seeded by migration 0002: it is edited, never added, and
        # answering here without a query keeps the dashboard's query budget.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = 1  # the single controller row
        super().save_model(request, obj, form, change)


@admin.register(RegisterVersion)
class RegisterVersionAdmin(ReadOnlyModelAdmin):
    list_display = ("object_type", "object_code", "version", "changed_at", "changed_by_username", "reason")
    search_fields = ("=object_code",)
    readonly_fields = [field.name for field in RegisterVersion._meta.fields]


# Consent records (issue 4): notices, events, marketing bases, suppression list; the consent
# history inline is attached to the subject page from here.
_register_consent_admin(admin.site)
