"""Rights carried out outside this back office: the seam the connected systems plug into.

The systems that hold a person's data elsewhere (the ijitrack platform, the e-mailing tool) live on
a floor above (``connectors``), which this app must not import. Three registries, filled by the
upper app in its ``AppConfig.ready()``, carry what they need down here:

* **listeners** hear that a right is being carried out for a request (an erasure, a restriction,
  a rectification, an access or portability export, marketing by e-mail stopped):
  ``right_carried_out`` is called inside the writing transaction, *before* the person's data is
  disposed of here, so a listener can read the identifiers the other systems need and queue its
  own work (one task per connected system);
* **completion gates** say what is still pending elsewhere: ``request_decide`` refuses to grant a
  right while a gate names something (the request stays open, the DPO sees which systems are
  pending and may retry or waive them with a reason);
* **notification carriers** take over an Art. 19 notification to a recipient they can reach
  themselves (a connected system is told through its connector, and the notification is closed
  when the system confirms): ``notification_carried`` returns True when one did.

With nothing registered (tests of the lower floors, a deployment without connected systems) every
call is a no-op and requests close as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from subjects.models import DataSubject

    from .models import RecipientNotification, Request

# What was carried out: the Art. 19 change kinds (``ChangeKind``), the exports, and marketing by
# e-mail stopped (an objection to direct marketing or a withdrawal of the newsletter consent).
ERASURE, RESTRICTION, RECTIFICATION = "erasure", "restriction", "rectification"
ACCESS, PORTABILITY = "access", "portability"
SUPPRESSION = "suppression"
CHANGES = (ERASURE, RESTRICTION, RECTIFICATION, ACCESS, PORTABILITY, SUPPRESSION)
# The consent channels whose stop the e-mailing tool must hear of ("all" and "*" mean every channel).
SUPPRESSED_CHANNELS = ("all", "*", "newsletter_email")


@dataclass(frozen=True)
class CarriedOut:
    """A right carried out here for ``subject`` (and ``request`` when there is one), by ``actor``."""

    change: str
    subject: DataSubject
    request: Request | None
    actor: Any


Listener = Callable[[CarriedOut], None]
CompletionGate = Callable[["Request", frozenset[str]], list[str]]
NotificationCarrier = Callable[["RecipientNotification", Any], bool]

_listeners: list[Listener] = []
_gates: list[CompletionGate] = []
_carriers: list[NotificationCarrier] = []


def register_listener(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def register_completion_gate(gate: CompletionGate) -> None:
    """``gate(request, rights_to_grant)`` returns one message per thing still pending, empty when none."""
    if gate not in _gates:
        _gates.append(gate)


def register_notification_carrier(carrier: NotificationCarrier) -> None:
    if carrier not in _carriers:
        _carriers.append(carrier)


def right_carried_out(*, change: str, subject: DataSubject, request: Request | None, actor: Any) -> None:
    """Tell the listeners, in the caller's transaction, before anything of the person is disposed of."""
    if change not in CHANGES:
        raise ValueError(f"unknown change {change!r}")
    event = CarriedOut(change=change, subject=subject, request=request, actor=actor)
    for listener in _listeners:
        listener(event)


def completion_pending(request: Request, rights: Iterable[str]) -> list[str]:
    """What the gates say is still pending before these rights of ``request`` can be granted."""
    rights = frozenset(rights)
    return [message for gate in _gates for message in gate(request, rights)]


def notification_carried(notification: RecipientNotification, actor: Any) -> bool:
    """True when an upper app took this Art. 19 notification over (it closes it itself)."""
    carried = False
    for carrier in _carriers:  # every carrier hears of it, even after one took it over
        carried = carrier(notification, actor) or carried
    return carried
