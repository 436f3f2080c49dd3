"""Language selection: the admin is French unless its user chose English, the public pages follow their URL."""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import Resolver404, get_resolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation

from ijinus_privacy.staff_language import accept_language, admin_language, is_admin_path


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, except for the pages outside ``i18n_patterns``.

    As soon as ``i18n_patterns(prefix_default_language=False)`` is used, Django forces LANGUAGE_CODE on
    every unprefixed path. That is right for the public /privacy/ pages (/privacy/... is French,
    /en/privacy/... English). The admin is French whatever the browser asks, unless this browser's
    language cookie says otherwise; once the user is known, ``staff_language.StaffLanguageMiddleware``
    applies the language they chose. The HTTP API follows Accept-Language.
    """

    def process_request(self, request):
        super().process_request(request)
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        path = request.path_info
        if translation.get_language_from_path(path) or _under_i18n_patterns(path, urlconf):
            return
        if is_admin_path(path):
            translation.activate(admin_language(request))
        else:
            translation.activate(accept_language(request))
        request.LANGUAGE_CODE = translation.get_language()


def _under_i18n_patterns(path: str, urlconf) -> bool:
    with translation.override(settings.LANGUAGE_CODE):
        for pattern in get_resolver(urlconf).url_patterns:
            if not isinstance(getattr(pattern, "pattern", None), LocalePrefixPattern):
                continue
            try:
                pattern.resolve(path.removeprefix("/"))
            except Resolver404:
                continue
            return True
    return False
