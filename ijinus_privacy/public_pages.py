"""What the public pages (no login) share: a readable answer to a request they do not accept."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def allow_methods(*methods: str) -> Callable:
    """Like ``require_http_methods``, but the 405 is a page in the visitor's language, not an empty body."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def inner(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = render(request, "requests_dsar/public/method_not_allowed.html", status=405)
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, **kwargs)

        return inner

    return decorator
