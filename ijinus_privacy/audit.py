"""Write and verify the audit trail. ``record`` (and ``record_many`` for bulk imports) is the only way
events are written."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING

from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

Action = AuditEvent.Action
GENESIS_HASH = "0" * 64
# Serialises writers on PostgreSQL so the chain never forks (SQLite serialises writes already).
_CHAIN_LOCK_KEY = 0x1A0D17


def _event_digest(event: AuditEvent) -> str:
    payload = {
        "prev": event.prev_hash,
        "at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_pk": event.actor_pk,
        "actor": event.actor_username,
        "action": event.action,
        "type": event.object_type,
        "id": event.object_id,
        "subject": event.subject_id,
        "fields": list(event.fields),
        "reason": event.reason,
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _object_type(obj: models.Model | type[models.Model]) -> str:
    return obj._meta.label_lower


def _subject_id_of(obj: models.Model | None) -> int | None:
    """The data subject an object belongs to: the object itself, or its ``subject`` link."""
    if obj is None:
        return None
    if obj._meta.label_lower == "subjects.datasubject":
        return obj.pk
    return getattr(obj, "subject_id", None)


@transaction.atomic
def record(
    *,
    action: Action | str,
    actor: AbstractBaseUser | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    subject_id: int | None = None,
    fields: Iterable[str] = (),
    reason: str = "",
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    Give ``obj`` (its type, id and subject are read from it) or the explicit ``object_type``,
    ``object_id`` and ``subject_id``. ``fields`` are names; values are never stored.
    """
    previous = _chain_end()
    event = _event(
        previous,
        action=action,
        actor=actor,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        subject_id=subject_id,
        fields=fields,
        reason=reason,
    )
    event.save(force_insert=True)
    return event


@transaction.atomic
def record_many(events: Iterable[dict], *, batch_size: int = 1000) -> int:
    """Append many events (bulk imports), each given as ``record``'s keyword arguments.

    The same events and hashes as one ``record`` call each, but the chain's end is read once and
    the events are inserted in batches: an import of 100,000 people stays within T5.
    """
    previous = _chain_end()
    pending: list[AuditEvent] = []
    count = 0
    for arguments in events:
        event = _event(previous, **arguments)
        previous = event.hash
        pending.append(event)
        if len(pending) == batch_size:
            AuditEvent.objects.bulk_create(pending)
            count += len(pending)
            pending = []
    AuditEvent.objects.bulk_create(pending)
    return count + len(pending)


def _chain_end() -> str:
    """The last event's hash, after taking the chain lock (PostgreSQL; SQLite serialises writes)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    return AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH


def _event(
    previous: str,
    *,
    action: Action | str,
    actor: AbstractBaseUser | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    subject_id: int | None = None,
    fields: Iterable[str] = (),
    reason: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or _object_type(obj)
        object_id = object_id or obj.pk
        subject_id = subject_id if subject_id is not None else _subject_id_of(obj)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=user,
        actor_pk=user.pk if user else None,
        actor_username=user.get_username() if user else "",
        action=str(action),
        object_type=object_type,
        object_id="" if object_id in (None, "") else str(object_id),
        subject_id=subject_id,
        fields=sorted(set(fields)),
        reason=reason[:500],
        prev_hash=previous,
    )
    event.hash = _event_digest(event)
    return event


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str


def verify_chain(*, chunk_size: int = 5000) -> ChainBreak | None:
    """Walk the chain in id order; return the first broken link, or None when intact."""
    expected_prev = GENESIS_HASH
    for event in _iter_events(chunk_size):
        if event.prev_hash != expected_prev:
            return ChainBreak(event.pk, "previous-hash link broken (an event was removed, inserted or reordered)")
        if _event_digest(event) != event.hash:
            return ChainBreak(event.pk, "content does not match its hash (the event was altered)")
        expected_prev = event.hash
    return None


def _iter_events(chunk_size: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:chunk_size])
        if not batch:
            return
        yield from batch
        last_id = batch[-1].pk
