"""Write and verify the audit trail. ``record`` (and ``record_many`` for bulk imports) is the only way
events are written.

The chain is keyed (R5.1.3): each event's hash is an HMAC-SHA256, under the key named by its
``key_id``, of its content and the previous event's hash. The keys live in the settings
(``AUDIT_HMAC_KEYS``, current first), never in the database, so a database superuser who rewrites
an event cannot recompute the later links: ``verify_chain`` names the first event whose MAC fails.
Events written before the chain was keyed have ``key_id`` "" and a plain SHA-256; they verify as
before, but only at the start of the chain: an unkeyed event after a keyed one is a rewrite. The
removal of the latest events leaves a chain that still links up; the daily anchor published
outside the database (``audit_anchors``) catches it.

Old events are purged after ``AUDIT_RETENTION_MONTHS`` (R5.1.3, ``audit_retention``) behind signed
checkpoints: ``verify_chain`` checks each checkpoint's signature, that each starts where the one
before ended, and that the remaining chain starts where the last one ends.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from ijinus_privacy import actors
from ijinus_privacy.bulk import bulk_insert

from .models import AuditCheckpoint, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

Action = AuditEvent.Action
GENESIS_HASH = "0" * 64
LEGACY_KEY_ID = ""  # events hashed before the chain was keyed: plain SHA-256
# Serialises writers on PostgreSQL so the chain never forks (SQLite serialises writes already).
_CHAIN_LOCK_KEY = 0x1A0D17


def _event_payload(event: AuditEvent) -> bytes:
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
    if event.key_id != LEGACY_KEY_ID:
        payload["key"] = event.key_id  # legacy events keep the payload they were hashed with
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _event_digest(event: AuditEvent, *, key: bytes | None) -> str:
    """HMAC-SHA256 of the event under ``key``; plain SHA-256 for a legacy event (``key`` None)."""
    if key is None:
        return hashlib.sha256(_event_payload(event)).hexdigest()
    return hmac.new(key, _event_payload(event), hashlib.sha256).hexdigest()


def _checkpoint_payload(checkpoint: AuditCheckpoint) -> bytes:
    payload = {
        "kind": "audit-checkpoint",
        "created": checkpoint.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "cutoff": checkpoint.cutoff.astimezone(UTC).isoformat(timespec="microseconds"),
        "first_prev": checkpoint.first_prev_hash,
        "first_id": checkpoint.first_event_id,
        "last_id": checkpoint.last_event_id,
        "last": checkpoint.last_hash,
        "count": checkpoint.purged_count,
        "key": checkpoint.key_id,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def checkpoint_sign(checkpoint: AuditCheckpoint) -> None:
    """Sign a checkpoint with the current audit key, as the events are (HMAC-SHA256)."""
    checkpoint.key_id, key = _current_key()
    checkpoint.signature = hmac.new(key, _checkpoint_payload(checkpoint), hashlib.sha256).hexdigest()


def checkpoint_signature_valid(checkpoint: AuditCheckpoint) -> bool | None:
    """True when the signature matches, False when it does not, None when its key is not configured."""
    key = settings.AUDIT_HMAC_KEYS.get(checkpoint.key_id)
    if key is None:
        return None
    expected = hmac.new(key.encode(), _checkpoint_payload(checkpoint), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, checkpoint.signature)


def purged_total() -> int:
    """How many events all the checkpoints account for."""
    return AuditCheckpoint.objects.aggregate(total=models.Sum("purged_count"))["total"] or 0


def _current_key() -> tuple[str, bytes]:
    key_id, key = next(iter(settings.AUDIT_HMAC_KEYS.items()))
    return key_id, key.encode()


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
            bulk_insert(AuditEvent, pending)
            count += len(pending)
            pending = []
    bulk_insert(AuditEvent, pending)
    return count + len(pending)


def _chain_end() -> str:
    """The last event's hash, after taking the chain lock (PostgreSQL; SQLite serialises writes)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    if last is not None:
        return last
    # Every event was purged: the chain goes on from where the last checkpoint ends (R5.1.3).
    return AuditCheckpoint.objects.order_by("-id").values_list("last_hash", flat=True).first() or GENESIS_HASH


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
    user = actors.staff_or_none(actor)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=user,
        actor_pk=user.pk if user else None,
        actor_username=actors.username(actor),
        action=str(action),
        object_type=object_type,
        object_id="" if object_id in (None, "") else str(object_id),
        subject_id=subject_id,
        fields=sorted(set(fields)),
        reason=reason[:500],
        prev_hash=previous,
    )
    event.key_id, key = _current_key()
    event.hash = _event_digest(event, key=key)
    return event


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str
    key_missing: bool = False  # the event names a key the settings no longer hold: it cannot be checked


def _checkpoints_break() -> tuple[str, ChainBreak | None]:
    """Check the checkpoints in order; return the hash the remaining chain must start from, or a break."""
    expected_prev = GENESIS_HASH
    for checkpoint in AuditCheckpoint.objects.order_by("id"):
        valid = checkpoint_signature_valid(checkpoint)
        if valid is None:
            return expected_prev, ChainBreak(
                checkpoint.last_event_id,
                f'checkpoint #{checkpoint.pk} was signed with the key "{checkpoint.key_id}", which is not in '
                "AUDIT_HMAC_KEYS (keep a retired key listed after the current one)",
                key_missing=True,
            )
        if not valid:
            return expected_prev, ChainBreak(
                checkpoint.last_event_id,
                f"checkpoint #{checkpoint.pk} does not match its signature (it was forged or altered)",
            )
        if checkpoint.first_prev_hash != expected_prev:
            return expected_prev, ChainBreak(
                checkpoint.first_event_id,
                f"checkpoint #{checkpoint.pk} does not start where the previous purge ended",
            )
        expected_prev = checkpoint.last_hash
    return expected_prev, None


def verify_chain(*, chunk_size: int = 5000) -> ChainBreak | None:
    """Walk the checkpoints then the chain in id order; return the first broken link, or None when intact.

    After a purge the first remaining event must link to the last checkpoint's hash (R5.1.3).
    """
    keys = {key_id: key.encode() for key_id, key in settings.AUDIT_HMAC_KEYS.items()}
    expected_prev, broken = _checkpoints_break()
    if broken is not None:
        return broken
    keyed = False
    for event in _iter_events(chunk_size):
        if event.prev_hash != expected_prev:
            return ChainBreak(event.pk, "previous-hash link broken (an event was removed, inserted or reordered)")
        if event.key_id == LEGACY_KEY_ID:
            if keyed:
                return ChainBreak(
                    event.pk, "unkeyed hash after keyed events (the event was rewritten by someone without the key)"
                )
            key = None
        else:
            keyed = True
            key = keys.get(event.key_id)
            if key is None:
                return ChainBreak(
                    event.pk,
                    f'its hash was computed with the key "{event.key_id}", which is not in AUDIT_HMAC_KEYS '
                    "(keep a retired key listed after the current one to verify the events it signed)",
                    key_missing=True,
                )
        if not hmac.compare_digest(_event_digest(event, key=key), event.hash):
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
