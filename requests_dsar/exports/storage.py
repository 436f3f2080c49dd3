"""Export files at rest: under ``MEDIA_ROOT/exports/``, encrypted with Fernet, written atomically.

A file is written to a temporary name in the same directory, flushed and synced, then renamed into
place (``os.replace`` is atomic on one filesystem), so a crash never leaves a half-written export
under its final name; the temporary file is removed on any failure. No temp file lives elsewhere.
The key is ``EXPORT_ENCRYPTION_KEY`` or, when unset, one derived from ``SECRET_KEY``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

EXPORT_DIR = "exports"


def _fernet():
    from cryptography.fernet import Fernet

    key = settings.EXPORT_ENCRYPTION_KEY
    if not key:
        digest = hashlib.sha256(f"requests_dsar.exports:{settings.SECRET_KEY}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key)


def absolute(relative: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError("export path outside MEDIA_ROOT")
    return path


def store(content: bytes, *, job_id: int, folder: str = EXPORT_DIR) -> str:
    """Encrypt and write ``content`` (replacing any earlier file of this job); return its path relative
    to MEDIA_ROOT. ``folder``: ``exports``, or ``imports`` for uploads waiting for a background import."""
    directory = Path(settings.MEDIA_ROOT) / folder
    directory.mkdir(parents=True, exist_ok=True)
    relative = f"{folder}/{job_id}.enc"  # one name per job: a re-run replaces, never adds
    encrypted = _fernet().encrypt(content)
    handle, temp_name = tempfile.mkstemp(dir=directory, prefix=".partial-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(encrypted)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, absolute(relative))
    except BaseException:
        if os.path.exists(temp_name):
            os.remove(temp_name)
        raise
    return relative


def read(relative: str) -> bytes:
    """The decrypted content of a stored export."""
    return _fernet().decrypt(absolute(relative).read_bytes())


def remove(relative: str) -> bool:
    if not relative:
        return False
    try:
        absolute(relative).unlink()
    except FileNotFoundError:
        return False
    return True


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
