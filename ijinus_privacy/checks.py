"""System checks for production (``manage.py check --deploy``)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}  # noqa: S104  (names to refuse, not to bind)


@register(deploy=True)
def identifier_hash_key_check(app_configs, **kwargs) -> list[Warning]:
    """The suppression list and erasure tombstones are keyed hashes: they must outlive a secret rotation."""
    if getattr(settings, "IDENTIFIER_HASH_KEY", ""):
        return []
    return [
        Warning(
            "IDENTIFIER_HASH_KEY is not set: suppression-list and erasure-tombstone hashes are derived from "
            "SECRET_KEY, so rotating the secret would make every suppressed person marketable again.",
            hint="Set IDENTIFIER_HASH_KEY to a long random value and never rotate it.",
            id="ijinus_privacy.W001",
        )
    ]


@register(deploy=True)
def public_base_url_check(app_configs, **kwargs) -> list[Error]:
    """Every e-mailed link (confirmation, identity check, download, unsubscribe) starts with PUBLIC_BASE_URL."""
    url = getattr(settings, "PUBLIC_BASE_URL", "") or ""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host not in LOCAL_HOSTS and not host.endswith(".localhost"):
        return []
    return [
        Error(
            f"PUBLIC_BASE_URL is {url!r}: the links e-mailed to people (request confirmation, identity check, "
            "export download, unsubscribe) would not reach this site.",
            hint="Set PUBLIC_BASE_URL to the site's public https address, e.g. https://privacy.ijinus.com.",
            id="ijinus_privacy.E012",
        )
    ]
