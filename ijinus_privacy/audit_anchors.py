"""Anchors of the audit chain, published every day outside the database (R5.1.3).

The keyed chain proves no event was rewritten, but a chain whose latest events were removed still
links up. An anchor (the last event's id, its hash, how many events there are up to it, the key id)
kept where the database's administrators cannot write closes that gap: ``audit_verify`` checks the
published ones by default, so at most the events recorded since the latest could go unseen.

Each day's anchor is one JSON line appended to ``AUDIT_ANCHOR_DIR/audit-anchors.jsonl`` and
e-mailed to the DPO. Ids, hashes and counts only: no personal data. Publishing twice on one day
keeps the first line and sends it again (a retry after a mail failure). Before publishing, the
previous anchor is checked: if the trail no longer holds it, the e-mail says so first (R5.1.3: an
alert when logs are modified).

Anchors of a period since purged (``audit_retention``) are accounted for by the signed checkpoints:
an anchor at or before the last purged event is no longer checked against the trail (the
checkpoint that ends exactly on it must carry its hash), and the count of a later anchor includes
the events the checkpoints purged.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

from .models import AuditCheckpoint, AuditEvent
from .outbox import outbox_enqueue

ANCHOR_FILE = "audit-anchors.jsonl"
ANCHOR_PURPOSE = "ijinus_privacy.audit_anchor"


class AnchorFileError(Exception):
    """The anchor file cannot be read as anchors (edited by hand, or a line cut by a crash)."""


@dataclass(frozen=True)
class Anchor:
    day: date
    event_id: int
    hash: str
    count: int
    key_id: str
    published_at: datetime

    def as_line(self) -> str:
        fields = asdict(self) | {"day": self.day.isoformat(), "published_at": self.published_at.isoformat()}
        return json.dumps(fields, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_line(cls, line: str) -> Anchor:
        fields = json.loads(line)
        return cls(
            day=date.fromisoformat(fields["day"]),
            event_id=int(fields["event_id"]),
            hash=str(fields["hash"]),
            count=int(fields["count"]),
            key_id=str(fields["key_id"]),
            published_at=datetime.fromisoformat(fields["published_at"]),
        )

    @property
    def reference(self) -> str:
        """The ``ID:HASH`` form ``audit_verify --anchor`` takes."""
        return f"{self.event_id}:{self.hash}"


def anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_DIR) / ANCHOR_FILE


def published_anchors() -> list[Anchor]:
    """Every anchor in the file, oldest first; empty when none was published yet."""
    path = anchor_file()
    if not path.exists():
        return []
    anchors = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            anchors.append(Anchor.from_line(line))
        except (ValueError, KeyError, TypeError) as error:
            raise AnchorFileError(f"line {number} of {path} is not an anchor ({type(error).__name__})") from None
    return anchors


def _purged() -> tuple[int, dict[int, str], int]:
    """(last purged event id, {checkpoint's last event id: its hash}, events purged) of the checkpoints."""
    ends = dict(AuditCheckpoint.objects.values_list("last_event_id", "last_hash"))
    total = AuditCheckpoint.objects.aggregate(total=models.Sum("purged_count"))["total"] or 0
    return max(ends, default=0), ends, total


def anchor_problem(*, event_id: int, digest: str, count: int | None = None) -> str | None:
    """What is wrong with the trail against an anchor kept outside it, or None when it still holds."""
    purged_through, ends, purged_count = _purged()
    if event_id <= purged_through:
        if event_id in ends and ends[event_id] != digest:
            return f"Anchor #{event_id} does not match the checkpoint that purged it: the trail was rewritten before"
        return None  # a purged period: the signed checkpoint accounts for it (audit_verify checks it)
    stored = AuditEvent.objects.filter(pk=event_id).values_list("hash", flat=True).first()
    if stored is None:
        return f"Anchor #{event_id} is no longer in the audit trail: events were removed or rewritten since"
    if stored != digest:
        return f"Anchor #{event_id} does not match: that event or an earlier one was rewritten since"
    if count is not None:
        now = AuditEvent.objects.filter(pk__lte=event_id).count() + purged_count
        if now != count:
            return (
                f"Anchor #{event_id} was published with {count} events up to it and the trail now holds {now}: "
                "events were removed or inserted since"
            )
    return None


def published_anchors_problem(anchors: list[Anchor]) -> tuple[Anchor, str] | None:
    """The first published anchor the trail no longer holds, with what is wrong; None when all hold.

    Every anchor's event must still be there with its hash (a few queries in all), or be accounted
    for by a checkpoint; the latest one's count is checked too, the earlier counts follow from the chain.
    """
    if not anchors:
        return None
    purged_through, _ends, _count = _purged()
    stored = dict(AuditEvent.objects.filter(pk__in={a.event_id for a in anchors}).values_list("id", "hash"))
    for anchor in anchors[:-1]:
        if anchor.event_id <= purged_through:
            problem = anchor_problem(event_id=anchor.event_id, digest=anchor.hash)
            if problem:
                return anchor, problem
        elif stored.get(anchor.event_id) != anchor.hash:
            return anchor, anchor_problem(event_id=anchor.event_id, digest=anchor.hash) or ""
    latest = anchors[-1]
    problem = anchor_problem(event_id=latest.event_id, digest=latest.hash, count=latest.count)
    return (latest, problem) if problem else None


def audit_anchor_publish(*, today: date | None = None) -> Anchor | None:
    """Append today's anchor to the anchor file (once a day) and e-mail it to the DPO.

    Return the anchor, or None when the trail is still empty (nothing to anchor, no e-mail).
    """
    today = today or timezone.localdate()
    anchors = published_anchors()
    anchor = next((kept for kept in reversed(anchors) if kept.day == today), None)
    earlier = [kept for kept in anchors if kept.day < today]
    alert = anchor_problem(event_id=earlier[-1].event_id, digest=earlier[-1].hash) if earlier else None
    if anchor is None:
        last = AuditEvent.objects.order_by("-id").values_list("id", "hash", "key_id").first()
        if last is None:
            return None
        event_id, digest, key_id = last
        # Writers are serialised and ids only grow, so nothing can still arrive at or below event_id.
        # Events ever written up to it: those still here and those purged behind checkpoints.
        count = AuditEvent.objects.filter(pk__lte=event_id).count() + _purged()[2]
        anchor = Anchor(
            day=today, event_id=event_id, hash=digest, count=count, key_id=key_id, published_at=timezone.now()
        )
        _append_line(anchor_file(), anchor.as_line())
    _anchor_mail_send(anchor, alert=alert)
    return anchor


def _append_line(path: Path, line: str) -> None:
    """One write on an O_APPEND descriptor, synced: a line is added whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (line + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _anchor_mail_send(anchor: Anchor, *, alert: str | None = None) -> None:
    """The DPO's copy of the anchor (ids and hashes only). The one place that sends it."""
    warning = [f"ALERT: {alert}. Run python manage.py audit_verify and investigate.", ""] if alert else []
    subject = f"Audit trail anchor {anchor.day.isoformat()}: event #{anchor.event_id}"
    body = "\n".join(
        [
            *warning,
            f"Audit trail anchor of {anchor.day.isoformat()}",
            "",
            f"Last event: #{anchor.event_id}",
            f"Hash: {anchor.hash}",
            f"Events up to it: {anchor.count}",
            f"Key id: {anchor.key_id or '(legacy, unkeyed)'}",
            f"Published at: {anchor.published_at.isoformat(timespec='seconds')}",
            "",
            "Keep this e-mail outside the application: it proves later that no audit event",
            "up to this one was removed or rewritten. To check it:",
            f"    python manage.py audit_verify --anchor {anchor.reference}",
            "",
            f"Anchor line: {anchor.as_line()}",
        ]
    )
    # Through the outbox (retried until it leaves); a second run the same day replaces the day's
    # message while it still waits, so the DPO gets one e-mail a day.
    outbox_enqueue(
        purpose=ANCHOR_PURPOSE,
        object_id=anchor.day.isoformat(),
        replace_queued=True,
        to=[settings.DPO_EMAIL],
        subject=f"[IJINUS Privacy] {'ALERT, ' if alert else ''}{subject}",
        body=body,
    )
