"""Notifying the CNIL (Art. 33), in phases when everything is not known at once (Art. 33(4)).

The notification itself is made on the CNIL's teleservice; here the DPO records each phase, dated,
with the CNIL's reference and a snapshot of the document as submitted. A first notification after
the 72 hours needs the reasons for the delay (Art. 33(1)).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit

from .. import obligations
from ..models import Breach, NotificationPhase
from .breach import breach_state, status_advance, version_write

NOTIFY_PERMISSION = "breaches.notify_breach"


def document_content(breach: Breach) -> dict[str, Any]:
    """The CNIL document as it stands when the phase is submitted (``breaches.documents``)."""
    from .. import documents  # documents reads the phases: imported when used

    return documents.notification_content(breach)


@transaction.atomic
def notification_submit(
    *,
    breach: Breach,
    actor: Any,
    kind: str,
    submitted_at: datetime,
    cnil_reference: str = "",
    late_reasons: str | None = None,
    content: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> NotificationPhase:
    """Record a notification (or one phase of it) made to the CNIL."""
    actors.require(actor, NOTIFY_PERMISSION)
    current = Breach.objects.select_for_update().get(pk=breach.pk)
    if current.status == Breach.Status.CLOSED:
        raise ValidationError(_("This breach is closed."))
    if timezone.is_naive(submitted_at):
        raise ValidationError(_("Give the submission time with its time zone."))
    if submitted_at > (now or timezone.now()):
        raise ValidationError({"submitted_at": [_("The notification cannot be dated in the future.")]})
    if submitted_at < current.aware_at:
        raise ValidationError({"submitted_at": [_("The notification cannot come before IJINUS became aware.")]})
    phases = list(current.phases.order_by("submitted_at", "id"))
    if kind not in NotificationPhase.Kind.values:
        raise ValidationError({"kind": [_("Unknown kind of notification.")]})
    if not phases and kind == NotificationPhase.Kind.COMPLEMENTARY:
        raise ValidationError({"kind": [_("A complementary notification follows an initial one (Art. 33(4)).")]})
    if phases and kind == NotificationPhase.Kind.INITIAL:
        raise ValidationError({"kind": [_("The initial notification was already made: this one is complementary.")]})
    if any(phase.kind == NotificationPhase.Kind.COMPLETE for phase in phases):
        raise ValidationError({"kind": [_("The notification is already complete.")]})
    if phases and submitted_at < phases[-1].submitted_at:
        raise ValidationError({"submitted_at": [_("A phase cannot be dated before the previous one.")]})
    before = breach_state(current)
    if late_reasons is not None and late_reasons.strip():
        current.late_reasons = late_reasons.strip()
    if not phases and obligations.is_late(current, submitted_at) and not current.late_reasons.strip():
        raise ValidationError(
            {
                "late_reasons": [
                    _(
                        "The CNIL is notified more than 72 hours after IJINUS became aware: "
                        "give the reasons for the delay (Art. 33(1))."
                    )
                ]
            }
        )
    phase = NotificationPhase.objects.create(
        breach=current,
        kind=kind,
        submitted_at=submitted_at,
        cnil_reference=cnil_reference.strip(),
        content=content if content is not None else document_content(current),
        submitted_by=actors.staff_or_none(actor),
        submitted_by_username=actors.username(actor),
    )
    status_advance(current, Breach.Status.NOTIFIED)
    current.save(update_fields=["status", "late_reasons"])
    version_write(
        current,
        before=before,
        summary=_("CNIL: %(kind)s submitted") % {"kind": phase.get_kind_display()},
        actor=actor,
        now=now,
    )
    audit.record(action=audit.Action.CREATE, actor=actor, obj=phase, fields=["kind", "submitted_at", "cnil_reference"])
    return phase
