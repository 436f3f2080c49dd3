"""Demo of the audit trail's retention (R5.1.3): a past period, purged behind its signed checkpoint.

Demo only. On an empty trail, ``seed_audit_history`` writes a few staff consultations dated 13 to
14 months before ``today``, chained and keyed like any event (the demo's own events follow them).
``purge_audit_history`` then runs the nightly purge, so the demo shows the checkpoint in the admin
(Accountability > audit checkpoints) and ``audit_verify`` proves the rest of the trail.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from . import actors, audit
from .audit_retention import PurgeResult, audit_cutoff, audit_purge
from .bulk import bulk_insert
from .dates import add_months
from .models import AuditEvent

HISTORY_ACTIONS = (audit.Action.LOGIN, audit.Action.VIEW, audit.Action.VIEW, audit.Action.EXPORT)


def seed_audit_history(*, today: date, events: int = 24) -> int:
    """Write ``events`` backdated events on an empty trail; return how many (0 when it already has some)."""
    if AuditEvent.objects.exists():
        return 0
    start = add_months(today, -14)
    previous = audit._chain_end()
    rows = []
    for number in range(events):
        day = date.fromordinal(start.toordinal() + number % 28)
        event = audit._event(
            previous,
            action=HISTORY_ACTIONS[number % len(HISTORY_ACTIONS)],
            actor=actors.system("demo-history"),
            object_type="subjects.datasubject",
            object_id=number + 1,
            fields=["email"] if number % 4 else [],
            reason="demo: an earlier period of the trail",
        )
        event.occurred_at = timezone.make_aware(datetime.combine(day, time(9, number % 60)))
        event.hash = audit._event_digest(event, key=audit._current_key()[1])
        previous = event.hash
        rows.append(event)
    bulk_insert(AuditEvent, rows)
    return len(rows)


def purge_audit_history(*, today: date) -> PurgeResult:
    """The nightly purge, as of ``today``: the events older than AUDIT_RETENTION_MONTHS go behind a checkpoint."""
    return audit_purge(cutoff=audit_cutoff(today=today), commit=True)
