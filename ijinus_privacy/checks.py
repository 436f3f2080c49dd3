"""System checks for production (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Warning, register


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
