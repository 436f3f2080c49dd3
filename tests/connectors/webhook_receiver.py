"""A real local HTTP receiver for the webhook tests: it verifies each signature itself, with the
receiver-side check of docs/webhooks.md (not the project's own ``verify_signature``), and answers
the statuses a test queues (200 with a reference by default)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLAY_WINDOW = 300  # seconds, as docs/webhooks.md


def verify(secret: str, header: str, body: bytes, now: float | None = None) -> bool:
    """The receiver-side check of docs/webhooks.md, copied as a processor would copy it."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > REPLAY_WINDOW:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str = ""
    answers: list[tuple[int, str]] = field(default_factory=list)  # (status, body), consumed in order
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/ijinus"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                valid = verify(receiver.secret, self.headers.get("X-Ijinus-Signature", ""), body)
                receiver.received.append(Received(self.path, dict(self.headers), body, valid))
                if not valid:
                    status, text = 401, '{"error": "bad signature"}'
                elif receiver.answers:
                    status, text = receiver.answers.pop(0)
                else:
                    status, text = 200, json.dumps({"reference": f"proc-{len(receiver.received)}"})
                payload = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # no request lines on stderr
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
