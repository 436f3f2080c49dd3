from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import AuditEvent, OutboxMessage


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Rows written only by services (audit trail, timelines, proofs, run records): listed and
    opened, never added, changed or deleted in the admin."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """The same, shown on a parent's page."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PersonalDataAdminMixin:
    """For admins of models holding personal data: opening a record is an audited view (R5.1.1)."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit.record(action=audit.Action.VIEW, actor=request.user, obj=obj)
        return response


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "occurred_at", "actor_username", "action", "object_type", "object_id", "subject_id", "reason")
    list_filter = ("action",)
    search_fields = ("=subject_id", "=actor_username", "=object_id")
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    list_per_page = 100

    @admin.display(description=_("fields"))
    def field_names(self, obj: AuditEvent) -> str:
        return ", ".join(obj.fields)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyModelAdmin):
    """What left and what did not, for the DPO (view permission: DPO only, ``roles.py``).

    Never the content: recipient, bodies and attachments stay encrypted and are emptied once sent.
    What a message carried is read where it belongs (the request, its letters and exports).
    """

    list_display = ("id", "purpose", "object_id", "state", "attempts", "created_at", "next_attempt_at", "sent_at")
    list_filter = ("state", "purpose")
    search_fields = ("=object_id",)
    fields = (
        "purpose",
        "object_id",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
    )
    readonly_fields = fields
    actions = ["retry"]

    @admin.action(description=_("Send the selected e-mails again now"), permissions=["retry"])
    def retry(self, request, queryset) -> None:
        from .outbox import outbox_retry

        done = 0
        for message in queryset.filter(state__in=[OutboxMessage.State.FAILED, OutboxMessage.State.QUEUED]):
            outbox_retry(message=message, actor=request.user)
            done += 1
        self.message_user(request, _("%(count)s e-mail(s) queued again.") % {"count": done}, messages.SUCCESS)

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("ijinus_privacy.retry_outboxmessage")
