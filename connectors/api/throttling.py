"""Rate limit per API key (``API_RATE_LIMIT``, or the client's own ``rate_limit``); 429 with Retry-After."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from ..models import ApiClient


class ApiClientRateThrottle(SimpleRateThrottle):
    """Counted in the shared cache (Redis in production), so every web process counts the same calls."""

    scope = "api_client"

    def allow_request(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return True
        self.rate = client.rate_limit or settings.API_RATE_LIMIT
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
