"""Audit trail retention (R5.1.3): events older than ``AUDIT_RETENTION_MONTHS`` are purged.

This module destroys audit events, so its rules are written down here:

- Only a prefix of the chain goes: the events before the first one that occurred on or after the
  cutoff. The chain that remains is untouched, so every remaining link still verifies.
- Nothing goes unless the whole chain verifies first: a broken chain is evidence, not clutter.
- Before the DELETE, one ``AuditCheckpoint`` is written in the same transaction: the previous hash
  of the first purged event, the id and hash of the last one, how many went, HMAC-signed with the
  audit key. ``verify_chain`` then proves the remaining chain starts where the checkpoint ends.
  The database's append-only trigger lets a DELETE through only for events a checkpoint covers.
- The purge is itself an audit event (a DELETE on ``ijinus_privacy.auditevent`` naming the id
  range and the checkpoint), the first event chained after the purged period.
- Once committed, the checkpoint is appended, one JSON line, to ``AUDIT_ANCHOR_DIR/
  audit-checkpoints.jsonl`` and e-mailed to the DPO, like the daily anchors: a copy outside the
  database. Ids, hashes and counts only.
- A dry run (the command's default) computes the same plan and changes nothing. Running again
  the same day purges nothing more: the events left are all newer than the cutoff.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from . import actors, audit
from .audit_anchors import _append_line
from .dates import add_months
from .models import AuditCheckpoint, AuditEvent
from .outbox import outbox_enqueue

CHECKPOINT_FILE = "audit-checkpoints.jsonl"
CHECKPOINT_PURPOSE = "ijinus_privacy.audit_checkpoint"
PURGE_ACTOR = "audit-purge"


class AuditPurgeRefused(Exception):
    """The chain does not verify: nothing is purged until it is investigated."""


@dataclass(frozen=True)
class PurgePlan:
    cutoff: datetime
    first_event_id: int
    last_event_id: int
    count: int
    oldest_at: datetime
    newest_at: datetime


def audit_cutoff(*, today: date | None = None, months: int | None = None) -> datetime:
    """Midnight (local time) of the day ``months`` calendar months before ``today``."""
    today = today or timezone.localdate()
    months = settings.AUDIT_RETENTION_MONTHS if months is None else months
    return timezone.make_aware(datetime.combine(add_months(today, -months), time.min))


def audit_purge_plan(*, cutoff: datetime) -> PurgePlan | None:
    """The events a purge at ``cutoff`` would remove: the chain's prefix before the first kept event."""
    first_kept = AuditEvent.objects.filter(occurred_at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
    old = AuditEvent.objects.all() if first_kept is None else AuditEvent.objects.filter(id__lt=first_kept)
    found = old.aggregate(
        first=models.Min("id"),
        last=models.Max("id"),
        count=models.Count("id"),
        oldest=models.Min("occurred_at"),
        newest=models.Max("occurred_at"),
    )
    if not found["count"]:
        return None
    return PurgePlan(
        cutoff=cutoff,
        first_event_id=found["first"],
        last_event_id=found["last"],
        count=found["count"],
        oldest_at=found["oldest"],
        newest_at=found["newest"],
    )


@dataclass(frozen=True)
class PurgeResult:
    plan: PurgePlan | None
    checkpoint: AuditCheckpoint | None


def audit_purge(*, cutoff: datetime, commit: bool = False) -> PurgeResult:
    """Purge the events before ``cutoff`` behind a signed checkpoint; a dry run unless ``commit``."""
    if not commit:
        return PurgeResult(audit_purge_plan(cutoff=cutoff), None)
    broken = audit.verify_chain()
    if broken is not None:
        raise AuditPurgeRefused(
            f"The audit trail does not verify at event #{broken.event_id} ({broken.problem}): nothing was purged. "
            "Run manage.py audit_verify and investigate first."
        )
    with transaction.atomic():
        audit._chain_end()  # the chain lock: no event is written while the prefix goes
        plan = audit_purge_plan(cutoff=cutoff)
        if plan is None:
            return PurgeResult(None, None)
        first_prev, last_hash = _prefix_ends(plan)
        checkpoint = AuditCheckpoint(
            created_at=timezone.now(),
            cutoff=cutoff,
            first_prev_hash=first_prev,
            first_event_id=plan.first_event_id,
            last_event_id=plan.last_event_id,
            last_hash=last_hash,
            purged_count=plan.count,
        )
        audit.checkpoint_sign(checkpoint)
        checkpoint.save(force_insert=True)
        purged = AuditEvent.objects.filter(id__lte=plan.last_event_id)
        deleted = purged._raw_delete(purged.db)
        if deleted != plan.count:
            raise AuditPurgeRefused(f"{deleted} events matched instead of {plan.count}: nothing was purged.")
        audit.record(
            action=audit.Action.DELETE,
            actor=actors.system(PURGE_ACTOR),
            object_type=AuditEvent._meta.label_lower,
            object_id=f"{plan.first_event_id}-{plan.last_event_id}",
            reason=(
                f"audit retention: {plan.count} events before {timezone.localtime(cutoff).date().isoformat()} "
                f"purged behind checkpoint #{checkpoint.pk}"
            ),
        )
        _checkpoint_mail_send(checkpoint)
        transaction.on_commit(lambda: _append_line(checkpoint_file(), checkpoint_line(checkpoint)))
    return PurgeResult(plan, checkpoint)


def sweep_audit_events(*, now, cutoff: date, batch_size: int, commit: bool, action, suspended) -> dict[str, int]:
    """The record sweeper of the "logs" retention rule (R4.3: logs 6-12 months; R5.1.3).

    ``cutoff`` is the latest day whose events are due: the events before the next midnight go,
    through the same checkpointed purge as the nightly task. No subject is held back by a legal
    hold here: audit events are the controller's own evidence, not a person's data held for a purpose.
    """
    from datetime import timedelta

    result = audit_purge(cutoff=audit_cutoff(today=cutoff + timedelta(days=1), months=0), commit=commit)
    return {"deleted": result.plan.count if result.plan else 0}


def _prefix_ends(plan: PurgePlan) -> tuple[str, str]:
    ends = dict(
        AuditEvent.objects.filter(id__in=[plan.first_event_id, plan.last_event_id]).values_list("id", "prev_hash")
    )
    last_hash = AuditEvent.objects.filter(id=plan.last_event_id).values_list("hash", flat=True).get()
    return ends[plan.first_event_id], last_hash


def checkpoint_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_DIR) / CHECKPOINT_FILE


def checkpoint_line(checkpoint: AuditCheckpoint) -> str:
    return json.dumps(
        {
            "checkpoint": checkpoint.pk,
            "created_at": checkpoint.created_at.isoformat(),
            "cutoff": checkpoint.cutoff.isoformat(),
            "first_prev_hash": checkpoint.first_prev_hash,
            "first_event_id": checkpoint.first_event_id,
            "last_event_id": checkpoint.last_event_id,
            "last_hash": checkpoint.last_hash,
            "purged_count": checkpoint.purged_count,
            "key_id": checkpoint.key_id,
            "signature": checkpoint.signature,
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def published_checkpoints_problem() -> str | None:
    """A checkpoint published outside the database that the database no longer holds as published."""
    path = checkpoint_file()
    if not path.exists():
        return None
    stored = {
        row["pk"]: row
        for row in AuditCheckpoint.objects.values("pk", "last_event_id", "last_hash", "purged_count", "signature")
    }
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            published = json.loads(line)
            row = stored.get(int(published["checkpoint"]))
            same = row is not None and all(
                row[name] == published[name] for name in ("last_event_id", "last_hash", "purged_count", "signature")
            )
        except (ValueError, KeyError, TypeError):
            return f"line {number} of {path} is not a checkpoint"
        if not same:
            return f"checkpoint #{published['checkpoint']} published in {path} differs from the one in the database"
    return None


def _checkpoint_mail_send(checkpoint: AuditCheckpoint) -> None:
    body = "\n".join(
        [
            f"Audit trail retention: {checkpoint.purged_count} events that occurred before "
            f"{timezone.localtime(checkpoint.cutoff).date().isoformat()} were purged (R5.1.3).",
            "",
            f"Checkpoint: #{checkpoint.pk}",
            f"Purged events: #{checkpoint.first_event_id} to #{checkpoint.last_event_id}",
            f"Last purged hash: {checkpoint.last_hash}",
            f"Signature ({checkpoint.key_id}): {checkpoint.signature}",
            "",
            "Keep this e-mail outside the application: the remaining chain must start where this",
            "checkpoint ends. python manage.py audit_verify checks it.",
            "",
            f"Checkpoint line: {checkpoint_line(checkpoint)}",
        ]
    )
    outbox_enqueue(
        purpose=CHECKPOINT_PURPOSE,
        object_id=checkpoint.pk,
        to=[settings.DPO_EMAIL],
        subject=f"[IJINUS Privacy] Audit trail checkpoint #{checkpoint.pk}: {checkpoint.purged_count} events purged",
        body=body,
    )
