from functools import update_wrapper

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import PermissionDenied
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

    def admin_view(self, view, cacheable=False):
        """Django's history page looks the object up before checking the permission (a "does not
        exist" redirect tells a user without rights which ids exist): check it first, as every
        other page of ours does (``GuardedViewsMixin``)."""
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, admin.ModelAdmin) and view.__name__ == "history_view":
            history_view = view

            def view(request, *args, **kwargs):
                if not model_admin.has_view_or_change_permission(request):
                    raise PermissionDenied
                return history_view(request, *args, **kwargs)

            view = update_wrapper(view, history_view)
        return super().admin_view(view, cacheable)

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
