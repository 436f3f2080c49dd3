from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import AuditEvent


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
