"""Connected systems and their tasks in the admin; the tasks of a request on the request's page.

Thin: the DPO's writes go through ``connectors.services`` (audited); service errors become
messages. The credential is write-only: typed in, encrypted at rest, never shown back. Customer
service sees a request's tasks (states, references, reasons), never the systems' configuration.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.admin import GuardedViewsMixin, ReadOnlyInline, ReadOnlyModelAdmin, adopt_created
from requests_dsar.admin import RequestAdmin

from . import services
from .models import Action, ConnectedSystem, ConnectorTask

SUPPORTS = tuple(f"supports_{action}" for action in Action.values)
SYSTEM_FIELDS = (
    "name",
    "kind",
    "base_url",
    "audience_id",
    "active",
    *SUPPORTS,
    "data_categories",
    "activities",
    "recipient",
    "timeout_seconds",
    "max_attempts",
)


class ConnectedSystemForm(forms.ModelForm):
    credential = forms.CharField(
        label=_("credential (API key or token)"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Encrypted at rest and never shown again. Leave blank to keep the one stored."),
    )

    class Meta:
        model = ConnectedSystem
        fields = SYSTEM_FIELDS


@admin.register(ConnectedSystem)
class ConnectedSystemAdmin(admin.ModelAdmin):
    form = ConnectedSystemForm
    list_display = ("name", "kind", "active", "actions_display", "base_url", "has_credential_display")
    list_filter = ("kind", "active")
    search_fields = ("name",)
    filter_horizontal = ("data_categories", "activities")
    fieldsets = (
        (None, {"fields": ("name", "kind", "base_url", "audience_id", "credential", "active")}),
        (_("What its connector does"), {"fields": SUPPORTS}),
        (
            _("What it holds (Art. 15(1)(b), Art. 30)"),
            {"fields": ("data_categories", "activities", "recipient")},
        ),
        (_("Calls"), {"fields": ("timeout_seconds", "max_attempts")}),
    )

    @admin.display(description=_("actions"))
    def actions_display(self, system: ConnectedSystem) -> str:
        return ", ".join(str(Action(action).label) for action in system.actions) or "—"

    @admin.display(description=_("credential set"), boolean=True)
    def has_credential_display(self, system: ConnectedSystem) -> bool:
        return system.has_credential

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # its tasks are the proof of what it carried out: deactivate it instead

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in SYSTEM_FIELDS}
        credential = form.cleaned_data.get("credential", "")
        if change:
            saved = services.connected_system_update(
                system=obj, values=values, credential=credential, actor=request.user
            )
        else:
            saved = services.connected_system_create(values=values, credential=credential, actor=request.user)
        adopt_created(obj, saved)

    def save_related(self, request, form, formsets, change):
        """The many-to-many fields were set by the service."""


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the right is not carried out in this system"),
        widget=forms.Textarea,
        help_text=_(
            "Recorded with your name; the request can then be decided. For example: the system holds "
            "nothing about the person, or an exception of Art. 17(3) applies there."
        ),
    )


def _task_state(task: ConnectorTask) -> str:
    detail = task.last_error if task.state in (ConnectorTask.State.FAILED, ConnectorTask.State.WAITING) else ""
    if task.state == ConnectorTask.State.WAIVED:
        detail = f"{task.waived_reason} ({task.waived_by_username})"
    return f"{task.get_state_display()}: {detail}" if detail else str(task.get_state_display())


class SystemFilter(admin.SimpleListFilter):
    """By connected system: the choices come from the few systems, never from the tasks' table."""

    title = _("connected system")
    parameter_name = "system"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in ConnectedSystem.objects.order_by("name").values_list("pk", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(system_id=int(value))
        return queryset


@admin.register(ConnectorTask)
class ConnectorTaskAdmin(GuardedViewsMixin, ReadOnlyModelAdmin):
    list_display = (
        "id",
        "request_link",
        "system",
        "action",
        "state",
        "attempts",
        "next_attempt_at",
        "remote_ref",
        "last_error",
    )
    list_filter = (SystemFilter, "state", "action")
    list_select_related = ("system", "request")
    search_number_fields = ("subject_ref", "request_id")
    search_help_text = _("A subject or request number (123 or n° 123).")
    actions = ("retry",)
    fields = (
        "request",
        "sweep_run",
        "subject_ref",
        "system",
        "action",
        "state",
        "attempts",
        "next_attempt_at",
        "idempotency_key",
        "remote_ref",
        "last_error",
        "notification",
        "waived_reason",
        "waived_by_username",
        "created_at",
        "started_at",
        "finished_at",
        "waive_link",
    )
    readonly_fields = fields

    @admin.display(description=_("request or sweep"), ordering="request_id")
    def request_link(self, task: ConnectorTask) -> str:
        """What the task carries out: a request, or a retention sweep's disposal (R4.7.2)."""
        if task.request_id is not None:
            url = reverse("admin:requests_dsar_request_change", args=[task.request_id])
            return format_html('<a href="{}">#{}</a>', url, task.request_id)
        if task.sweep_run_id is not None:
            url = reverse("admin:retention_sweeprun_change", args=[task.sweep_run_id])
            return format_html('<a href="{}">{}</a>', url, _("retention sweep n° %(id)s") % {"id": task.sweep_run_id})
        return "—"

    @admin.display(description=_("waive"))
    def waive_link(self, task: ConnectorTask) -> str:
        if task.pk is None or task.state not in (ConnectorTask.State.FAILED, ConnectorTask.State.WAITING):
            return "—"
        url = reverse("admin:connectors_connectortask_waive", args=[task.pk])
        return format_html('<a href="{}">{}</a>', url, _("Waive with a reason"))

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("connectors.retry_connectortask")

    @admin.action(description=_("Retry now (same idempotency key)"), permissions=["retry"])
    def retry(self, request, queryset):
        count = 0
        for task in queryset.select_related("system"):
            try:
                services.task_retry(task=task, actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"#{task.pk}: {text}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, _("%(n)s task(s) queued again.") % {"n": count}, messages.SUCCESS)

    def get_urls(self):
        return [
            self.guarded_path(
                "<int:object_id>/retry/",
                self.retry_view,
                name="connectors_connectortask_retry",
                permission="connectors.retry_connectortask",
            ),
            self.guarded_path(
                "<int:object_id>/waive/",
                self.waive_view,
                name="connectors_connectortask_waive",
                permission="connectors.waive_connectortask",
            ),
            *super().get_urls(),
        ]

    def retry_view(self, request, object_id: int):
        """POST only (the button on the request's page): try the task again now, then go back."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        task = self.get_object(request, str(object_id))
        if task is None:
            raise Http404
        try:
            services.task_retry(task=task, actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, text, messages.ERROR)
        else:
            self.message_user(request, _("%(n)s task(s) queued again.") % {"n": 1}, messages.SUCCESS)
        if task.request_id is not None:
            return HttpResponseRedirect(reverse("admin:requests_dsar_request_change", args=[task.request_id]))
        return HttpResponseRedirect(reverse("admin:connectors_connectortask_change", args=[task.pk]))

    def waive_view(self, request, object_id: int):
        task = self.get_object(request, str(object_id))
        if task is None:
            raise Http404
        back = request.GET.get("back") == "request" and task.request_id is not None
        change_url = (
            reverse("admin:requests_dsar_request_change", args=[task.request_id])
            if back
            else reverse("admin:connectors_connectortask_change", args=[task.pk])
        )
        form = WaiveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.task_waive(task=task, reason=form.cleaned_data["reason"], actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, text, messages.ERROR)
            else:
                self.message_user(request, _("Waived, with its reason."), messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Waive: %(system)s, %(action)s") % {"system": task.system, "action": task.get_action_display()},
            "form": form,
            "object_label": str(task),
            "opts": self.opts,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/action_page.html", context)


class ConnectorTaskInline(ReadOnlyInline):
    """On the request: for each connected system, collected / erased / failed (why) / waiting."""

    model = ConnectorTask
    fk_name = "request"
    verbose_name = _("connected system")
    verbose_name_plural = _("connected systems (rights carried out elsewhere)")
    fields = ("system", "action", "state_display", "attempts", "next_attempt_at", "remote_ref", "dpo_actions")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("system").order_by("system__name", "action")

    @admin.display(description=_("state"))
    def state_display(self, task: ConnectorTask) -> str:
        return _task_state(task)

    @admin.display(description=_("the DPO"))
    def dpo_actions(self, task: ConnectorTask) -> str:
        if task.state not in (ConnectorTask.State.FAILED, ConnectorTask.State.WAITING):
            return "—"
        waive = reverse("admin:connectors_connectortask_waive", args=[task.pk]) + "?back=request"
        retry = reverse("admin:connectors_connectortask_retry", args=[task.pk])
        # A button of the request's own form, posted to the retry view (forms cannot nest): the view
        # reads nothing of the request form but its CSRF token.
        return format_html(
            '<button type="submit" class="button" formaction="{}" formmethod="post" formnovalidate>{}</button>'
            ' · <a href="{}">{}</a>',
            retry,
            _("retry now"),
            waive,
            _("waive with a reason"),
        )


# The request's page lists its connector tasks, before its timeline (the request admin is on a lower
# floor and does not know this app).
if ConnectorTaskInline not in RequestAdmin.inlines:
    RequestAdmin.inlines = [*RequestAdmin.inlines[:-1], ConnectorTaskInline, RequestAdmin.inlines[-1]]
