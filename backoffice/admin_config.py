from django.contrib.admin.apps import AdminConfig


class IjinusAdminConfig(AdminConfig):
    """The admin app, serving ``IjinusAdminSite`` as ``admin.site``."""

    default_site = "backoffice.admin_site.IjinusAdminSite"
