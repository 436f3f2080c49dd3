"""``/api/v1/`` (included by name from ``ijinus_privacy/urls.py``). No personal data in any of these paths."""

from __future__ import annotations

from django.urls import path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

# Swagger UI (served from drf-spectacular-sidecar's static files, no CDN): its scripts load from
# this site, as the CSP wants; only its own inline styles need 'unsafe-inline', on this page alone.
DOCS_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}

urlpatterns = [
    path("consents/", views.ConsentEventView.as_view(), name="consents"),
    path("marketable/", views.MarketableView.as_view(), name="marketable"),
    path("requests/", views.RequestLogView.as_view(), name="requests"),
    path("requests/<str:reference>/", views.RequestStatusView.as_view(), name="request-status"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", csp_override(DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
]
