"""Real small HTTP servers implementing each connector contract, started by the tests.

* ``IjitrackServer``: the ijitrack platform's privacy contract (docs/connectors.md): bearer token,
  ``Idempotency-Key`` honoured (a replay returns the first answer, a different body under the same
  key is a 409), ``POST /subjects/{collect,erase,anonymise,restrict,rectify}``.
* ``MailchimpServer``: the Mailchimp-style audience API: Basic auth, members by MD5 of the
  lower-cased address, GET / PATCH / DELETE (archive) a member, POST ``actions/delete-permanent``.

Both run a stdlib ``ThreadingHTTPServer`` on 127.0.0.1 (a free port) in a thread, record every
call (method, path, headers, JSON body) and can be told to answer the next calls with forced
statuses (``fail_next(503, 503)``) to test retries. ``closed_port()`` gives an address where nothing
listens (connection refused: a system that is down).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    forced: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _read(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return None
        return json.loads(self.rfile.read(length))

    def _send(self, status: int, body: dict[str, Any] | None = None) -> None:
        raw = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if raw:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if raw:
            self.wfile.write(raw)

    def _handle(self) -> None:
        body = self._read()
        owner = self.server.owner
        with owner.state.lock:
            owner.state.calls.append(Call(self.command, self.path, dict(self.headers.items()), body))
            forced = owner.state.forced.pop(0) if owner.state.forced else None
        if forced is not None:
            self._send(forced, {"error": "forced_by_test", "title": "Service Unavailable"})
            return
        status, answer = owner.answer(self.command, self.path, dict(self.headers.items()), body)
        self._send(status, answer)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FakeSystem


class FakeSystem:
    """A server in a thread; subclasses implement ``answer``."""

    def __init__(self) -> None:
        self.state = _State()
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeSystem:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def calls(self) -> list[Call]:
        return list(self.state.calls)

    def fail_next(self, *statuses: int) -> None:
        with self.state.lock:
            self.state.forced.extend(statuses)

    def answer(self, method: str, path: str, headers: dict[str, str], body: dict[str, Any] | None):
        raise NotImplementedError


class IjitrackServer(FakeSystem):
    """The platform side of the ijitrack privacy contract, with accounts keyed by e-mail."""

    TOKEN = "test-ijitrack-token"
    ACTIONS = ("collect", "erase", "anonymise", "restrict", "rectify")

    def __init__(self) -> None:
        super().__init__()
        self.accounts: dict[str, dict[str, Any]] = {}
        self.restricted: set[str] = set()
        self.replies: dict[str, tuple[str, int, dict[str, Any]]] = {}  # Idempotency-Key -> (body hash, reply)
        self.carried_out: list[tuple[str, str]] = []  # (action, key): each action really done once per key
        self.refuse_with: tuple[int, str] | None = None

    def add_account(self, email: str, **data: Any) -> None:
        self.accounts[email.lower()] = {"login": email, "sites": 2, "last_login": "2026-10-02T08:15:00Z", **data}

    def answer(self, method, path, headers, body):
        if headers.get("Authorization") != f"Bearer {self.TOKEN}":
            return 401, {"error": "unauthorized"}
        match = re.fullmatch(r"/subjects/([a-z]+)", path)
        if method != "POST" or not match or match.group(1) not in self.ACTIONS:
            return 404, {"error": "not_found"}
        key = headers.get("Idempotency-Key", "")
        if not key:
            return 400, {"error": "idempotency_key_required"}
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        with self.state.lock:
            if key in self.replies:
                seen, status, reply = self.replies[key]
                return (status, reply) if seen == digest else (409, {"error": "idempotency_key_reused"})
        if self.refuse_with is not None:
            return self.refuse_with[0], {"error": self.refuse_with[1]}
        action = match.group(1)
        email = (body or {}).get("subject", {}).get("email", "").lower()
        account = self.accounts.get(email)
        reference = f"IJT-{action[:3].upper()}-{len(self.replies) + 1:04d}"
        if account is None:
            reply = {"status": "not_found", "reference": reference}
        elif action == "collect":
            reply = {
                "status": "done",
                "reference": reference,
                "categories": ["identity", "navigation"],
                "records": [dict(account)],
                "field_labels": {"login": "login", "sites": "monitored sites", "last_login": "last login"},
            }
        else:
            if action in ("erase", "anonymise"):
                del self.accounts[email]
            elif action == "restrict":
                self.restricted.add(email)
            elif action == "rectify":
                account.update((body or {}).get("values", {}))
            reply = {"status": "done", "reference": reference}
        with self.state.lock:
            self.replies[key] = (digest, 200, reply)
            self.carried_out.append((action, key))
        return 200, reply


class MailchimpServer(FakeSystem):
    """A Mailchimp Marketing API v3 audience: members by MD5 hash of the lower-cased e-mail."""

    API_KEY = "test-key-us21"
    LIST_ID = "a1b2c3d4e5"

    def __init__(self) -> None:
        super().__init__()
        self.members: dict[str, dict[str, Any]] = {}
        self.archived: set[str] = set()
        self.deleted_permanently: set[str] = set()

    @staticmethod
    def member_hash(email: str) -> str:
        return hashlib.md5(email.lower().encode(), usedforsecurity=False).hexdigest()

    def add_member(self, email: str, status: str = "subscribed", **merge_fields: str) -> str:
        member_id = self.member_hash(email)
        self.members[member_id] = {
            "id": member_id,
            "email_address": email,
            "status": status,
            "merge_fields": {"FNAME": "", "LNAME": "", **merge_fields},
            "timestamp_opt": "2024-05-02T09:12:00+00:00",
            "ip_opt": "192.0.2.15",
            "tags": [{"id": 1, "name": "newsletter"}],
        }
        return member_id

    def answer(self, method, path, headers, body):
        expected = "Basic " + base64.b64encode(f"ijinus:{self.API_KEY}".encode()).decode()
        if headers.get("Authorization") != expected:
            return 401, {"title": "API Key Invalid", "status": 401}
        match = re.fullmatch(rf"/lists/{self.LIST_ID}/members/([0-9a-f]{{32}})(/actions/delete-permanent)?", path)
        if not match:
            return 404, {"title": "Resource Not Found", "status": 404}
        member_id, delete_permanent = match.group(1), match.group(2)
        member = self.members.get(member_id)
        if member is None:
            return 404, {"title": "Resource Not Found", "status": 404, "detail": "The resource could not be found."}
        if delete_permanent and method == "POST":
            del self.members[member_id]
            self.deleted_permanently.add(member_id)
            return 204, None
        if method == "GET":
            return 200, member
        if method == "PATCH":
            changes = body or {}
            if "status" in changes:
                member["status"] = changes["status"]
            if "merge_fields" in changes:
                member["merge_fields"].update(changes["merge_fields"])
            return 200, member
        if method == "DELETE":
            member["status"] = "archived"
            self.archived.add(member_id)
            return 204, None
        return 405, {"title": "Method Not Allowed", "status": 405}


def closed_port() -> str:
    """An address where nothing listens: calls are refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
