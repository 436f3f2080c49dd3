"""Language selection: the admin follows the browser, the public pages follow their URL."""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import Resolver404, get_resolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, except that pages outside ``i18n_patterns`` (the admin) use Accept-Language.

    As soon as ``i18n_patterns(prefix_default_language=False)`` is used, Django forces LANGUAGE_CODE on
    every unprefixed path. That is right for the public /privacy/ pages (/privacy/... is French,
    /en/privacy/... English) but would pin the admin to French whatever the browser asks.
    """

    def process_request(self, request):
        super().process_request(request)
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        path = request.path_info
        if translation.get_language_from_path(path) or _under_i18n_patterns(path, urlconf):
            return
        translation.activate(translation.get_language_from_request(request, check_path=False))
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
