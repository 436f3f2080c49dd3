"""Admin lockout (django-axes) with a second, address-wide limit.

django-axes counts failures per (username, address) and locks that pair after
``AXES_FAILURE_LIMIT``. That alone lets one address try a few passwords on each of many usernames
(spraying). This handler also adds up the failures of every username from the address over the
cool-off and locks the address once they reach ``AXES_ADDRESS_FAILURE_LIMIT`` (higher, so that a
colleague's typos behind the same office address do not lock everyone at once). The address is
the one ``ijinus_privacy.client_address`` resolves (``TRUSTED_PROXY_COUNT``).
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum


class AddressLockoutHandler(AxesDatabaseHandler):
    def address_failures(self, request) -> int:
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def address_locked(self, request) -> bool:
        return self.address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if not self.address_locked(request):
            return
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )
