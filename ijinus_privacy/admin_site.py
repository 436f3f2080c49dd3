from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class IjinusAdminSite(admin.AdminSite):
    site_header = _("IJINUS Privacy")
    site_title = _("IJINUS Privacy")
    index_title = _("Data-protection back office")
    enable_nav_sidebar = True


class IjinusAdminConfig(AdminConfig):
    default_site = "ijinus_privacy.admin_site.IjinusAdminSite"
