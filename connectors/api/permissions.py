"""Scopes: each view names the one it needs (``required_scope``); a key without it gets 403."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from ..models import ApiClient


class HasScope(permissions.BasePermission):
    message = _("This API key does not have the scope this call needs.")

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False  # no key: DRF answers 401 (the authentication header is set)
        return client.has_scope(view.required_scope)
