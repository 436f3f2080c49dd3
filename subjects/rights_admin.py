"""Admin for rectifications and restriction marks (thin: services); objections and post-mortem
directives are administered by the requests app (``requests_dsar/rights_admin.py``), whose services they use.

``RestrictionBannerMixin`` puts the restriction banner on every change page of a subject's data
(templates/admin/subjects/change_form.html; Recital 67, R1.11.2).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.admin import ActiveSubjectsOnlyMixin, LabelledTabularInline, PersonalDataAdminMixin, adopt_created
from ijinus_privacy.admin_scale import ScaledAdminMixin

from .models import (
    DataSubject,
    Rectification,
    Restriction,
    RestrictionOverride,
)
from .person_page import PersonLabelledAdminMixin
from .services import rectification as rectifications
from .services import restriction as restrictions


def message_error(model_admin: admin.ModelAdmin, request, error: ValidationError | PermissionDenied) -> None:
    text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    model_admin.message_user(request, text, messages.ERROR)


class RestrictionBannerMixin:
    """Give change pages the subject's restrictions in force; the template shows the banner.

    A save the services refuse (restricted data, R1.11.3) rolls back and comes back as an error
    message on the same page instead of a server error.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            message_error(self, request, error)
            return HttpResponseRedirect(request.get_full_path())

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        subject_id = None
        if obj is not None:
            subject_id = obj.pk if isinstance(obj, DataSubject) else getattr(obj, "subject_id", None)
        context["restrictions_in_force"] = restrictions.restrictions_in_force(subject_id)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


class RightsAdmin(
    PersonLabelledAdminMixin,
    ActiveSubjectsOnlyMixin,
    RestrictionBannerMixin,
    PersonalDataAdminMixin,
    ScaledAdminMixin,
    admin.ModelAdmin,
):
    raw_id_fields = ("subject", "request")
    list_select_related = ("subject",)
    search_number_fields = ("subject_id",)
    search_help_text = _("A subject number (123 or n° 123).")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the record of a right exercised is evidence (R1.16); it goes with the subject

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.add_readonly_fields
        return [field.name for field in self.model._meta.fields]

    add_readonly_fields: tuple[str, ...] = ()


# --- Rectification -----------------------------------------------------------------------------


@admin.register(Rectification)
class RectificationAdmin(RightsAdmin):
    list_display = ("id", "subject", "field_name", "status", "accuracy_contested", "proposed_at", "decided_by")
    list_select_related = ("subject", "decided_by")
    list_filter = ("status", "accuracy_contested")
    fields = ("subject", "request", "field_name", "proposed_value", "accuracy_contested")
    actions = ["apply", "reject", "restrict"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return (*self.fields, "status", "proposed_at", "proposed_by", "decided_at", "decided_by")

    def save_model(self, request, obj, form, change):
        created = rectifications.rectification_propose(
            subject=obj.subject,
            changes={obj.field_name: obj.proposed_value},
            request=obj.request,
            accuracy_contested=obj.accuracy_contested,
            actor=request.user,
        )
        adopt_created(obj, created[0])
        if obj.accuracy_contested:
            self.message_user(
                request,
                _(
                    "The person contests the accuracy of the data: restrict it while it is checked with the action "
                    "“Restrict while accuracy is checked” (Art. 18(1)(a))."
                ),
                messages.WARNING,
            )

    @admin.action(description=_("Apply the selected changes (Art. 16)"), permissions=["change"])
    def apply(self, request, queryset):
        by_subject: dict[int, list[Rectification]] = {}
        for proposal in queryset.pending():
            by_subject.setdefault(proposal.subject_id, []).append(proposal)
        done = 0
        for proposals in by_subject.values():
            try:
                rectifications.rectification_apply(rectifications=proposals, actor=request.user)
                done += len(proposals)
            except (ValidationError, PermissionDenied) as error:
                message_error(self, request, error)
        self.message_user(request, _("%(count)d changes applied.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Reject the selected changes"), permissions=["change"])
    def reject(self, request, queryset):
        try:
            count = rectifications.rectification_reject(rectifications=list(queryset.pending()), actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            message_error(self, request, error)
            return
        self.message_user(request, _("%(count)d changes rejected.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Restrict while accuracy is checked (Art. 18(1)(a))"), permissions=["restrict"])
    def restrict(self, request, queryset):
        for proposal in queryset.pending().filter(accuracy_contested=True).select_related("subject", "request"):
            rectifications.rectification_restrict(rectification=proposal, actor=request.user)
            self.message_user(request, _("Restriction placed on %(subject)s.") % {"subject": proposal.subject})

    def has_restrict_permission(self, request) -> bool:
        return request.user.has_perm("subjects.add_restriction")


# --- Restriction -------------------------------------------------------------------------------


class RestrictionForm(forms.ModelForm):
    class Meta:
        model = Restriction
        fields = (
            "subject",
            "request",
            "ground",
            "scope",
            "categories",
            "records",
            "requested_by_subject",
            "lift_notice",
            "lift_notice_sent_on",
        )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and bool(cleaned.get("lift_notice", "").strip()) != bool(
            cleaned.get("lift_notice_sent_on")
        ):
            raise ValidationError(_("To lift the restriction, give both the notice and the day it was sent."))
        return cleaned


class RestrictionOverrideInline(LabelledTabularInline):
    model = RestrictionOverride
    extra = 0
    fields = ("purpose", "operation", "justification", "valid_until", "granted_at", "granted_by")
    readonly_fields = ("granted_at", "granted_by")
    can_delete = False
    verbose_name_plural = _("Overrides on an Art. 18(2) ground, with justification")

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Restriction)
class RestrictionAdmin(RightsAdmin):
    form = RestrictionForm
    list_display = ("id", "subject", "ground", "scope", "started_at", "lifted_at")
    list_filter = ("ground", "scope")
    inlines = [RestrictionOverrideInline]
    add_fields = ("subject", "request", "ground", "scope", "categories", "records", "requested_by_subject")
    lift_fields = ("lift_notice", "lift_notice_sent_on")

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_fields
        return (*self.add_fields, "started_at", "placed_by", *self.lift_fields, "lifted_at", "lifted_by")

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and obj.in_force:
            return [name for name in readonly if name not in self.lift_fields]
        return readonly

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if not change:
            created = restrictions.restriction_place(
                subject=obj.subject,
                ground=obj.ground,
                request=obj.request,
                scope=obj.scope,
                categories=obj.categories,
                records=obj.records,
                requested_by_subject=obj.requested_by_subject,
                actor=request.user,
            )
            adopt_created(obj, created)
        elif obj.lift_notice.strip():
            restrictions.restriction_lift(
                restriction=obj, notice=obj.lift_notice, notice_sent_on=obj.lift_notice_sent_on, actor=request.user
            )

    def save_formset(self, request, form, formset, change):
        for override in formset.save(commit=False):
            restrictions.override_record(
                restriction=form.instance,
                purpose=override.purpose,
                operation=override.operation,
                justification=override.justification,
                valid_until=override.valid_until,
                actor=request.user,
            )
