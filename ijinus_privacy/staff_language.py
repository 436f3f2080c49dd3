"""The admin's language: French by default, each staff member's own choice kept in the database.

The admin used to follow the browser's Accept-Language, so a DPO with an English browser read an
English admin beside French letters and French decision texts (issue 16). Now:

- the admin is French (``LANGUAGE_CODE``) unless the staff member chose English with the switch in
  the admin header; the choice is a ``StaffPreference`` row written by ``staff_language_set`` with its
  audit event, so it follows the person to another browser (it is read at each login);
- the choice is also kept in the session (no query per page) and in Django's language cookie (the
  login page of that browser speaks the same language);
- the public pages keep their URL-based language (/privacy/... French, /en/privacy/... English) and
  the HTTP API its Accept-Language: this applies to the admin only.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.http import require_POST

from ijinus_privacy import audit
from ijinus_privacy.choices import Language
from ijinus_privacy.models import StaffPreference

SESSION_KEY = "_staff_language"


def staff_language_of(user) -> str:
    """The language this staff member chose for the admin, or "" (French, the default)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return StaffPreference.objects.filter(user_id=user.pk).values_list("language", flat=True).first() or ""


@transaction.atomic
def staff_language_set(*, user, language: str, actor) -> StaffPreference:
    """Keep ``language`` as ``user``'s admin language; a person sets only their own."""
    if language not in Language.values:
        raise ValidationError(_("Unknown language."))
    if actor is None or getattr(actor, "pk", None) != user.pk:
        raise ValidationError(_("Only the person themselves chooses the language of their admin."))
    preference, _created = StaffPreference.objects.update_or_create(user=user, defaults={"language": language})
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=preference, fields=["language"])
    return preference


def admin_language(request: HttpRequest) -> str:
    """The admin's language before the user is known: this browser's last choice, else French."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in Language.values else settings.LANGUAGE_CODE


def accept_language(request: HttpRequest) -> str:
    """The HTTP API's language: Accept-Language only (an API client's cookies choose nothing)."""
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def is_admin_path(path: str) -> bool:
    return path.startswith(reverse("admin:index"))


class StaffLanguageMiddleware:
    """After authentication: a staff member's admin pages in the language they chose (French if none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if is_admin_path(request.path_info):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and user.is_staff:
                language = request.session.get(SESSION_KEY)
                if language is None:  # a session opened before the preference existed
                    language = request.session[SESSION_KEY] = staff_language_of(user)
                if language:
                    translation.activate(language)
                    request.LANGUAGE_CODE = language
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="staff_language_at_login")
def _language_at_login(sender, request, user, **kwargs) -> None:
    """Each new session, in any browser, starts in the language the person chose."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = staff_language_of(user)


@require_POST
def staff_language_switch(request: HttpRequest):
    """The header's French / English switch (wrapped in ``admin_view``: staff only, 2FA when required)."""
    language = request.POST.get("language", "")
    if language not in Language.values:
        return HttpResponseBadRequest()
    staff_language_set(user=request.user, language=language, actor=request.user)
    request.session[SESSION_KEY] = language
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("admin:index")
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE or request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response
