from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from ijinus_privacy.staff_language import staff_language_switch

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path(  # the admin header's French / English switch, kept per user
        "admin/language/", admin.site.admin_view(staff_language_switch), name="staff_language"
    ),
    path("admin/", admin.site.urls),
    # The HTTP API of the connected systems (JSON, API keys, no language prefix: Accept-Language).
    path("api/v1/", include("connectors.api.urls")),
]
# Public pages, French and English (/fr/privacy/..., /en/privacy/...; no login).
urlpatterns += i18n_patterns(
    path("privacy/", include("requests_dsar.urls")),
    path("privacy/", include("consents.urls")),
    prefix_default_language=False,
)
# MEDIA_ROOT is never served, in any mode: exports and letters are personal data, encrypted at
# rest and read only through permission-checked, audited views (signed link, admin).
