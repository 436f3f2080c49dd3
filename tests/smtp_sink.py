"""Private SMTP servers for fault tests, on free local ports, in this process (threads).

``SmtpSink`` speaks just enough SMTP to accept messages and keeps what it received;
``SmtpBlackHole`` accepts the TCP connection and never answers; ``closed_port()`` is a port with
nothing listening (connection refused). Nothing external is ever contacted.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from email import message_from_bytes, policy


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        self._reply("220 sink ready")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250 sink")
            elif verb == "MAIL":
                recipients = []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 end with .")
                data = bytearray()
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.received.append((recipients, message_from_bytes(bytes(data), policy=policy.default)))
                self._reply("250 queued")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:  # RSET, NOOP
                self._reply("250 OK")


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 0) -> None:
        self.received: list = []
        super().__init__(("127.0.0.1", port), _Handler)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class SmtpBlackHole:
    """Accepts connections and never says a word (a mail server that hangs)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _address = self.sock.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def stop(self) -> None:
        self.sock.close()
        for connection in self.accepted:
            connection.close()


def smtp_mailers(port: int, *, timeout: float = 1) -> dict:
    """A MAILERS setting pointing at a local port (tests override ``settings.MAILERS`` with it)."""
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": timeout},
        }
    }
