"""One-click unsubscribe links (Art. 7(3), Art. 21(2)-(3), R2.3.1, R1.13.2).

The link carries a signed token naming the subject id and the channel (``django.core.signing``,
no expiry: an old newsletter's link must still work). No login, no identity check, no e-mail loop:
the signature is the proof the link came from us. ``GET`` shows a page with one button, because
mail scanners and link previewers follow links; ``POST`` records the withdrawal. A ``POST`` with
the body ``List-Unsubscribe=One-Click`` (RFC 8058, sent by mail clients from the
``List-Unsubscribe-Post`` header) is the same ``POST``, so both the button and the mail client work.
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse
from django.utils import translation

from ijinus_privacy.public_url import public_url

from .models import MARKETING_CHANNELS

SALT = "consents.unsubscribe"


def unsubscribe_token(*, subject_id: int, channel: str) -> str:
    if channel not in MARKETING_CHANNELS:
        raise ValueError(f"{channel!r} is not a marketing channel")
    return signing.dumps({"s": subject_id, "c": channel}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, str]:
    """Return (subject id, channel); raise ``signing.BadSignature`` on a tampered or foreign token."""
    payload = signing.loads(token, salt=SALT)
    if not isinstance(payload, dict) or payload.get("c") not in MARKETING_CHANNELS:
        raise signing.BadSignature("unexpected payload")
    return int(payload["s"]), payload["c"]


def unsubscribe_url(*, subject_id: int, channel: str, language: str = "fr") -> str:
    """The absolute link to put in every marketing message (and its List-Unsubscribe header)."""
    token = unsubscribe_token(subject_id=subject_id, channel=channel)
    with translation.override("en" if language == "en" else "fr"):  # /en/privacy/... or /privacy/...
        path = reverse("consents_public:unsubscribe", kwargs={"token": token})
    return public_url(path)
