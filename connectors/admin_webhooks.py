"""Webhook deliveries in the admin: read-only list and page, the "redeliver" action, and the page
that issues a webhook system's signing secret and shows it once.

Thin: the writes are ``connectors.webhooks.redeliver`` and ``secret_issue`` (audited).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.admin import GuardedViewsMixin, ReadOnlyModelAdmin

from . import webhooks
from .models import ConnectedSystem
from .models.webhooks import WebhookDelivery


class SystemFilter(admin.SimpleListFilter):
    """The webhook systems (a few rows), not the DISTINCT systems of a table that grows."""

    title = _("connected system")
    parameter_name = "system__id__exact"

    def lookups(self, request, model_admin):
        return [
            (system.pk, system.name)
            for system in ConnectedSystem.objects.filter(kind=ConnectedSystem.Kind.WEBHOOK).order_by("name")
        ]

    def queryset(self, request, queryset):
        return queryset.filter(system_id=self.value()) if self.value() else queryset


class EventTypeFilter(admin.SimpleListFilter):
    title = _("event type")
    parameter_name = "event_type"

    def lookups(self, request, model_admin):
        return [(f"subject.{action}", f"subject.{action}") for action in webhooks.EVENT_ACTIONS]

    def queryset(self, request, queryset):
        return queryset.filter(event_type=self.value()) if self.value() else queryset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(GuardedViewsMixin, ReadOnlyModelAdmin):
    list_display = (
        "sent_at",
        "system",
        "event_type",
        "attempt",
        "response_status",
        "outcome",
        "duration_ms",
        "error",
        "task_link",
    )
    list_filter = ("outcome", EventTypeFilter, SystemFilter)
    list_select_related = ("system", "task")
    ordering = ("-sent_at", "-id")
    actions = ["redeliver"]
    fields = (
        "system",
        "task",
        "event_id",
        "event_type",
        "attempt",
        "redelivery_of",
        "requested_by_username",
        "url",
        "signature_timestamp",
        "payload_sha256",
        "request_body",
        "sent_at",
        "duration_ms",
        "response_status",
        "response_excerpt",
        "error",
        "outcome",
    )
    readonly_fields = fields

    @admin.display(description=_("task"))
    def task_link(self, delivery: WebhookDelivery) -> str:
        return f"#{delivery.task_id}" if delivery.task_id else "—"

    def has_redeliver_permission(self, request) -> bool:
        return request.user.has_perm("connectors.redeliver_webhookdelivery")

    @admin.action(description=_("Redeliver the selected events now"), permissions=["redeliver"])
    def redeliver(self, request, queryset):
        sent = 0
        for delivery in queryset.select_related("task", "system"):
            try:
                new = webhooks.redeliver(delivery=delivery, actor=request.user)
            except ValidationError as refusal:
                self.message_user(
                    request,
                    _("Delivery #%(id)s not sent again: %(reason)s")
                    % {"id": delivery.pk, "reason": " ".join(refusal.messages)},
                    messages.ERROR,
                )
                continue
            sent += 1
            level = messages.SUCCESS if new.outcome == WebhookDelivery.Outcome.DELIVERED else messages.WARNING
            self.message_user(
                request,
                _("Delivery #%(id)s sent again as attempt %(attempt)s: %(outcome)s %(status)s")
                % {
                    "id": delivery.pk,
                    "attempt": new.attempt,
                    "outcome": new.get_outcome_display(),
                    "status": new.response_status or new.error,
                },
                level,
            )
        return None

    def get_urls(self):
        extra = [
            self.guarded_path(
                "secret/<int:system_id>/",
                self.secret_view,
                name="connectors_webhookdelivery_secret",
                permission="connectors.change_connectedsystem",
            )
        ]
        return extra + super().get_urls()

    def secret_view(self, request, system_id: int):
        """GET: what issuing does; POST: issue a new secret and show it this once."""
        system = ConnectedSystem.objects.filter(pk=system_id, kind=ConnectedSystem.Kind.WEBHOOK).first()
        if system is None:
            raise Http404
        secret = None
        if request.method == "POST":
            secret = webhooks.secret_issue(system=system, actor=request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "system": system,
            "secret": secret,
            "deliveries_url": reverse("admin:connectors_webhookdelivery_changelist")
            + f"?system__id__exact={system.pk}",
            "title": _("Webhook signing secret"),
            "replay_window": webhooks.replay_window(),
        }
        return render(request, "admin/connectors/webhook_secret.html", context)


def secret_link(system: ConnectedSystem) -> str:
    """A link to the secret page, for the connected-system admin (core) to show on a webhook system."""
    if system.kind != ConnectedSystem.Kind.WEBHOOK or not system.pk:
        return ""
    return format_html(
        '<a href="{}">{}</a>',
        reverse("admin:connectors_webhookdelivery_secret", args=[system.pk]),
        _("Issue the signing secret") if not system.has_credential else _("Replace the signing secret"),
    )
