"""``Authorization: Bearer <key>``: the API client's own key (``connectors.services.api_keys``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from ..models import ApiClient
from ..services.api_keys import api_key_check

REFUSALS = {
    "invalid": _("Invalid API key."),
    "revoked": _("This API key has been revoked."),
    "expired": _("This API key has expired."),
}


@dataclass(frozen=True)
class ApiPrincipal:
    """``request.user`` of an API call: the client, never a staff account."""

    client: ApiClient
    is_authenticated = True
    is_staff = False
    pk = None

    def __str__(self) -> str:
        return self.client.actor.get_username()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(REFUSALS["invalid"])
        checked = api_key_check(header[1])
        # The view's audit names a known client even when its key is refused (revoked, expired).
        request._request.api_client = checked.client
        if checked.refusal:
            raise exceptions.AuthenticationFailed(REFUSALS[checked.refusal])
        return ApiPrincipal(checked.client), checked.client

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
