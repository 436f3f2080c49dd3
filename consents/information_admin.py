"""Admin for the information duties (thin: every write calls ``consents.services.information`` or ``bloctel``).

Consent wording checks (Art. 7, Art. 13), consent purposes and re-consent flags (EDPB 05/2020
¶¶110-111), policy-change notifications (Art. 12-13), data obtained from others (Art. 14) and the
telephone opposition list (C. consom. L.223-1).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ijinus_privacy import uploads
from ijinus_privacy.admin import ActiveSubjectsOnlyMixin, GuardedViewsMixin, PersonalDataAdminMixin, ReadOnlyModelAdmin
from ijinus_privacy.admin_scale import ScaledAdminMixin

from .models import (
    BloctelList,
    ConsentPurposeSetting,
    ConsentTextReview,
    IndirectCollection,
    Notice,
    PolicyNotificationCampaign,
    ReconsentCause,
    ReconsentFlag,
)
from .services import bloctel
from .services import information as info


class ConsentTextReviewAdmin(admin.ModelAdmin):
    """The DPO confirms each element; saving runs the check and activates the wording, or lists what is missing."""

    list_display = ("notice", "status", "reviewed_by", "reviewed_at")
    list_filter = ("status",)
    fields = ("notice", "status", *info.CHECKLIST_FIELDS, "reviewed_by", "reviewed_at", "wording")
    readonly_fields = ("notice", "status", "reviewed_by", "reviewed_at", "wording")

    @admin.display(description=_("text shown"))
    def wording(self, obj: ConsentTextReview) -> str:
        return obj.notice.text

    def has_add_permission(self, request) -> bool:
        return False  # a review opens with each new consent wording

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        checklist = {name: bool(form.cleaned_data.get(name)) for name in info.CHECKLIST_FIELDS}
        try:
            info.consent_text_check(notice=obj.notice, checklist=checklist, actor=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            obj.refresh_from_db()
            return
        obj.refresh_from_db()

    def response_change(self, request, obj):
        if obj.status != ConsentTextReview.Status.ACTIVATED:
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


class ReconsentForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label=_("What changed substantively"),
        help_text=_("E.g. a new recipient, a new purpose, a transfer outside the EU (EDPB Guidelines 05/2020 ¶110)."),
    )


class ConsentPurposeSettingAdmin(admin.ModelAdmin):
    list_display = ("channel", "activity", "refresh_months", "open_flags")
    fields = ("channel", "activity", "refresh_months")
    readonly_fields = ("channel",)
    actions = ["flag_for_reconsent"]

    @admin.display(description=_("people to ask again"))
    def open_flags(self, obj: ConsentPurposeSetting) -> int:
        return ReconsentFlag.objects.open().filter(channel=obj.channel).count()

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_reconsent_permission(self, request) -> bool:
        return request.user.has_perm("consents.add_reconsentcause")

    def save_model(self, request, obj, form, change):
        info.purpose_setting_save(setting=obj, actor=request.user)

    @admin.action(
        description=_("Ask these purposes' current consents again (substantive change, EDPB 05/2020 ¶110)"),
        permissions=["reconsent"],
    )
    def flag_for_reconsent(self, request, queryset):
        form = ReconsentForm(request.POST if "reason" in request.POST else None)
        if not form.is_valid():
            return render(
                request,
                "admin/consents/reconsent_form.html",
                {**self.admin_site.each_context(request), "form": form, "queryset": queryset, "opts": self.opts},
            )
        flagged = 0
        for setting in queryset.order_by("channel"):
            cause = info.reconsent_flag(
                channel=setting.channel,
                kind=ReconsentCause.Kind.PURPOSE_CHANGED,
                reason=form.cleaned_data["reason"],
                activity=setting.activity,
                actor=request.user,
            )
            flagged += cause.flagged_count
        self.message_user(
            request, _("%(count)d people flagged for a new consent.") % {"count": flagged}, messages.SUCCESS
        )
        return None


class ReconsentCauseAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "kind", "channel", "activity", "reason", "flagged_count", "created_at", "created_by")
    list_filter = ("kind", "channel")
    ordering = ("-id",)


class FlagStateFilter(admin.SimpleListFilter):
    title = _("answer")
    parameter_name = "answer"

    def lookups(self, request, model_admin):
        return [("open", _("Waiting for a new consent")), ("answered", _("Answered"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(cleared_at__isnull=True)
        if self.value() == "answered":
            return queryset.filter(cleared_at__isnull=False)
        return queryset


class CauseKindFilter(admin.SimpleListFilter):
    title = _("cause")
    parameter_name = "cause"

    def lookups(self, request, model_admin):
        return ReconsentCause.Kind.choices

    def queryset(self, request, queryset):
        if self.value() in ReconsentCause.Kind.values:
            return queryset.filter(cause__kind=self.value())
        return queryset


class ReconsentFlagAdmin(ActiveSubjectsOnlyMixin, PersonalDataAdminMixin, ReadOnlyModelAdmin):
    list_display = ("id", "subject", "channel", "cause_kind", "flagged_at", "cleared_at")
    list_filter = (FlagStateFilter, "channel", CauseKindFilter)
    list_select_related = ("subject", "cause")
    raw_id_fields = ("subject",)
    search_number_fields = ("subject_id",)
    search_help_text = _("A subject number (123 or n° 123).")
    ordering = ("-id",)

    @admin.display(description=_("cause"), ordering="cause__kind")
    def cause_kind(self, obj: ReconsentFlag) -> str:
        return f"{obj.cause.get_kind_display()} — {obj.cause.reason}"


class CampaignForm(forms.ModelForm):
    class Meta:
        model = PolicyNotificationCampaign
        fields = ("notice", "summary")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "notice" in self.fields:
            self.fields["notice"].queryset = Notice.objects.filter(kind=Notice.Kind.PRIVACY_POLICY).exclude(
                notification_campaign__isnull=False
            )
            self.fields["notice"].label = _("New privacy-policy version, a substantive change")


class PolicyNotificationCampaignAdmin(admin.ModelAdmin):
    """Starting a campaign marks the version substantive and tells everyone concerned (WP260 rev.01 ¶¶29-30)."""

    form = CampaignForm
    list_display = ("notice", "status", "progress", "created_at", "finished_at", "created_by")
    list_filter = ("status",)
    readonly_fields = ("status", "total", "notified", "progress", "created_at", "created_by", "finished_at")

    @admin.display(description=_("progress"))
    def progress(self, obj: PolicyNotificationCampaign) -> str:
        share = round(100 * obj.notified / obj.total) if obj.total else 100
        return f"{obj.notified} / {obj.total} ({share} %)"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("notice", "summary")
        return ("notice", "summary", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "notice", "summary") if obj is not None else ()

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        campaign = info.policy_notification_start(
            notice=form.cleaned_data["notice"], summary=form.cleaned_data["summary"], actor=request.user
        )
        obj.pk = campaign.pk
        obj._state.adding = False


class OverdueFilter(admin.SimpleListFilter):
    title = _("Art. 14 information")
    parameter_name = "information"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue: not told within the time limit (Art. 14(3))")),
            ("waiting", _("Not told yet")),
            ("told", _("Told")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.overdue(today=timezone.localdate())
        if self.value() == "waiting":
            return queryset.uninformed()
        if self.value() == "told":
            return queryset.filter(informed_on__isnull=False)
        return queryset


class IndirectCollectionAdmin(ActiveSubjectsOnlyMixin, PersonalDataAdminMixin, ScaledAdminMixin, admin.ModelAdmin):
    list_display = ("subject", "source_kind", "source_detail", "due_on", "informed_on", "late")
    list_filter = (OverdueFilter, "source_kind", "informed_how")
    list_select_related = ("subject",)
    raw_id_fields = ("subject",)
    search_number_fields = ("subject_id",)
    search_help_text = _("A subject number (123 or n° 123).")
    ordering = ("due_on", "id")

    @admin.display(description=_("overdue"), boolean=True)
    def late(self, obj: IndirectCollection) -> bool:
        return obj.informed_on is None and not obj.exemption and obj.due_on < timezone.localdate()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("subject", "source_kind", "source_detail", "collected_on", "first_communication_on")
        return (
            "subject",
            "source_kind",
            "source_detail",
            "collected_on",
            "first_communication_on",
            "due_on",
            "informed_on",
            "informed_how",
            "notice",
            "exemption",
            "recorded_at",
            "recorded_by",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "subject",
            "source_kind",
            "source_detail",
            "collected_on",
            "first_communication_on",
            "due_on",
            "exemption",
            "recorded_at",
            "recorded_by",
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "notice":
            kwargs["queryset"] = Notice.objects.filter(kind=Notice.Kind.PRIVACY_POLICY)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            saved = info.indirect_collection_record(
                subject=obj.subject,
                source_kind=obj.source_kind,
                source_detail=obj.source_detail,
                collected_on=obj.collected_on,
                first_communication_on=obj.first_communication_on,
                actor=request.user,
            )
            obj.pk, obj.due_on = saved.pk, saved.due_on
            obj._state.adding = False
            return
        if obj.informed_on:
            info.indirect_collection_informed(
                record=obj,
                informed_on=obj.informed_on,
                informed_how=obj.informed_how,
                notice=obj.notice,
                actor=request.user,
            )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)


class BloctelImportForm(forms.Form):
    file = forms.FileField(label=_("Numbers returned by Bloctel (CSV or text)"))
    list_date = forms.DateField(
        label=_("Date of the list"), help_text=_("The date Bloctel produced the file (C. consom. L.223-1).")
    )


class BloctelListAdmin(GuardedViewsMixin, ReadOnlyModelAdmin):
    list_display = ("list_date", "number_count", "imported_at", "imported_by", "is_current")
    ordering = ("-list_date", "-id")
    exclude = ("file_sha256",)
    change_list_template = "admin/consents/bloctellist/change_list.html"

    @admin.display(description=_("checked against"), boolean=True)
    def is_current(self, obj: BloctelList) -> bool:
        return obj.number_count > 0 and obj.numbers.exists()

    def get_urls(self):
        return [
            self.guarded_path(
                "upload/",
                self.import_view,
                name="consents_bloctellist_upload",
                permission="consents.import_bloctellist",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        status = bloctel.bloctel_status()
        if status.warning:
            self.message_user(request, status.warning, messages.WARNING)
        extra_context = {
            **(extra_context or {}),
            "can_import": request.user.has_perm("consents.import_bloctellist"),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        form = BloctelImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = b""
            try:
                uploads.check_size(upload.size)
                content = upload.read()
            except uploads.UploadRefused as refusal:
                errors = [refusal.message]
            if not errors:
                report = bloctel.bloctel_import(
                    content=content, list_date=form.cleaned_data["list_date"], actor=request.user
                )
                errors = report.errors
                if not errors:
                    self.message_user(
                        request,
                        _("%(count)d numbers imported; the previous list was replaced.") % {"count": report.numbers},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:consents_bloctellist_changelist"))
                self.message_user(request, _("Nothing was imported: fix the lines below."), messages.ERROR)
        return render(
            request,
            "admin/consents/bloctel_import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "form": form,
                "errors": errors,
                "status_warning": bloctel.bloctel_status().warning,
            },
        )


def register(site: admin.AdminSite) -> None:
    site.register(ConsentTextReview, ConsentTextReviewAdmin)
    site.register(ConsentPurposeSetting, ConsentPurposeSettingAdmin)
    site.register(ReconsentCause, ReconsentCauseAdmin)
    site.register(ReconsentFlag, ReconsentFlagAdmin)
    site.register(PolicyNotificationCampaign, PolicyNotificationCampaignAdmin)
    site.register(IndirectCollection, IndirectCollectionAdmin)
    site.register(BloctelList, BloctelListAdmin)
