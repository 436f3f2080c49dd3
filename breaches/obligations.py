"""What a breach's latest risk assessment requires (Art. 33-34; EDPB Guidelines 9/2022).

* no risk: documented in the register only (Art. 33(5));
* risk: notified to the CNIL within 72 hours of awareness (Art. 33(1));
* high risk: notified to the CNIL and communicated to the people without undue delay (Art. 34(1)).

Until assessed, a breach is "to assess": the clock runs and the notification may be due.
A first notification made after the 72 hours must give the reasons for the delay (Art. 33(1)).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import deadlines
from .models import RiskAssessment

if TYPE_CHECKING:
    from .models import Breach


class Due(models.TextChoices):
    TO_ASSESS = "to_assess", _("to assess: the 72-hour clock runs")
    REGISTER_ONLY = "register_only", _("register only (Art. 33(5))")
    NOTIFY = "notify", _("CNIL notification (Art. 33)")
    NOTIFY_AND_COMMUNICATE = "notify_and_communicate", _("CNIL notification and communication to the people (Art. 34)")


BY_OUTCOME = {
    RiskAssessment.Outcome.NO_RISK: Due.REGISTER_ONLY,
    RiskAssessment.Outcome.RISK: Due.NOTIFY,
    RiskAssessment.Outcome.HIGH_RISK: Due.NOTIFY_AND_COMMUNICATE,
}


def due(breach: Breach) -> Due:
    assessment = breach.latest_assessment() if breach.pk is not None else None
    return Due.TO_ASSESS if assessment is None else BY_OUTCOME[assessment.outcome]


def notification_required(breach: Breach) -> bool:
    return due(breach) in (Due.NOTIFY, Due.NOTIFY_AND_COMMUNICATE)


def communication_required(breach: Breach) -> bool:
    return due(breach) == Due.NOTIFY_AND_COMMUNICATE


def is_late(breach: Breach, submitted_at: datetime) -> bool:
    """A first notification at this time would come after the 72 hours (Art. 33(1))."""
    return submitted_at > deadlines.notification_due(breach.aware_at)


def communicated(breach: Breach) -> bool:
    """Letters went to the people, or a public communication was published (Art. 34(1), 34(3)(c))."""
    return (
        breach.letters.filter(sent_at__isnull=False).exists()
        or breach.public_communications.filter(published_at__isnull=False).exists()
    )


def outstanding(breach: Breach) -> list[str]:
    """What is still to do, in plain words, for the breach page."""
    todo: list[str] = []
    required = due(breach)
    if required == Due.TO_ASSESS:
        todo.append(str(_("Assess the risk (EDPB Guidelines 9/2022).")))
    if required in (Due.NOTIFY, Due.NOTIFY_AND_COMMUNICATE) and not deadlines.notified(breach):
        todo.append(str(_("Notify the CNIL (Art. 33).")))
    if required == Due.NOTIFY_AND_COMMUNICATE and not communicated(breach):
        todo.append(str(_("Tell the people affected (Art. 34).")))
    return todo
