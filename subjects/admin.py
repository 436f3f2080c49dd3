from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.admin import PersonalDataAdminMixin

from .models import DataSubject, SubjectRole


class SubjectRoleInline(admin.TabularInline):
    model = SubjectRole
    extra = 0


@admin.register(DataSubject)
class DataSubjectAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ("id", "last_name", "first_names", "email", "organisation", "kind")
    list_filter = ("kind", "roles__role")
    search_fields = ("=email", "last_name", "first_names", "phone")
    show_full_result_count = False
    inlines = [SubjectRoleInline]
    fieldsets = (
        (
            _("Identity (policy §3.1)"),
            {"fields": ("kind", "last_name", "first_names", "marital_status", "date_of_birth", "language")},
        ),
        (_("Contact"), {"fields": ("email", "phone", "street_address", "postal_code", "city", "country")}),
        (_("Professional contact"), {"fields": ("organisation", "job_title")}),
        (_("Status"), {"fields": ("deceased_on",)}),
    )
