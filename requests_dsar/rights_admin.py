"""Admin for objections (Art. 21) and post-mortem directives and deaths (LIL art. 85): thin, through the services.

Their records belong to the subjects app (``subjects.models``); their services stop marketing in
the consents app, so they sit here, above both (docs/architecture.md).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.admin import adopt_created
from subjects.models import DeathRecord, Objection, PostMortemDirective
from subjects.rights_admin import RightsAdmin, message_error
from subjects.services import restriction as restrictions

from .services import objection as objections
from .services import post_mortem

# --- Objection ---------------------------------------------------------------------------------


class NotUpheldForm(forms.Form):
    notice = forms.CharField(
        label=_("Notice to the person: the compelling legitimate grounds, or the legal claims (Art. 21(1), 18(3))"),
        widget=forms.Textarea,
    )
    notice_sent_on = forms.DateField(label=_("Day the notice was sent (Art. 18(3))"))


@admin.register(Objection)
class ObjectionAdmin(RightsAdmin):
    list_display = ("id", "subject", "kind", "channel", "status", "received_at")
    list_filter = ("kind", "status")
    fields = ("subject", "request", "kind", "channel", "processing")
    actions = ["uphold", "not_upheld"]

    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm(restrictions.MANAGE_PERMISSION)

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return (*self.fields, "status", "restriction", "received_at", "recorded_by", "decided_at", "decided_by")

    def save_model(self, request, obj, form, change):
        created = objections.objection_record(
            subject=obj.subject,
            kind=obj.kind,
            channel=obj.channel,
            processing=obj.processing,
            request=obj.request,
            actor=request.user,
        )
        adopt_created(obj, created)

    @admin.action(description=_("Uphold: processing stops (Art. 21(1))"), permissions=["change"])
    def uphold(self, request, queryset):
        for objection in queryset.filter(kind=Objection.Kind.LEGITIMATE_INTEREST, status=Objection.Status.PENDING):
            try:
                objections.objection_decide(objection=objection, upheld=True, actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                message_error(self, request, error)
                return
        self.message_user(request, _("Objections upheld."), messages.SUCCESS)

    @admin.action(
        description=_("Not upheld: compelling legitimate grounds demonstrated (Art. 21(1))"), permissions=["decide"]
    )
    def not_upheld(self, request, queryset):
        """DPO only. Processing may resume; the restriction is lifted after the notice (Art. 18(3))."""
        form = NotUpheldForm(request.POST if "notice_sent_on" in request.POST else None)
        if not form.is_valid():
            return render(
                request,
                "admin/subjects/objection_not_upheld.html",
                {**self.admin_site.each_context(request), "form": form, "queryset": queryset, "opts": self.opts},
            )
        pending = queryset.filter(kind=Objection.Kind.LEGITIMATE_INTEREST, status=Objection.Status.PENDING)
        for objection in pending:
            try:
                objections.objection_decide(
                    objection=objection,
                    upheld=False,
                    notice=form.cleaned_data["notice"],
                    notice_sent_on=form.cleaned_data["notice_sent_on"],
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as error:
                message_error(self, request, error)
                return None
        self.message_user(request, _("Objections not upheld; the restrictions are lifted."), messages.SUCCESS)
        return None


# --- Post-mortem directives and deaths ---------------------------------------------------------


@admin.register(PostMortemDirective)
class PostMortemDirectiveAdmin(RightsAdmin):
    list_display = ("id", "subject", "kind", "instruction", "version", "registered_at", "superseded_at", "revoked_at")
    list_filter = ("kind", "instruction")
    fields = ("subject", "request", *post_mortem.DIRECTIVE_FIELDS)
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return (*self.fields, "version", "registered_at", "registered_by", "superseded_at", "revoked_at")

    def save_model(self, request, obj, form, change):
        created = post_mortem.directive_register(
            subject=obj.subject,
            request=obj.request,
            actor=request.user,
            **{name: getattr(obj, name) for name in post_mortem.DIRECTIVE_FIELDS},
        )
        adopt_created(obj, created)

    @admin.action(description=_("Revoke the selected directives (LIL art. 85)"), permissions=["change"])
    def revoke(self, request, queryset):
        for directive in queryset.current():
            post_mortem.directive_revoke(directive=directive, actor=request.user)
        self.message_user(request, _("Directives revoked."), messages.SUCCESS)


@admin.register(DeathRecord)
class DeathRecordAdmin(RightsAdmin):
    list_display = ("id", "subject", "died_on", "evidence_type", "outcome", "task_status", "recorded_at")
    list_filter = ("outcome", "task_status", "evidence_type")
    raw_id_fields = ("subject",)
    fields = ("subject", "died_on", "evidence_type")
    actions = ["complete"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return (*self.fields, "directive", "outcome", "task_status", "recorded_at", "recorded_by", "done_at")

    def save_model(self, request, obj, form, change):
        created = post_mortem.subject_record_death(
            subject=obj.subject, died_on=obj.died_on, evidence_type=obj.evidence_type, actor=request.user
        )
        adopt_created(obj, created)
        self.message_user(
            request,
            _("Death recorded: all marketing stopped; the directive's task is open (LIL art. 85)."),
            messages.INFO,
        )

    @admin.action(description=_("Mark what the directive asked as done (LIL art. 85)"), permissions=["change"])
    def complete(self, request, queryset):
        for record in queryset.filter(task_status=DeathRecord.TaskStatus.OPEN):
            post_mortem.death_task_complete(record=record, actor=request.user)
        self.message_user(request, _("Tasks marked done."), messages.SUCCESS)
