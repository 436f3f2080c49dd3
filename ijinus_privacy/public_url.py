"""The absolute address of a page named in an e-mail (confirmation, identity check, download,
unsubscribe, staff alerts).

In production it is always ``PUBLIC_BASE_URL`` (mandatory, checked at start-up): a Host header is
the visitor's to choose and must never decide where a link in an e-mail points. In development
(``PUBLIC_BASE_URL_FROM_REQUEST``, on when DEBUG is) an e-mail built while serving a web request
uses that request's own address, so that links work whatever address ``runserver`` was started on;
outside a request (a worker, a command) it is the setting.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_current_request: ContextVar[HttpRequest | None] = ContextVar("public_url_current_request", default=None)


class CurrentRequestMiddleware:
    """Make the request being served known to ``public_url`` for the time of the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def public_url(path: str) -> str:
    """``path`` (from ``reverse``) as an absolute address for an e-mail."""
    request = _current_request.get()
    if request is not None and getattr(settings, "PUBLIC_BASE_URL_FROM_REQUEST", False):
        return request.build_absolute_uri(path)
    return settings.PUBLIC_BASE_URL.rstrip("/") + path
