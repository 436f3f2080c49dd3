"""The visitor's address, as seen by the outermost of our own reverse proxies.

One function and one setting (``TRUSTED_PROXY_COUNT``) for everything that limits by address: the
public pages' rate limits and the admin lockout (django-axes, ``AXES_CLIENT_IP_CALLABLE``).

Each proxy appends the address it received the connection from to ``X-Forwarded-For``; entries to
the left of those our proxies wrote come from the client and can be anything. Behind N trusted
proxies the visitor is therefore the Nth entry from the right. With no proxy (0) the header is
ignored. A request carrying fewer entries than expected, or an entry that is not an IP address,
falls back to ``REMOTE_ADDR``, which cannot be forged.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
