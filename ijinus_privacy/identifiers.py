"""Keyed hashes of contact identifiers kept after the person is gone (suppression list, tombstones).

An e-mail address or phone number is normalised, then hashed with HMAC-SHA256 under
``settings.IDENTIFIER_HASH_KEY`` (or, when unset, a key derived from ``SECRET_KEY``). Without the
key, nobody can test a guessed address against the list; with it, the same address always gives the
same hash, so a re-import or a new subject with that address is recognised (R1.13.3, R2.3).
Set ``IDENTIFIER_HASH_KEY`` in production so the hashes survive a rotation of ``SECRET_KEY``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from enum import StrEnum

from django.conf import settings


class IdentifierKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased: the form every e-mail is stored, searched and hashed in."""
    return (email or "").strip().lower()


def normalise_phone(phone: str) -> str:
    """Digits only, French national numbers in international form: ``06 12-34`` -> ``+33612...``."""
    raw = (phone or "").strip()
    digits = re.sub(r"\D", "", raw)
    if not digits:
        return ""
    if raw.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0") and len(digits) == 10:
        return "+33" + digits[1:]
    return "+" + digits


def normalise_identifier(kind: IdentifierKind | str, value: str) -> str:
    return normalise_email(value) if kind == IdentifierKind.EMAIL else normalise_phone(value)


def _key() -> bytes:
    configured = getattr(settings, "IDENTIFIER_HASH_KEY", "")
    if configured:
        return configured.encode()
    return hashlib.sha256(b"ijinus-identifier-hash:" + settings.SECRET_KEY.encode()).digest()


def identifier_hash(kind: IdentifierKind | str, value: str) -> str:
    """HMAC-SHA256 (hex) of the normalised identifier, or "" when there is nothing to hash."""
    normalised = normalise_identifier(kind, value)
    if not normalised:
        return ""
    message = f"{IdentifierKind(kind).value}:{normalised}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def subject_identifier_hashes(*, email: str, phone: str) -> dict[str, str]:
    """The hashes of a subject's e-mail and phone, by kind; blank identifiers are left out."""
    hashes = {IdentifierKind.EMAIL.value: identifier_hash(IdentifierKind.EMAIL, email)}
    hashes[IdentifierKind.PHONE.value] = identifier_hash(IdentifierKind.PHONE, phone)
    return {kind: value for kind, value in hashes.items() if value}
