"""What the public pages' base template needs: the same page in the other language."""

from __future__ import annotations

from django import template
from django.urls import reverse, translate_url
from django.utils import translation

register = template.Library()


@register.simple_tag(takes_context=True)
def same_page_in(context, language: str) -> str:
    """The current page's path in ``language`` (/privacy/... ⇄ /en/privacy/...); the request form
    when the page has no address of its own (an error page rendered without a request)."""
    request = context.get("request")
    if request is not None:
        path = request.path
        translated = translate_url(path, language)
        if translated != path:
            return translated
    with translation.override(language):
        return reverse("requests_dsar_public:request")
