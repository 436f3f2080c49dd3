"""The stock way, for comparison: plain ``ModelAdmin``\\ s of the big models on a second admin site.

Mounted at ``/stock/`` by the benchmark's own URL configuration (``bench.urls``) only, never by the
project's. Each lists the same columns as ours with Django's defaults: the paginator's exact count
plus the full result count, the default facets, foreign keys joined for display, and ``search_fields``
without a lookup prefix (``icontains`` on every field, no index can serve it).
"""

from __future__ import annotations

from django.contrib import admin

from consents.models import ConsentEvent
from ijinus_privacy.models import AuditEvent
from requests_dsar.models import Request
from subjects.models import DataSubject

site = admin.AdminSite(name="stock")

STOCK: dict[type, dict] = {
    DataSubject: {
        "list_display": ("id", "last_name", "first_names", "email", "organisation", "kind"),
        "list_filter": ("kind",),
        "search_fields": ("email", "last_name", "first_names", "phone"),
    },
    ConsentEvent: {
        "list_display": ("id", "subject", "channel", "action", "occurred_at", "collection_point", "mechanism"),
        "list_filter": ("channel", "action"),
        "search_fields": ("subject__id", "visitor_id"),
    },
    AuditEvent: {
        "list_display": ("id", "occurred_at", "actor_username", "action", "object_type", "object_id", "subject_id"),
        "list_filter": ("action",),
        "search_fields": ("subject_id", "actor_username", "object_id"),
        "list_per_page": 100,
    },
    Request: {
        "list_display": ("id", "received_on", "channel", "state", "due_on", "identity_request_late"),
        "list_filter": ("state", "channel", "identity_request_late"),
        "search_fields": ("id", "requester_email", "subject__email"),
    },
}

for model, options in STOCK.items():
    site.register(model, type(f"Stock{model.__name__}Admin", (admin.ModelAdmin,), dict(options)))
