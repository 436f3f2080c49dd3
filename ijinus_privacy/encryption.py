"""Encryption of personal data at rest (exports, letters, queued e-mails): Fernet, one key.

The key is ``EXPORT_ENCRYPTION_KEY`` or, when unset, one derived from ``SECRET_KEY`` (the derivation
is unchanged since exports were first encrypted, so files written earlier still decrypt).
"""

from __future__ import annotations

import base64
import hashlib

from django.conf import settings


def fernet():
    from cryptography.fernet import Fernet

    key = settings.EXPORT_ENCRYPTION_KEY
    if not key:
        digest = hashlib.sha256(f"requests_dsar.exports:{settings.SECRET_KEY}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key)


def encrypt(content: bytes) -> bytes:
    return fernet().encrypt(content)


def decrypt(token: bytes) -> bytes:
    return fernet().decrypt(token)
