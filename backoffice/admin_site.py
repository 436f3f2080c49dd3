from functools import update_wrapper

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminSite

NEUTRAL_LOGIN_ERROR = _("Incorrect username, password or code.")


class TwoFactorLoginForm(AdminAuthenticationForm):
    """Username, password and authenticator code in one step (R5.2.2).

    The code is checked against the user's confirmed devices (TOTP first), so nobody picks a device.
    Whatever was wrong (username, password, code, a device throttled after wrong codes), the answer is
    the same message, so the page never tells a right password from a wrong one. A wrong or missing
    code counts as a failed login, for the audit trail and the lockout (django-axes).
    """

    otp_token = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "required": True}),
        help_text=_("The 6-digit code shown by your authenticator app."),
    )
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": NEUTRAL_LOGIN_ERROR,
        "inactive": NEUTRAL_LOGIN_ERROR,
    }

    def clean(self):
        super().clean()  # the password (and the lockout, through the authentication backends)
        user = self.user_cache
        if user is None:
            return self.cleaned_data
        device = self._device_accepting("".join((self.cleaned_data.get("otp_token") or "").split()))
        if device is None:
            self.user_cache = None
            user_login_failed.send(
                sender=__name__, credentials={"username": self.cleaned_data.get("username")}, request=self.request
            )
            raise self.get_invalid_login_error()
        user.otp_device = device  # django-otp marks the session verified on login
        return self.cleaned_data

    def _device_accepting(self, token: str):
        if not token:
            return None
        with transaction.atomic():
            for device in devices_for_user(self.user_cache, confirmed=True, for_verify=True):
                allowed, _details = device.verify_is_allowed()
                if allowed and device.verify_token(token):
                    return device
        return None


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete, with each result labelled by the target model's admin when it says
    how (``autocomplete_label(obj)``, rows read with ``autocomplete_queryset(qs)``): the person
    picker shows name, e-mail, city and roles (subjects.person_page), while ``__str__``, which logs
    and the audit trail use, stays a number."""

    def get_queryset(self):
        queryset = super().get_queryset()
        prepare = getattr(self.model_admin, "autocomplete_queryset", None)
        return prepare(queryset) if prepare else queryset

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


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

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "dashboard/assign/<int:request_id>/",
                self.admin_view(self.assign_to_me_view),
                name="dashboard_assign_to_me",
            ),
            *super().get_urls(),
        ]

    def assign_to_me_view(self, request, request_id: int):
        """The triage inbox's "assign to me": POST only, the permission checked before the request is read."""
        from requests_dsar.models import Request
        from requests_dsar.services import request_assign

        if request.method != "POST" or not request.user.has_perm("requests_dsar.change_request"):
            raise PermissionDenied
        dsar = Request.objects.filter(pk=request_id).first()
        if dsar is None:
            raise PermissionDenied
        try:
            request_assign(request=dsar, owner=request.user, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Request #%(id)s is yours: you are its owner.") % {"id": request_id})
        return HttpResponseRedirect(reverse("admin:index") + "#dash-triage")

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

    def autocomplete_view(self, request):
        return LabelledAutocompleteJsonView.as_view(admin_site=self)(request)

    def get_app_list(self, request, app_label=None):
        """The apps and models the user may see, built when a page first reads them: the sidebar is
        served from its per-user cache (``each_context``), so most pages never build the list."""
        return SimpleLazyObject(lambda: super(IjinusAdminSite, self).get_app_list(request, app_label))

    def each_context(self, request):
        """Adds the key of the user's cached sidebar (``templates/admin/nav_sidebar.html``).

        The sidebar costs a third of a list page's time (every model's links, rendered for every
        page; issue 13, T3). It depends only on the user's permissions, the language and which model
        the page belongs to, so it is cached per user, language and page kind for
        ``NAV_SIDEBAR_CACHE_SECONDS`` in each process's memory (never in Redis: the admin must not
        depend on it). A permission taken away hides its link within that time; the pages behind
        the links check permissions on every request, so a link shown for a few more seconds opens
        nothing.
        """
        context = super().each_context(request)
        match = request.resolver_match
        if match is not None and request.user.is_authenticated:
            page_kind = f"{match.url_name}:{match.kwargs.get('app_label', '')}"
            context["nav_sidebar_key"] = f"{self.name}:{request.user.pk}:{page_kind}"
        context["nav_sidebar_seconds"] = settings.NAV_SIDEBAR_CACHE_SECONDS
        return context

    @property
    def login_form(self):
        return TwoFactorLoginForm if settings.ADMIN_REQUIRE_2FA else AdminAuthenticationForm

    @property
    def login_template(self):
        return "admin/login_two_factor.html" if settings.ADMIN_REQUIRE_2FA else None

    def has_permission(self, request) -> bool:
        if settings.ADMIN_REQUIRE_2FA:
            return super().has_permission(request)
        return admin.AdminSite.has_permission(self, request)
