"""The two-step admin import (preview, then confirm) without keeping the upload on the server.

django-import-export's confirm step normally writes the upload to a temporary file between the
preview and the confirmation, and leaves it there when the preview is abandoned. Here the
"temporary storage" is the confirm form itself: the file travels back to the browser sealed with
Fernet (encrypted and authenticated, key derived from ``SECRET_KEY`` for this purpose only) and is
opened again on confirm, for ``PREVIEW_MAX_AGE`` seconds. Nothing is written to disk or cache, so
nothing is left behind; a tampered or expired seal is refused and the file must be uploaded again.
"""

from __future__ import annotations

import base64
import hashlib

from django.conf import settings
from import_export.tmp_storages import BaseStorage

PREVIEW_MAX_AGE = 3600


class PreviewExpired(Exception):
    """The sealed upload is older than ``PREVIEW_MAX_AGE`` or was altered."""


def _fernet():
    from cryptography.fernet import Fernet

    digest = hashlib.sha256(f"subjects.import_preview:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class SealedUploadStorage(BaseStorage):
    """``name`` is the sealed file itself; ``save`` seals, ``read`` opens, ``remove`` has nothing to do."""

    def save(self, data) -> None:
        raw = data.encode(self.encoding or "utf-8") if isinstance(data, str) else bytes(data)
        self.name = _fernet().encrypt(raw).decode()

    def read(self):
        from cryptography.fernet import InvalidToken

        try:
            raw = _fernet().decrypt((self.name or "").encode(), ttl=PREVIEW_MAX_AGE)
        except InvalidToken as error:
            raise PreviewExpired from error
        return raw if "b" in self.read_mode else raw.decode(self.encoding or "utf-8")

    def remove(self) -> None:
        return None
