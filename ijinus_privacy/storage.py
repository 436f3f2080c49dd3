"""Files of personal data at rest (exports, letters, import uploads), encrypted and written atomically.

They live under ``MEDIA_ROOT`` (exports under ``exports/``), encrypted with Fernet.

A file is written to a temporary name in the same directory, flushed and synced, then renamed into
place (``os.replace`` is atomic on one filesystem), so a crash never leaves a half-written export
under its final name; the temporary file is removed on any failure, and one left by a killed
process is removed by the next write of the same file. No temp file lives elsewhere.
The cipher is the core's (``ijinus_privacy.encryption``), shared with letters and queued e-mails.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

from ijinus_privacy import encryption

EXPORT_DIR = "exports"


def absolute(relative: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError("export path outside MEDIA_ROOT")
    return path


def write(content: bytes, *, relative: str) -> str:
    """Encrypt ``content`` and write it atomically at ``relative`` (under MEDIA_ROOT); return the path."""
    target = absolute(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    encrypted = encryption.encrypt(content)
    prefix = f".partial-{target.name}-"
    for leftover in target.parent.glob(f"{prefix}*.tmp"):  # a write of this file killed midway
        leftover.unlink(missing_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(encrypted)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, target)
    except BaseException:
        if os.path.exists(temp_name):
            os.remove(temp_name)
        raise
    return relative


def store(content: bytes, *, job_id: int, folder: str = EXPORT_DIR) -> str:
    """Encrypt and write a job's file (replacing any earlier file of this job); return its path relative
    to MEDIA_ROOT. ``folder``: ``exports``, or ``imports`` for uploads waiting for a background import."""
    return write(content, relative=f"{folder}/{job_id}.enc")  # one name per job: a re-run replaces


def read(relative: str) -> bytes:
    """The decrypted content of a stored export."""
    return encryption.decrypt(absolute(relative).read_bytes())


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
