"""Issue and revoke API keys; record each API call (issue 15; Art. 32 GDPR, access control and logging).

The key is ``ijp_<prefix>_<secret>``: the prefix finds the client, the SHA-256 of the whole key
checks it (compared in constant time). The plaintext is returned once by ``api_client_issue`` and
never stored. Every call to ``/api/v1/`` is recorded in the audit trail by ``api_call_record``:
the client, the method and route (never the URL with its values), the HTTP status.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit

from ..models import ApiClient, Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

KEY_PREFIX = "ijp"
RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")
# Compared against when the prefix is unknown, so an unknown key costs the same work as a wrong one.
_UNKNOWN_KEY_HASH = hashlib.sha256(b"no such key").hexdigest()


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"


def key_prefix_of(key: str) -> str:
    parts = key.split("_", 2)
    return parts[1] if len(parts) == 3 and parts[0] == KEY_PREFIX else ""


@dataclass(frozen=True)
class KeyCheck:
    """What the presented key turned out to be: a client, and why it is refused if it is."""

    client: ApiClient | None
    refusal: str = ""  # "" (accepted), "invalid", "revoked", "expired"


def api_key_check(key: str, *, now: datetime | None = None) -> KeyCheck:
    """Find the client of ``key``; a wrong secret is "invalid" whatever the prefix matched."""
    prefix = key_prefix_of(key)
    client = ApiClient.objects.filter(key_prefix=prefix).first() if prefix else None
    matches = hmac.compare_digest(client.key_hash if client else _UNKNOWN_KEY_HASH, key_hash(key))
    if client is None or not matches:
        return KeyCheck(client=None, refusal="invalid")
    if client.revoked_at is not None:
        return KeyCheck(client=client, refusal="revoked")
    if client.is_expired(now=now):
        return KeyCheck(client=client, refusal="expired")
    return KeyCheck(client=client)


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = sorted(set(scopes))
    if not scopes:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    unknown = [scope for scope in scopes if scope not in Scope.values]
    if unknown:
        raise ValidationError({"scopes": _("Unknown scopes: %(scopes)s") % {"scopes": ", ".join(unknown)}})
    return scopes


def api_client_issue_check(
    *, scopes: Iterable[str], expires_at: datetime | None, rate_limit: str, now: datetime | None = None
) -> list[str]:
    """Refuse what ``api_client_issue`` would refuse (field errors); return the scopes, sorted."""
    errors: dict[str, list[str]] = {}
    try:
        scopes = _clean_scopes(scopes)
    except ValidationError as error:
        errors.update(error.message_dict)
    if expires_at is not None and expires_at <= (now or timezone.now()):
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if rate_limit and not RATE.match(rate_limit):
        errors["rate_limit"] = [_("Write the limit as a number of calls per period, e.g. 120/minute.")]
    if errors:
        raise ValidationError(errors)
    return scopes


@transaction.atomic
def api_client_issue(
    *,
    name: str,
    scopes: Iterable[str],
    actor: User | None,
    description: str = "",
    expires_at: datetime | None = None,
    rate_limit: str = "",
    now: datetime | None = None,
) -> tuple[ApiClient, str]:
    """Create a client with a new key; return it with the key in clear, to show once and forget."""
    actors.require(actor, "connectors.issue_apiclient")
    scopes = api_client_issue_check(scopes=scopes, expires_at=expires_at, rate_limit=rate_limit, now=now)
    prefix, key = _new_key()
    client = ApiClient(
        name=name,
        description=description,
        scopes=scopes,
        key_prefix=prefix,
        key_hash=key_hash(key),
        rate_limit=rate_limit,
        expires_at=expires_at,
        created_by=actors.staff_or_none(actor),
        created_by_username=actors.username(actor),
    )
    client.full_clean()
    client.save()
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=client,
        fields=["name", "scopes", "key_prefix", "key_hash", "expires_at", "rate_limit"],
        reason="API key issued",
    )
    return client, key


@transaction.atomic
def api_client_revoke(*, client: ApiClient, actor: User | None, reason: str = "", now: datetime | None = None) -> bool:
    """Revoke the key at once (every later call gets 401); False when it was already revoked."""
    actors.require(actor, "connectors.revoke_apiclient")
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        return False
    client.revoked_at = now or timezone.now()
    client.revoked_by = actors.staff_or_none(actor)
    client.revoked_by_username = actors.username(actor)
    client.revocation_reason = reason.strip()[:300]
    client.save(update_fields=["revoked_at", "revoked_by", "revoked_by_username", "revocation_reason"])
    audit.record(
        action=audit.Action.CHANGE,
        actor=actor,
        obj=client,
        fields=["revoked_at", "revoked_by", "revocation_reason"],
        reason="API key revoked",
    )
    return True


@transaction.atomic
def api_call_record(
    *,
    client: ApiClient,
    method: str,
    route: str,
    status: int,
    action: str = audit.Action.VIEW,
    subject_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Audit one call (client, method, route pattern, status) and mark the key as used.

    ``route`` is the URL pattern (``requests/{reference}/``), never the URL with its values; the
    subject, when the call concerned a known person, is their id, as every audit event keeps it.
    """
    now = now or timezone.now()
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    audit.record(
        action=action,
        actor=client.actor,
        object_type="connectors.apiclient",
        object_id=client.pk,
        subject_id=subject_id,
        reason=f"API {method} /api/v1/{route} -> {status}",
    )
