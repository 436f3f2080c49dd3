"""Admin for data subjects and everything held about them (thin: writes go through services).

Customer service views, adds and changes; only the DPO deletes, imports, exports and handles
sensitive-data flags (permissions from ``ijinus_privacy.roles``).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import ShowFacets
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ImportForm

from ijinus_privacy import conditions, uploads
from ijinus_privacy.admin import (
    ActiveSubjectsOnlyMixin,
    EraseThroughRequestMixin,
    LabelledTabularInline,
    PersonalDataAdminMixin,
)
from ijinus_privacy.admin import ReadOnlyInline as SharedReadOnlyInline
from ijinus_privacy.admin_scale import NumberLabelRawIdWidget, ScaledAdminMixin
from ijinus_privacy.identifiers import normalise_email

from . import admission, import_jobs, person_page, services
from .import_preview import PreviewExpired, SealedUploadStorage
from .models import (
    ROLE_DATE_FIELDS,
    AssumedInterest,
    Contract,
    DataSubject,
    Delivery,
    ImportJob,
    Invoice,
    MobileDevice,
    NavigationRecord,
    Order,
    Payment,
    PromotionParticipation,
    SensitiveDataFlag,
    SubjectRole,
    SupportTicket,
    ThirdPartyData,
)
from .resources import CLEAR_MARKER, DataSubjectResource, SubjectRoleResource
from .rights_admin import RestrictionBannerMixin  # also registers the admins of rights (R1.9-R1.15)
from .rights_admin import message_error as _error


class RoleFilter(admin.SimpleListFilter):
    """Filter by role with EXISTS, not a join + DISTINCT over the whole table (PERFORMANCE.md T3)."""

    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return SubjectRole.Role.choices

    def queryset(self, request, queryset):
        if self.value() in SubjectRole.Role.values:
            return queryset.filter(Exists(SubjectRole.objects.filter(subject=OuterRef("pk"), role=self.value())))
        return queryset


class StatusFilter(admin.SimpleListFilter):
    """Restricted (Art. 18), under legal hold (R4.5.1) or deceased (R1.15.3): EXISTS, no join + DISTINCT.

    No "archived" choice: archived subjects leave this list altogether (R4.4.2); the archivist finds
    them in the archive (retention).
    """

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("restricted", _("Restricted (Art. 18)")),
            ("held", _("Under legal hold (Art. 17(3)(e))")),
            ("deceased", _("Deceased (LIL art. 85)")),
        ]

    def queryset(self, request, queryset):
        from .models import DeathRecord, Restriction

        if self.value() == "held":
            return queryset.filter(conditions.holds(conditions.HELD))
        related = {
            "restricted": Restriction.objects.in_force(),
            "deceased": DeathRecord.objects.all(),
        }.get(self.value())
        if related is None:
            return queryset
        return queryset.filter(Exists(related.filter(subject_id=OuterRef("pk"))))


class IntakeImportForm(ImportForm):
    """The library's import form, with the project's file intake (issue 12, items 7 and 16).

    A refused file (too big, too long, not UTF-8, a NUL byte, wrong columns, empty, not a workbook)
    is a form error in the user's language, before any row is read. A file of more than
    ``IMPORT_SYNC_MAX_ROWS`` rows is marked for the background import (``background``); a smaller
    one is read here into ``dataset``, which the import then uses.
    """

    def __init__(self, formats, resources, **kwargs) -> None:
        super().__init__(formats, resources, **kwargs)
        self.import_formats = formats
        self.resource_classes = resources
        self.background = False
        self.dataset = None

    def chosen_resource(self):
        choice = self.cleaned_data.get("resource") or "0"
        return self.resource_classes[int(choice)]

    def chosen_xlsx(self) -> bool:
        return self.import_formats[int(self.cleaned_data["format"])]().get_title().lower() == "xlsx"

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is None or "format" not in cleaned:
            return cleaned
        resource_class = self.chosen_resource()
        columns = import_jobs.columns_for(resource_class)
        try:
            uploads.check_size(upload.size)
            if import_jobs.kind_of(resource_class) and import_jobs.runs_in_background(
                upload, xlsx=self.chosen_xlsx(), columns=columns
            ):
                self.background = True
            else:
                self.dataset = uploads.read_upload(upload, columns=columns, xlsx=self.chosen_xlsx())
                upload.intake_dataset = self.dataset  # what the preview reads (write_to_tmp_storage)
        except uploads.UploadRefused as refusal:
            self.add_error("import_file", refusal.message)
        return cleaned


class AuditedImportExportMixin(ImportExportMixin):
    """Import and export only with this model's own import/export permission (DPO); audited.

    Only CSV and XLSX, through the project's file intake (``IntakeImportForm``); errors show their
    message, never a traceback. Two steps: the preview lists, per person, each field that changes
    (old -> new), then the DPO confirms; the upload is never stored: it travels sealed in the confirm
    form (``import_preview``). A file of more than ``IMPORT_SYNC_MAX_ROWS`` rows becomes a
    background ``ImportJob`` instead and the request returns at once (T5).
    """

    skip_import_confirm = False
    tmp_storage_class = SealedUploadStorage
    import_template_name = "admin/subjects/import.html"
    import_form_class = IntakeImportForm
    import_error_display = ("message",)

    def get_import_formats(self):
        return [base_formats.CSV, base_formats.XLSX]

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except PreviewExpired:
            self.message_user(
                request, _("This preview has expired or was altered: upload the file again."), messages.ERROR
            )
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))

    def get_import_context_data(self, **kwargs):
        limits = {
            "max_bytes": settings.IMPORT_MAX_BYTES,
            "max_rows": settings.IMPORT_MAX_ROWS,
            "sync_rows": settings.IMPORT_SYNC_MAX_ROWS,
        }
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_import_template"
        templates = [
            (str(self.opts.verbose_name_plural), reverse(name, args=[index]), import_jobs.columns_for(resource))
            for index, resource in enumerate(self.get_import_resource_classes(None))
        ]
        return {
            **super().get_import_context_data(**kwargs),
            "clear_marker": CLEAR_MARKER,
            "import_limits": limits,
            "import_templates": templates,
        }

    def get_urls(self):
        from django.urls import path

        info = f"{self.opts.app_label}_{self.opts.model_name}"
        template = path(
            "import/template/<int:index>/",
            self.admin_site.admin_view(self.import_template_view),
            name=f"{info}_import_template",
        )
        return [template, *super().get_urls()]

    def import_template_view(self, request, index: int):
        """A CSV file with the headers this import expects (no data), for the import permission only."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resources = self.get_import_resource_classes(request)
        if index >= len(resources):
            raise Http404
        response = HttpResponse(import_jobs.template_csv(resources[index]), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.opts.model_name}-import-template.csv"'
        return response

    def write_to_tmp_storage(self, import_file, input_format):
        """Seal the table the intake read (header names normalised, checks passed on exactly these
        rows), in the chosen format, so the preview and the confirmed import read the same rows."""
        dataset = getattr(import_file, "intake_dataset", None)
        if dataset is not None:
            content = dataset.export(input_format.get_title())
            if isinstance(content, str):
                content = content.encode(self.from_encoding or "utf-8")
            import_file = ContentFile(content, name=import_file.name)
        return super().write_to_tmp_storage(import_file, input_format)

    def create_import_form(self, request):
        """The form ``import_action`` already checked, if any: the file is read once per request."""
        return getattr(request, "_intake_form", None) or super().create_import_form(request)

    def import_action(self, request, **kwargs):
        upload = request.FILES.get("import_file") if request.method == "POST" else None
        if upload is not None and self.has_import_permission(request):
            form = request._intake_form = self.create_import_form(request)
            if form.is_valid() and form.background:
                upload = form.cleaned_data["import_file"]
                try:
                    job = import_jobs.import_job_create(
                        upload=upload,
                        kind=import_jobs.kind_of(form.chosen_resource()),
                        xlsx=form.chosen_xlsx(),
                        actor=request.user,
                        language=translation.get_language() or settings.LANGUAGE_CODE,
                    )
                except uploads.UploadRefused as refusal:
                    self.message_user(request, refusal.message, messages.ERROR)
                    return HttpResponseRedirect(request.path)
                self.message_user(
                    request,
                    _(
                        "The file is queued: it is checked and imported in the background. Follow it here; if it "
                        "changes people on file, you will see each change and confirm before anything is written."
                    ),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:subjects_importjob_change", args=[job.pk]))
        return super().import_action(request, **kwargs)

    def process_dataset(self, dataset, form, request, **kwargs):
        """Import the table the intake read (the checks passed on exactly these rows)."""
        if getattr(form, "dataset", None) is not None:
            dataset = form.dataset
        return super().process_dataset(dataset, form, request, **kwargs)

    def _perm(self, action: str) -> str:
        return f"{self.opts.app_label}.{action}_{self.opts.model_name}"

    def has_import_permission(self, request) -> bool:
        return request.user.has_perm(self._perm("import"))

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm(self._perm("export"))

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "actor": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "actor": request.user}


class ServiceSaveMixin:
    """save_model / save_formset / delete_model go through the services (validation + audit)."""

    def save_model(self, request, obj, form, change):
        services.record_save(instance=obj, actor=request.user, changed=form.changed_data if change else None)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.record_delete(instance=obj, actor=request.user)
        changed = {inline_form.instance: inline_form.changed_data for inline_form in formset.forms}
        for obj in instances:
            services.record_save(
                instance=obj, actor=request.user, changed=None if obj._state.adding else changed.get(obj)
            )

    def delete_model(self, request, obj):
        services.record_delete(instance=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


# --- Inlines on the subject page -------------------------------------------------------------


class ReadOnlyInline(SharedReadOnlyInline):
    show_change_link = True  # each record opens on its own page


class SubjectRoleForm(forms.ModelForm):
    """Retention start dates are facts (R4.2): once a role is saved, its collection date is shown,
    not edited, and its last inbound contact only moves forward."""

    class Meta:
        model = SubjectRole
        fields = ("subject", "role", *ROLE_DATE_FIELDS)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "collected_on" in self.fields:
            self.fields["collected_on"].disabled = True
            self.fields["collected_on"].help_text = _(
                "Fixed once the role is saved: retention counts from it (Art. 5(1)(e))."
            )

    def clean_last_inbound_contact_on(self):
        value = self.cleaned_data.get("last_inbound_contact_on")
        previous = self.initial.get("last_inbound_contact_on") if self.instance.pk is not None else None
        if previous and (value is None or value < previous):
            raise ValidationError(_("The last inbound contact only moves forward (Art. 5(1)(e))."))
        return value


class SubjectRoleInline(LabelledTabularInline):
    model = SubjectRole
    can_delete = False  # a role's dates drive retention (R4.2): it ends, or goes with an erasure
    form = SubjectRoleForm
    extra = 0
    verbose_name_plural = _("Roles held at once (Art. 5(1)(b)) and the dates retention starts from (Art. 5(1)(e))")


class ContractInline(LabelledTabularInline):
    model = Contract
    can_delete = False  # contract evidence is kept 5 years after an erasure (Art. 17(3)(e))
    extra = 0
    verbose_name_plural = _("Contracts (policy §3.2)")


class OrderInline(LabelledTabularInline):
    model = Order
    extra = 0
    verbose_name_plural = _("Orders (policy §3.2)")


class DeliveryInline(LabelledTabularInline):
    model = Delivery
    extra = 0
    raw_id_fields = ("order",)
    verbose_name_plural = _("Deliveries (policy §3.2; the latest feeds the ijitrack clock)")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "order":
            kwargs["widget"] = NumberLabelRawIdWidget(db_field.remote_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class InvoiceInline(ReadOnlyInline):
    model = Invoice
    fields = ("number", "issued_on", "amount")
    readonly_fields = fields
    verbose_name_plural = _("Invoices (kept 10 years, C. com. L.123-22)")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("paid_on", "amount", "method", "invoice")
    readonly_fields = fields
    verbose_name_plural = _("Payments (policy §3.2)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invoice")


class PromotionInline(LabelledTabularInline):
    model = PromotionParticipation
    extra = 0
    verbose_name_plural = _("Promotions and events (policy §3.2)")


class TicketInline(admin.StackedInline):
    model = SupportTicket
    extra = 0
    fields = (("opened_on", "channel", "status", "closed_on"), "summary", "text")
    verbose_name_plural = _("Customer-service tickets (policy §3.2) — no sensitive data (Art. 9-10)")


class DeviceInline(ReadOnlyInline):
    model = MobileDevice
    fields = ("registered_on", "device_type", "os_version", "connectivity", "app_version", "geolocation_consent")
    readonly_fields = fields
    verbose_name_plural = _("Mobile devices (collected automatically, policy §3.3)")


class InterestInline(ReadOnlyInline):
    model = AssumedInterest
    fields = ("product_family", "inferred_on", "review_due_on")
    readonly_fields = fields
    verbose_name_plural = _("Assumed interests (policy §3.4; reviewed yearly; not portable)")


class ThirdPartyInline(ReadOnlyInline):
    model = ThirdPartyData
    fields = ("received_on", "provided_by_name", "accepted_on", "recorded_by")
    readonly_fields = fields
    verbose_name_plural = _("Data received from a third party (policy §3.5)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class DataSubjectAddForm(forms.ModelForm):
    """Adding a person: erased or suppressed people are refused unless their own new request is named."""

    own_request = forms.IntegerField(
        label=_("Their own new request (number)"),
        required=False,
        min_value=1,
        help_text=_(
            "Only for a person erased (Art. 17) or suppressed (Art. 21(3)) before: the number of the request "
            "they made themselves after that date, from the same e-mail or phone. Without it, such a person "
            "is not added."
        ),
    )

    class Meta:
        model = DataSubject
        fields = (
            "kind",
            "last_name",
            "first_names",
            "marital_status",
            "date_of_birth",
            "language",
            "email",
            "phone",
            "street_address",
            "postal_code",
            "city",
            "country",
            "organisation",
            "job_title",
            "notes",
            "deceased_on",
        )

    def clean_own_request(self):
        number = self.cleaned_data.get("own_request")
        if number is None:
            return None
        act = admission.own_act("request", number)
        if act is None:
            raise ValidationError(_("No request has this number."))
        return act

    def clean(self):
        cleaned = super().clean()
        if "email" not in self.errors and "phone" not in self.errors and "own_request" not in self.errors:
            try:
                admission.subject_admission_check(
                    email=normalise_email(cleaned.get("email") or ""),
                    phone=cleaned.get("phone") or "",
                    own_act=cleaned.get("own_request"),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(DataSubject)
class DataSubjectAdmin(
    EraseThroughRequestMixin,
    RestrictionBannerMixin,
    AuditedImportExportMixin,
    ServiceSaveMixin,
    PersonalDataAdminMixin,
    ScaledAdminMixin,
    admin.ModelAdmin,
):
    resource_classes = [DataSubjectResource]
    list_display = ("id", "last_name", "first_names", "email", "organisation", "kind")
    list_filter = ("kind", RoleFilter, StatusFilter)
    # ijinus_privacy.admin_scale: an address is matched exactly (btree), a number is the subject
    # number, a phone number is matched on its digits (btree); words are found inside the names,
    # organisation and e-mail (pg_trgm GIN indexes, subjects migration 0006).
    search_fields = ("=email", "last_name", "first_names", "organisation", "email")
    search_number_fields = ("id",)
    search_phone_fields = ("phone",)
    search_help_text = _(
        "A subject number (123 or n° 123), an e-mail address or phone number, or part of a name, "
        "organisation or e-mail."
    )
    list_select_related = False  # no foreign key to follow: the list is one query
    readonly_fields = ("navigation_summary", "created_at", "updated_at")
    inlines = [  # other apps add theirs with subject_page_inlines() (the consent history); sections: person_page
        SubjectRoleInline,
        ContractInline,
        OrderInline,
        DeliveryInline,
        InvoiceInline,
        PaymentInline,
        PromotionInline,
        TicketInline,
        DeviceInline,
        InterestInline,
        ThirdPartyInline,
    ]

    def get_queryset(self, request):
        # Archived subjects leave every operational list, search and page (R4.4.2); only the
        # archivist opens them, through the reasoned, audited archive view (retention).
        return super().get_queryset(request).exclude(conditions.holds(conditions.ARCHIVED))

    fieldsets = (
        (
            _("Identity (policy §3.1)"),
            {
                "fields": ("kind", "last_name", "first_names", "marital_status", "date_of_birth", "language"),
                "description": _("Consumer or professional contact; a named professional contact is personal data."),
            },
        ),
        (
            _("Contact (policy §3.1)"),
            {"fields": ("email", "phone", "street_address", "postal_code", "city", "country")},
        ),
        (_("Professional contact (policy §3.1)"), {"fields": ("organisation", "job_title")}),
        (
            _("Notes (Art. 9-10: never health, political, religious, union, ethnic, sex-life, criminal data)"),
            {"fields": ("notes",)},
        ),
        (_("Status (LIL art. 85)"), {"fields": ("deceased_on",)}),
        (
            _("Collected automatically (policy §3.3)"),
            {"fields": ("navigation_summary",), "description": _("Cookie records are kept 13 months at most.")},
        ),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = DataSubjectAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            # The person's page: the summary shows who they are; the form opens to change it.
            return tuple((name, {**options, "classes": ("collapse",)}) for name, options in self.fieldsets)
        admission = (
            _("Admission after an erasure or a suppression"),
            {"fields": ("own_request",), "classes": ("collapse",)},
        )
        return (*self.fieldsets, admission)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        services.record_save(instance=obj, actor=request.user, own_act=form.cleaned_data.get("own_request"))

    # The one inline left open when it has rows; the others open on a click (their counts are
    # summed up above them, and the consent history by the current state of each channel).
    open_inlines = ("subjects.subjectrole",)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context.update(person_page.page_context(request, obj))
            context["person_records"] = person_page.collapse_inlines(
                context.get("inline_admin_formsets", ()), open_when_filled=self.open_inlines
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    # --- The person picker: the autocomplete of every link to a person -------------------------
    # (backoffice.admin_site.LabelledAutocompleteJsonView asks these two.)

    def autocomplete_queryset(self, queryset):
        return queryset.prefetch_related(person_page.roles_prefetch())

    def autocomplete_label(self, obj: DataSubject) -> str:
        return person_page.person_label(obj)

    @admin.display(description=_("navigation records"))
    def navigation_summary(self, obj: DataSubject) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("admin:subjects_navigationrecord_changelist") + f"?subject__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Open this subject's navigation records"))


@admin.register(SubjectRole)
class SubjectRoleAdmin(
    person_page.PersonLabelledAdminMixin,
    EraseThroughRequestMixin,
    ActiveSubjectsOnlyMixin,
    RestrictionBannerMixin,
    AuditedImportExportMixin,
    ServiceSaveMixin,
    PersonalDataAdminMixin,
    ScaledAdminMixin,
    admin.ModelAdmin,
):
    resource_classes = [SubjectRoleResource]
    form = SubjectRoleForm
    list_display = ("id", "subject", "role", "collected_on", "last_inbound_contact_on", "contract_end_on")
    list_filter = ("role",)
    raw_id_fields = ("subject",)
    search_fields = ("=subject__email",)
    search_number_fields = ("subject_id",)
    search_help_text = _("A subject number (123 or n° 123) or the person's e-mail address.")
    list_select_related = ("subject",)


class SubjectChildAdmin(
    person_page.PersonLabelledAdminMixin,
    ActiveSubjectsOnlyMixin,
    RestrictionBannerMixin,
    ServiceSaveMixin,
    PersonalDataAdminMixin,
    ScaledAdminMixin,
    admin.ModelAdmin,
):
    raw_id_fields = ("subject",)
    list_select_related = ("subject",)
    search_number_fields = ("subject_id",)
    search_help_text = _("A subject number (123 or n° 123).")
    ordering = ("-id",)  # newest first by the primary key: no sort of the whole table


@admin.register(Contract)
class ContractAdmin(EraseThroughRequestMixin, SubjectChildAdmin):
    list_display = ("id", "subject", "kind", "product_family", "started_on", "ended_on")
    list_filter = ("kind", "product_family")


@admin.register(Order)
class OrderAdmin(SubjectChildAdmin):
    list_display = ("id", "subject", "ordered_on", "product_family", "quantity")
    list_filter = ("product_family",)


@admin.register(Delivery)
class DeliveryAdmin(SubjectChildAdmin):
    list_display = ("id", "subject", "delivered_on", "carrier")
    raw_id_fields = ("subject", "order")


@admin.register(Invoice)
class InvoiceAdmin(EraseThroughRequestMixin, SubjectChildAdmin):
    list_display = ("id", "subject", "number", "issued_on", "amount")
    search_fields = ("=number",)
    search_help_text = _("A subject number (123 or n° 123) or an invoice number.")


@admin.register(Payment)
class PaymentAdmin(EraseThroughRequestMixin, SubjectChildAdmin):
    list_display = ("id", "subject", "paid_on", "amount", "method")
    list_filter = ("method",)
    raw_id_fields = ("subject", "invoice")


@admin.register(PromotionParticipation)
class PromotionParticipationAdmin(SubjectChildAdmin):
    list_display = ("id", "subject", "kind", "name", "participated_on")
    list_filter = ("kind",)


@admin.register(SupportTicket)
class SupportTicketAdmin(SubjectChildAdmin):
    list_display = ("id", "subject", "opened_on", "channel", "status")
    list_filter = ("status", "channel")


@admin.register(NavigationRecord)
class NavigationRecordAdmin(SubjectChildAdmin):
    list_display = ("id", "subject", "occurred_at", "purpose")
    list_filter = ("purpose",)


@admin.register(MobileDevice)
class MobileDeviceAdmin(SubjectChildAdmin):
    list_display = ("id", "subject", "registered_on", "device_type", "app_version", "geolocation_consent")
    list_filter = ("device_type", "connectivity", "geolocation_consent")


@admin.register(AssumedInterest)
class AssumedInterestAdmin(SubjectChildAdmin):
    list_display = ("id", "subject", "product_family", "inferred_on", "review_due_on")
    list_filter = ("product_family",)


@admin.register(ThirdPartyData)
class ThirdPartyDataAdmin(SubjectChildAdmin):
    list_display = ("id", "subject", "received_on", "accepted_on")
    readonly_fields = ("recorded_by", "recorded_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SensitiveDataFlag)
class SensitiveDataFlagAdmin(ActiveSubjectsOnlyMixin, ScaledAdminMixin, admin.ModelAdmin):
    """The DPO's queue of accidental Art. 9/10 data (R4.6.2). Shows field names, never the text."""

    list_display = ("id", "subject", "model", "object_id", "field_name", "category", "status", "detected_at")
    list_filter = ("status", "category")
    raw_id_fields = ("subject",)
    list_select_related = ("subject",)
    search_number_fields = ("subject_id",)
    search_help_text = _("A subject number (123 or n° 123).")
    readonly_fields = [field.name for field in SensitiveDataFlag._meta.fields]
    actions = ["purge", "dismiss"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a flag is the proof of its purge or dismissal (R4.6.2)

    def has_purge_permission(self, request) -> bool:
        return request.user.has_perm(services.PURGE_PERMISSION)

    @admin.action(description=_("Purge the flagged text now (Art. 9)"), permissions=["purge"])
    def purge(self, request, queryset):
        done = 0
        for flag in queryset.open():
            try:
                services.sensitive_purge(flag=flag, actor=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                _error(self, request, error)
        self.message_user(request, _("%(count)d flagged fields purged.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Dismiss as false positive"), permissions=["purge"])
    def dismiss(self, request, queryset):
        done = 0
        for flag in queryset.open():
            services.sensitive_dismiss(flag=flag, actor=request.user)
            done += 1
        self.message_user(request, _("%(count)d flags dismissed.") % {"count": done}, messages.SUCCESS)


def subject_page_inlines(*inlines: type[admin.options.InlineModelAdmin]) -> None:
    """Let another app show its part of a person's file on the subject page (idempotent)."""
    DataSubjectAdmin.inlines = [*DataSubjectAdmin.inlines, *(i for i in inlines if i not in DataSubjectAdmin.inlines)]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Background imports and their progress (read-only; the upload page creates them). A file that
    changes people on file waits here for the DPO: its preview, then confirm or cancel."""

    list_display = (
        "id",
        "kind",
        "status",
        "file_name",
        "rows_checked",
        "rows_created",
        "rows_updated",
        "error_count",
        "created_by_username",
        "created_at",
        "updated_at",
        "finished_at",
    )
    list_filter = ("status", "kind")
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    fields = (
        "kind",
        "status",
        "file_name",
        "file_format",
        "size",
        "rows_checked",
        "rows_created",
        "rows_updated",
        "rows_unchanged",
        "stage",
        "column_change_list",
        "error_count",
        "error_list",
        "created_by_username",
        "confirmed_by_username",
        "confirmed_at",
        "created_at",
        "started_at",
        "updated_at",
        "finished_at",
        "attempts",
        "error_code",
        "heartbeat_at",
    )
    readonly_fields = fields

    def get_urls(self):
        from django.urls import path

        view = self.admin_site.admin_view
        return [
            path("<int:job_id>/confirm/", view(self.confirm_view), name="subjects_importjob_confirm"),
            path("<int:job_id>/cancel/", view(self.cancel_view), name="subjects_importjob_cancel"),
            *super().get_urls(),
        ]

    def confirm_view(self, request, job_id: int):
        return self._decide(
            request, job_id, import_jobs.import_job_confirm, _("Confirmed: the changes are being written.")
        )

    def cancel_view(self, request, job_id: int):
        return self._decide(
            request, job_id, import_jobs.import_job_cancel, _("Cancelled: nothing was written, the file was deleted.")
        )

    def _decide(self, request, job_id: int, service, done: str):
        """POST only; the permission is checked before the job is read (``import_jobs.CONFIRM_PERMISSIONS``)."""
        if request.method != "POST" or not self.has_view_permission(request):
            raise PermissionDenied
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is None:
            raise PermissionDenied
        try:
            service(job=job, actor=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:subjects_importjob_change", args=[job_id]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = ImportJob.objects.filter(pk=object_id).first() if self.has_view_permission(request) else None
        awaiting = job is not None and job.status == ImportJob.Status.AWAITING
        extra_context = {
            **(extra_context or {}),
            "import_preview": import_jobs.preview_of(job) if awaiting else [],
            "import_preview_rows": import_jobs.PREVIEW_ROWS,
            "can_confirm_import": awaiting
            and all(request.user.has_perm(perm) for perm in import_jobs.CONFIRM_PERMISSIONS[job.kind]),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("changes per column"))
    def column_change_list(self, obj: ImportJob) -> str:
        columns = (obj.column_changes or {}).get("columns") or {}
        if not columns:
            return "-"
        return format_html_join(", ", "{} ({})", sorted(columns.items()))

    @admin.display(description=_("errors (nothing was imported)"))
    def error_list(self, obj: ImportJob) -> str:
        if not obj.errors:
            return "-"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((error.row or "—", error.column or "—", error.message) for error in import_jobs.error_rows(obj)),
        )
        return format_html(
            '<table id="import-errors"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            _("Row"),
            _("Column"),
            _("Message"),
            rows,
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
