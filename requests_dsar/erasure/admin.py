"""Admin of erasure and Art. 19: the plan view on a request, proofs, archive, disclosures, notifications.

Thin: every write goes through ``services`` / ``notifications``; service errors become messages.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ijinus_privacy import audit
from ijinus_privacy.admin import (
    ActiveSubjectsOnlyMixin,
    GuardedViewsMixin,
    PersonalDataAdminMixin,
    ReadOnlyInline,
    ReadOnlyModelAdmin,
    adopt_created,
)
from ijinus_privacy.admin_scale import ScaledAdminMixin
from ijinus_privacy.personal_data import registry
from retention.forms import ArchiveConsultForm
from subjects.person_page import PersonLabelledAdminMixin

from ..casefile import person_name
from ..models import (
    DisclosureLog,
    ErasureGround,
    ErasureKeep,
    ErasureRecord,
    ErasureTombstone,
    RecipientNotification,
    Right,
)
from . import notifications as notification_services
from .plan import KEEP_EXCEPTIONS, erasure_plan
from .services import DECIDE_PERMISSION, erasure_execute, hold_refusal_message, kept_record_consult


class ErasureRecordInline(ReadOnlyInline):
    model = ErasureRecord
    fields = (
        "executed_at",
        "ground",
        "approved_by_username",
        "counts_by_source",
        "kept_items",
        "suppression_added",
        "notifications",
    )
    readonly_fields = fields
    show_change_link = True

    # The proof's counts and kept items as lines a DPO reads, not the stored JSON.
    @admin.display(description=_("rows per source"))
    def counts_by_source(self, obj: ErasureRecord) -> str:
        lines = [(_source_label(name), rows) for name, rows in sorted((obj.counts or {}).items())]
        return format_html_join(mark_safe("<br>"), "{}: {}", lines) or "—"

    @admin.display(description=_("kept items"))
    def kept_items(self, obj: ErasureRecord) -> str:
        lines = [
            (
                item.get("label") or _source_label(item.get("source", "")),
                item.get("rows", ""),
                _("kept until %(date)s")
                % {
                    "date": date_format(date.fromisoformat(item["until"]), "SHORT_DATE_FORMAT")
                    if item.get("until")
                    else "—"
                },
            )
            for item in obj.kept or []
        ]
        return format_html_join(mark_safe("<br>"), "{}: {}, {}", lines) or "—"


def _source_label(name: str) -> str:
    try:
        return str(registry.get(name).label)
    except KeyError:
        return name


class NotificationDueMixin:
    @admin.display(description=_("due on (Art. 12(3))"))
    def due(self, obj: RecipientNotification) -> str:
        """The request's due date (R1.12.4), flagged when the notification is still to send after it."""
        if obj.pk is None or obj.due_on is None:
            return "—"
        day = date_format(obj.due_on, "SHORT_DATE_FORMAT")
        if obj.is_overdue():
            return format_html('{} <strong class="ij-bad notification-overdue">{}</strong>', day, _("overdue"))
        return day


class RecipientNotificationInline(NotificationDueMixin, ReadOnlyInline):
    """Art. 19 tasks of this request; open one to mark it sent, acknowledged or impossible."""

    model = RecipientNotification
    fields = (
        "recipient",
        "change_kind",
        "last_disclosed_on",
        "status",
        "due",
        "sent_at",
        "acknowledged_at",
        "justification",
    )
    readonly_fields = fields
    show_change_link = True


class ErasureForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground relied on (Art. 17(1))"), choices=ErasureGround.choices)
    justification = forms.CharField(label=_("Reasons for the decision"), widget=forms.Textarea)
    confirm = forms.BooleanField(
        label=_("I have read the plan: erase everything not kept, move kept records to the archive, notify recipients.")
    )


def erasure_plan_view(model_admin: admin.ModelAdmin, request, object_id: int):
    """On the request: the plan (category, action, reason, until when) and the DPO's approval form."""
    dsar = model_admin.get_object(request, str(object_id))
    if dsar is None or not dsar.items.filter(right=Right.ERASURE).exists():
        raise Http404
    change_url = reverse("admin:requests_dsar_request_change", args=[dsar.pk])
    if dsar.subject_id is None:
        model_admin.message_user(request, _("Link the request to the data subject first."), messages.ERROR)
        return HttpResponseRedirect(change_url)
    plan = erasure_plan(subject_id=dsar.subject_id)
    may_decide = request.user.has_perm(DECIDE_PERMISSION) and dsar.is_open and not plan.blocked
    form = ErasureForm(request.POST or None) if may_decide else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                result = erasure_execute(
                    request=dsar,
                    ground=form.cleaned_data["ground"],
                    justification=form.cleaned_data["justification"],
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as error:
                text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                model_admin.message_user(request, text, messages.ERROR)
            else:
                model_admin.message_user(
                    request,
                    _("Erased: erasure record #%(id)s; %(n)s recipient notification(s) to send.")
                    % {"id": result.record.pk, "n": result.record.notifications},
                    messages.SUCCESS,
                )
                dsar.refresh_from_db()
                if dsar.is_open:  # the connected systems have not all confirmed yet (requests_dsar.connected)
                    model_admin.message_user(
                        request,
                        _(
                            "The connected systems carry the erasure out in the background: decide the request "
                            "once each of them confirmed or you waived it (see its connected systems)."
                        ),
                        messages.WARNING,
                    )
                return HttpResponseRedirect(change_url)
    # The plan shows what is held about the person, source by source: an audited view (R5.1.1).
    audit.record(
        action=audit.Action.VIEW,
        actor=request.user,
        object_type="subjects.datasubject",
        object_id=dsar.subject_id,
        subject_id=dsar.subject_id,
        fields=["erasure_plan"],
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Erasure plan"),
        "dsar": dsar,
        "dsar_person": person_name(dsar),
        "plan": plan,
        "blocked_message": hold_refusal_message(plan) if plan.blocked else "",
        "form": form,
        "opts": model_admin.opts,
        "change_url": change_url,
    }
    return TemplateResponse(request, "admin/requests_dsar/request/erasure_plan.html", context)


@admin.register(ErasureRecord)
class ErasureRecordAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "request", "subject_ref", "ground", "executed_at", "approved_by_username", "notifications")
    list_filter = ("ground", "suppression_added")
    list_select_related = ("request",)
    search_number_fields = ("subject_ref", "request_id")
    search_help_text = _("A subject or request number (123 or n° 123).")
    readonly_fields = (
        "request",
        "subject_ref",
        "ground",
        "executed_at",
        "approved_by_username",
        "counts",
        "kept",
        "suppression_added",
        "notifications",
    )
    fields = readonly_fields


class RecordTypeFilter(admin.SimpleListFilter):
    """The kinds of record an erasure can keep (the sources a keep exception covers): fixed choices,
    where a filter on the field would list the DISTINCT values of the whole archive."""

    title = _("record type")
    parameter_name = "record_type"

    def lookups(self, request, model_admin):
        kept = {
            part.model
            for source in registry
            for part in getattr(source, "parts", ())
            if any(set(source.categories) <= exception.categories for exception in KEEP_EXCEPTIONS)
        }
        return sorted((model._meta.label_lower, capfirst(model._meta.verbose_name_plural)) for model in kept)

    def queryset(self, request, queryset):
        return queryset.filter(record_type=self.value()) if self.value() else queryset


@admin.register(ErasureKeep)
class ErasureKeepAdmin(ReadOnlyModelAdmin):
    """Records kept after an erasure: the intermediate archive, for the Archivist only (R4.4.2).

    The list shows references and dates; a record opens only through the consultation form, with a
    reason, recorded as an archive access (never a plain change page).
    """

    list_display = ("id", "erasure", "subject_ref", "record_type", "ground", "keep_until")
    list_filter = (RecordTypeFilter,)
    list_select_related = ("erasure",)
    search_number_fields = ("subject_ref",)
    search_help_text = _("A subject number (123 or n° 123).")
    shown_fields = ("erasure", "subject_ref", "source", "record_type", "record_ref", "ground", "reason", "keep_until")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        kept = self.get_object(request, object_id)
        if kept is None:
            raise Http404
        form = ArchiveConsultForm(request.POST or None)
        context = {
            **self.admin_site.each_context(request),
            "title": str(kept),
            "kept": kept,
            "form": form,
            "opts": self.opts,
        }
        if request.method == "POST" and form.is_valid():
            try:
                kept_record_consult(
                    kept=kept,
                    reason=form.cleaned_data["reason"],
                    reference=form.cleaned_data["reference"],
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as error:
                text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, text, messages.ERROR)
                return HttpResponseRedirect(request.path)
            context["record"] = [
                *((ErasureKeep._meta.get_field(name).verbose_name, getattr(kept, name)) for name in self.shown_fields),
                *sorted((kept.payload or {}).items()),
            ]
        return TemplateResponse(request, "retention/archive_consult.html", context)


@admin.register(ErasureTombstone)
class ErasureTombstoneAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "erasure", "erased_on", "reapplied", "last_reapplied_at", "held_found_at", "readmitted_at")
    list_select_related = ("erasure",)
    readonly_fields = (
        "erasure",
        "email_hash",
        "phone_hash",
        "erased_on",
        "reapplied",
        "last_reapplied_at",
        "held_found_at",
        "readmitted_subject_ref",
        "readmitted_at",
        "readmission_basis",
    )
    fields = readonly_fields


class DisclosureLogForm(forms.ModelForm):
    """Refuses, beside the form, a disclosure the service would refuse (restriction, partner consent)."""

    def clean(self):
        cleaned = super().clean()
        subject, recipient = cleaned.get("subject"), cleaned.get("recipient")
        if subject is not None and recipient is not None:
            refusal = notification_services.disclosure_refusal(
                subject=subject,
                recipient=recipient,
                disclosed_on=cleaned.get("disclosed_on") or timezone.localdate(),
            )
            if refusal:
                raise ValidationError(refusal)
        return cleaned


@admin.register(DisclosureLog)
class DisclosureLogAdmin(
    PersonLabelledAdminMixin, ActiveSubjectsOnlyMixin, PersonalDataAdminMixin, ScaledAdminMixin, admin.ModelAdmin
):
    """Every disclosure to a recipient (R1.12.1); written through ``disclosure_record``, never edited."""

    form = DisclosureLogForm
    list_display = ("id", "subject", "recipient", "disclosed_on", "purpose")
    list_select_related = ("subject", "recipient")
    autocomplete_fields = ("subject",)
    search_fields = ("=subject__email",)
    search_number_fields = ("subject_id",)
    search_help_text = _("A subject number (123 or n° 123) or the person's e-mail address.")
    ordering = ("-id",)  # newest first by the primary key: no sort of the whole table
    fields = ("subject", "recipient", "disclosed_on", "categories", "purpose")

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        created = notification_services.disclosure_record(
            subject=obj.subject,
            recipient=obj.recipient,
            categories=obj.categories,
            purpose=obj.purpose,
            disclosed_on=obj.disclosed_on,
            actor=request.user,
        )
        adopt_created(obj, created)


class ImpossibleForm(forms.Form):
    justification = forms.CharField(
        label=_("Why notifying this recipient is impossible or involves disproportionate effort (Art. 19)"),
        widget=forms.Textarea,
    )


@admin.register(RecipientNotification)
class RecipientNotificationAdmin(NotificationDueMixin, GuardedViewsMixin, ReadOnlyModelAdmin):
    list_display = (
        "id",
        "request",
        "recipient",
        "change_kind",
        "status",
        "due",
        "created_at",
        "sent_at",
        "acknowledged_at",
    )
    list_filter = ("status", "change_kind")
    list_select_related = ("request", "recipient")
    search_number_fields = ("subject_ref", "request_id")
    search_help_text = _("A subject or request number (123 or n° 123).")
    actions = ("mark_sent", "mark_acknowledged")
    readonly_fields = (
        "request",
        "subject_ref",
        "recipient",
        "change_kind",
        "categories",
        "last_disclosed_on",
        "status",
        "due",
        "justification",
        "created_at",
        "sent_at",
        "acknowledged_at",
        "closed_by_username",
        "impossible_link",
    )
    fields = readonly_fields

    @admin.display(description=_("impossible or disproportionate?"))
    def impossible_link(self, obj: RecipientNotification) -> str:
        if obj.pk is None or obj.status != RecipientNotification.Status.PENDING:
            return "—"
        url = reverse("admin:requests_dsar_recipientnotification_impossible", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Close with a justification"))

    def _apply(self, request, queryset, service, done: str) -> None:
        count = 0
        for notification in queryset:
            try:
                service(notification=notification, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"#{notification.pk}: " + "; ".join(error.messages), messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("Mark as sent to the recipient"), permissions=["track"])
    def mark_sent(self, request, queryset):
        self._apply(request, queryset, notification_services.notification_mark_sent, _("%(n)s marked as sent."))

    @admin.action(description=_("Mark as acknowledged by the recipient"), permissions=["track"])
    def mark_acknowledged(self, request, queryset):
        self._apply(
            request, queryset, notification_services.notification_mark_acknowledged, _("%(n)s marked as acknowledged.")
        )

    def has_track_permission(self, request) -> bool:
        return request.user.has_perm("requests_dsar.change_recipientnotification")

    def get_urls(self):
        return [
            self.guarded_path(
                "<int:object_id>/impossible/",
                self.impossible_view,
                name="requests_dsar_recipientnotification_impossible",
                allowed=lambda request, **kwargs: self.has_track_permission(request),
            ),
            *super().get_urls(),
        ]

    def impossible_view(self, request, object_id: int):
        notification = self.get_object(request, str(object_id))
        if notification is None:
            raise Http404
        change_url = reverse("admin:requests_dsar_recipientnotification_change", args=[notification.pk])
        form = ImpossibleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                notification_services.notification_mark_impossible(
                    notification=notification, justification=form.cleaned_data["justification"], actor=request.user
                )
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, _("Closed as impossible, with its justification."), messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Notification impossible or disproportionate (Art. 19)"),
            "form": form,
            "object_label": str(notification),
            "opts": self.opts,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/action_page.html", context)
