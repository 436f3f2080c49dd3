"""The connector contract: what a connected system's connector does, and how it says it failed.

A ``Connector`` is built for one ``ConnectedSystem`` and carries out one ``ConnectorTask`` at a time:

* ``collect(task) -> CollectedData``: the person's data held by the system, for an access or
  portability export (Art. 15, Art. 20);
* ``erase`` / ``anonymise`` / ``restrict`` / ``rectify`` / ``suppress`` ``(task) -> Outcome``: the
  right carried out in the system, with the system's own reference as proof.

A connector never retries by itself and never swallows a failure. It raises:

* ``TransientError`` when trying again later may succeed (connection refused, timeout, 5xx, 429):
  the task goes back to *waiting* with its next attempt after an exponential back-off;
* ``PermanentError`` when it will not (4xx other than 408/429, an answer the contract does not
  allow): the task is *failed* with the reason, and the DPO retries it after a fix or waives it.

Exception messages and ``Outcome.reason`` are shown to the DPO and stored: they hold a status code
and the system's error *type*, never a person's data (no e-mail, no name, no response body).

Every call carries the task's ``idempotency_key`` (the same on every retry): a system that already
carried out the action answers with the same result, so a retry after a lost answer is harmless.
The concrete connectors register their kind here (``registry``) from ``ConnectorsConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ijinus_privacy.personal_data import CollectedData

if TYPE_CHECKING:
    from .models import ConnectedSystem, ConnectorTask

__all__ = [
    "CollectedData",
    "Connector",
    "ConnectorError",
    "Outcome",
    "PermanentError",
    "TransientError",
    "registry",
]


class ConnectorError(Exception):
    """A call that did not carry out the action. ``reason`` is safe to store: no personal data."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason[:280]
        self.status = status

    def __str__(self) -> str:
        return f"HTTP {self.status}: {self.reason}" if self.status else self.reason


class TransientError(ConnectorError):
    """Try again later: the system is down, slow, overloaded or rate-limiting."""


class PermanentError(ConnectorError):
    """Trying again will not help until someone fixes something (credential, contract, data)."""


@dataclass(frozen=True)
class Outcome:
    """What the system answered for a change: done (with its reference) or failed (with the reason)."""

    DONE = "done"
    FAILED = "failed"

    status: str
    remote_ref: str = ""
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def done(cls, remote_ref: str = "", **details: Any) -> Outcome:
        return cls(status=cls.DONE, remote_ref=remote_ref, details=details)

    @classmethod
    def failed(cls, reason: str, remote_ref: str = "") -> Outcome:
        return cls(status=cls.FAILED, remote_ref=remote_ref, reason=reason[:280])

    @property
    def is_done(self) -> bool:
        return self.status == self.DONE


class Connector:
    """Base class: one instance per call, for one connected system.

    Subclasses set ``kind`` and implement the actions the kind supports; an action the kind does
    not implement fails permanently (the DPO sees "not supported" rather than a task waiting forever).
    """

    kind: str = ""

    def __init__(self, system: ConnectedSystem) -> None:
        self.system = system

    def collect(self, task: ConnectorTask) -> CollectedData:
        raise PermanentError(f"{self.kind}: collect is not supported")

    def erase(self, task: ConnectorTask) -> Outcome:
        raise PermanentError(f"{self.kind}: erase is not supported")

    def anonymise(self, task: ConnectorTask) -> Outcome:
        raise PermanentError(f"{self.kind}: anonymise is not supported")

    def restrict(self, task: ConnectorTask) -> Outcome:
        raise PermanentError(f"{self.kind}: restrict is not supported")

    def rectify(self, task: ConnectorTask) -> Outcome:
        raise PermanentError(f"{self.kind}: rectify is not supported")

    def suppress(self, task: ConnectorTask) -> Outcome:
        raise PermanentError(f"{self.kind}: suppress is not supported")

    def run(self, task: ConnectorTask) -> Outcome | CollectedData:
        """Carry out ``task.action``: the method of that name."""
        method: Callable[[ConnectorTask], Outcome | CollectedData] | None = getattr(self, task.action, None)
        if method is None or task.action not in ACTIONS:
            raise PermanentError(f"unknown action {task.action}")
        return method(task)


ACTIONS = ("collect", "erase", "anonymise", "restrict", "rectify", "suppress")


class ConnectorRegistry:
    """The connector class of each ``ConnectedSystem.Kind``."""

    def __init__(self) -> None:
        self._kinds: dict[str, type[Connector]] = {}

    def register(self, connector: type[Connector]) -> type[Connector]:
        if not connector.kind:
            raise ValueError(f"{connector!r} has no kind.")
        existing = self._kinds.get(connector.kind)
        if existing is not None and existing is not connector:
            raise ValueError(f"A connector of kind {connector.kind!r} is already registered.")
        self._kinds[connector.kind] = connector
        return connector

    def kinds(self) -> list[str]:
        return sorted(self._kinds)

    def for_system(self, system: ConnectedSystem) -> Connector:
        """The connector for this system; a kind without one fails permanently."""
        connector = self._kinds.get(system.kind)
        if connector is None:
            raise PermanentError(f"no connector is installed for the kind {system.kind}")
        return connector(system)


registry = ConnectorRegistry()
