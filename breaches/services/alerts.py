"""The DPO's e-mails about breaches: when one is recorded, and at 48 hours if the CNIL has not been
notified yet (the notification is due at 72 hours, Art. 33(1)).

Through the outbox; the subject line carries the breach's reference only, the body times, states and
a link, never the title or the description (they may hold more than they should).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ijinus_privacy import actors, audit
from ijinus_privacy.outbox import outbox_enqueue
from ijinus_privacy.public_url import public_url

from .. import deadlines
from ..models import Breach, RiskAssessment
from .breach import breach_state, version_write

RECORDED_PURPOSE = "breaches.recorded"
REMINDER_PURPOSE = "breaches.reminder_48h"
REMINDER_ACTOR = "breach-reminder"
TIME_FORMAT = "%d/%m/%Y %H:%M (%Z)"


def _link(breach: Breach) -> str:
    return public_url(reverse("admin:breaches_breach_change", args=[breach.pk]))


def _times(breach: Breach, now: datetime) -> list[str]:
    due = deadlines.notification_due(breach.aware_at)
    left = deadlines.hours_left(breach, now)
    return [
        f"Aware at / connaissance le : {deadlines.in_paris(breach.aware_at).strftime(TIME_FORMAT)}",
        f"CNIL notification due / notification due le : {due.strftime(TIME_FORMAT)}",
        f"Hours left / heures restantes : {left:.0f}" if left >= 0 else f"OVERDUE / EN RETARD : {-left:.0f} h",
    ]


def recorded_alert_send(breach: Breach, *, actor: Any, now: datetime | None = None) -> None:
    now = now or timezone.now()
    body = [
        f"A personal-data breach was recorded: {breach.reference}.",
        f"Une violation de données personnelles a été enregistrée : {breach.reference}.",
        "",
        *_times(breach, now),
        f"Status / statut : {breach.status}",
        "",
        _link(breach),
    ]
    outbox_enqueue(
        purpose=RECORDED_PURPOSE,
        to=[settings.DPO_EMAIL],
        subject=f"[IJINUS Privacy] Breach {breach.reference}",
        body="\n".join(body),
        object_id=breach.pk,
        actor=actor,
    )


def reminder_candidates(now: datetime) -> list[Breach]:
    """Open breaches past 48 hours, not notified, reminder not sent, not assessed as no risk."""
    candidates = (
        Breach.objects.open()
        .not_notified()
        .filter(reminder_sent_at__isnull=True, aware_at__lte=deadlines.reminder_cutoff(now))
        .order_by("aware_at", "pk")
    )
    latest = []
    for breach in candidates:
        assessment = breach.latest_assessment()
        if assessment is not None and assessment.outcome == RiskAssessment.Outcome.NO_RISK:
            continue
        latest.append(breach)
    return latest


def reminders_send(*, now: datetime | None = None) -> int:
    """Send the 48-hour reminder once per breach; return how many were sent (beat, every few minutes)."""
    now = now or timezone.now()
    actor = actors.system(REMINDER_ACTOR)
    sent = 0
    for breach in reminder_candidates(now):
        with transaction.atomic():
            current = Breach.objects.select_for_update().get(pk=breach.pk)
            if current.reminder_sent_at is not None or current.phases.exists():
                continue
            before = breach_state(current)
            body = [
                f"Breach {current.reference}: the CNIL has not been notified yet (Art. 33(1), 72 hours).",
                f"Violation {current.reference} : la CNIL n'a pas encore été notifiée (art. 33.1, 72 heures).",
                "",
                *_times(current, now),
                "",
                _link(current),
            ]
            outbox_enqueue(
                purpose=REMINDER_PURPOSE,
                to=[settings.DPO_EMAIL],
                subject=f"[IJINUS Privacy] Breach {current.reference}: 48 hours",
                body="\n".join(body),
                object_id=current.pk,
                actor=actor,
            )
            current.reminder_sent_at = now
            current.save(update_fields=["reminder_sent_at"])
            version_write(current, before=before, summary="48-hour reminder sent to the DPO", actor=actor, now=now)
            audit.record(action=audit.Action.CHANGE, actor=actor, obj=current, fields=["reminder_sent_at"])
            sent += 1
    return sent
