from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class IjinusAdminSite(OTPAdminSite):
    """The back office. With ``ADMIN_REQUIRE_2FA`` (production), staff need a TOTP token too."""

    site_header = _("IJINUS Privacy")
    site_title = _("IJINUS Privacy")
    index_title = _("Data-protection back office")
    enable_nav_sidebar = True

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def index(self, request, extra_context=None):
        """The DPO's dashboard above the app list; each widget only for those allowed to see it."""
        from . import dashboard

        extra_context = {**dashboard.context_for(request.user), **(extra_context or {})}
        return super().index(request, extra_context)

    @property
    def login_form(self):
        return OTPAdminAuthenticationForm if settings.ADMIN_REQUIRE_2FA else AdminAuthenticationForm

    @property
    def login_template(self):
        return "otp/admin111/login.html" if settings.ADMIN_REQUIRE_2FA else None

    def has_permission(self, request) -> bool:
        if settings.ADMIN_REQUIRE_2FA:
            return super().has_permission(request)
        return admin.AdminSite.has_permission(self, request)
