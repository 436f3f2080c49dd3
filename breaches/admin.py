from django.contrib import admin

from .document_admin import BreachDocumentsAdminMixin
from .models import Breach


@admin.register(Breach)
class BreachAdmin(BreachDocumentsAdminMixin, admin.ModelAdmin):
    list_display = ("title", "status", "aware_at")
