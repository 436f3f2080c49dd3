"""HTTP for connectors: JSON in and out, a timeout on every call, failures sorted transient or permanent.

The standard library's client is enough here (one call at a time, JSON, no streaming), so no
dependency is added. What this module keeps from an answer for the DPO is the status code and a
short machine-readable error word (``error`` or ``title``), never the body: a remote error message
may quote the person's e-mail address.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from .contract import PermanentError, TransientError

TRANSIENT_STATUSES = frozenset({408, 425, 429})
SAFE_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9 _.-]{0,60}$")
USER_AGENT = "IJINUS-Privacy-Connector/1"


@dataclass(frozen=True)
class Response:
    status: int
    body: dict[str, Any]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed: the credential must not travel to another address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _decode(raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {"items": value}


def _error_word(body: dict[str, Any]) -> str:
    for key in ("error", "title", "code"):
        word = body.get(key)
        if isinstance(word, str) and SAFE_WORD.match(word) and "@" not in word:
            return word
    return ""


def call(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    body: dict[str, Any] | None = None,
    timeout: float,
    accept: tuple[int, ...] = (),
) -> Response:
    """One HTTP call. 2xx and the ``accept``-ed statuses come back; anything else raises.

    Connection refused, DNS failure, timeout, 5xx, 408, 425 and 429: ``TransientError``.
    Any other status (401, 403, 400, 409, 422, a redirect): ``PermanentError``.
    """
    if not url.startswith(("https://", "http://")):
        raise PermanentError("the base URL must be http(s)")
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (scheme checked above)
    request.add_header("Accept", "application/json")
    request.add_header("User-Agent", USER_AGENT)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with _opener.open(request, timeout=timeout) as answer:
            return Response(status=answer.status, body=_decode(answer.read()))
    except urllib.error.HTTPError as error:
        status = error.code
        try:
            payload = _decode(error.read())
        except OSError:
            payload = {}
        finally:
            error.close()
        if status in accept:
            return Response(status=status, body=payload)
        word = _error_word(payload)
        reason = f"{method} answered {status}" + (f" ({word})" if word else "")
        if status >= 500 or status in TRANSIENT_STATUSES:
            raise TransientError(reason, status=status) from None
        raise PermanentError(reason, status=status) from None
    except TimeoutError:
        raise TransientError(f"{method}: no answer within {timeout:g} s") from None
    except urllib.error.URLError as error:
        cause = error.reason
        kind = type(cause).__name__ if isinstance(cause, BaseException) else "unreachable"
        raise TransientError(f"{method}: system unreachable ({kind})") from None
    except (ConnectionError, OSError) as error:
        raise TransientError(f"{method}: system unreachable ({type(error).__name__})") from None
