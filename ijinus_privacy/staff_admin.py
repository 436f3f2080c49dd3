"""Staff accounts in the admin (R5.2.1, R5.2.4): the Administrator role keeps them, without escalation.

Django's own user page lets whoever may change a user tick "superuser" or grant loose permissions,
including to themselves. Here only a superuser sees those controls; anyone else sets roles (groups)
on other people's accounts, never on their own, and deactivates accounts rather than deleting them
(the audit trail keeps who did what either way, R5.1.2).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

User = get_user_model()

ESCALATING_FIELDS = ("is_superuser", "user_permissions")


class StaffUserAdmin(UserAdmin):
    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": tuple(f for f in options["fields"] if f not in ESCALATING_FIELDS)})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser and obj is not None and obj.pk == request.user.pk:
            fields += ["groups", "is_staff", "is_active"]  # no one widens or narrows their own access
        if not request.user.is_superuser and obj is not None and obj.is_superuser:
            fields += ["groups", "is_staff", "is_active", "username"]
        return fields

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False  # a superuser's account (and password) is a superuser's business
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
