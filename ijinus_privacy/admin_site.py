from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IjinusAdminSite(admin.AdminSite):
    site_header = _("IJINUS Privacy")
    site_title = _("IJINUS Privacy")
    index_title = _("Data-protection back office")
    enable_nav_sidebar = True

    def index(self, request, extra_context=None):
        """The DPO's dashboard: open requests by due date and the R1.16.3 KPIs."""
        extra_context = extra_context or {}
        if request.user.has_perm("requests_dsar.view_request"):
            from requests_dsar import dashboard

            today = timezone.localdate()
            extra_context["dsar_today"] = today
            extra_context["dsar_open"] = dashboard.open_requests(today=today)
            extra_context["dsar_kpis"] = dashboard.kpis()
        return super().index(request, extra_context)


class IjinusAdminConfig(AdminConfig):
    default_site = "ijinus_privacy.admin_site.IjinusAdminSite"
