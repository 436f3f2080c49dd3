"""The suppression list as a refusal list of the admission gate (``subjects.admission``, R1.10.5, R1.13.3).

A person who withdrew, objected or died stays on the suppression list (keyed hashes of their e-mail
and phone): an import or a staff entry does not bring them back. Their own new consent, given after
that date, lets them in again (``own_act_of_consent``), except after a death.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy.choices import ALL_CHANNELS, Channel
from ijinus_privacy.identifiers import IdentifierKind
from subjects.admission import AdmissionRefusal, OwnAct

from .models import ConsentEvent, Suppression


class SuppressionList:
    name = "suppressions"

    def refusals(self, hashes: Sequence[str]) -> Iterable[tuple[str, AdmissionRefusal]]:
        for entry in Suppression.objects.filter(identifier_hash__in=hashes).order_by("created_at", "pk"):
            since = timezone.localdate(entry.created_at)
            channel = _("all marketing channels") if entry.channel == ALL_CHANNELS else Channel(entry.channel).label
            label = _("e-mail") if entry.identifier_kind == IdentifierKind.EMAIL else _("phone")
            yield (
                entry.identifier_hash,
                AdmissionRefusal(
                    list_name=self.name,
                    identifier=entry.identifier_kind,
                    since=since,
                    text=_("%(identifier)s: on the suppression list for %(channel)s since %(date)s (%(reason)s)")
                    % {
                        "identifier": label,
                        "channel": channel,
                        "date": since.isoformat(),
                        "reason": Suppression.Reason(entry.reason).label,
                    },
                    lifted_by_the_person=entry.reason != Suppression.Reason.DECEASED,
                ),
            )

    def supersede(self, references: Sequence[int], *, subject_id: int, basis: str) -> None:
        """Suppression entries stay: a new consent lets the person in, it does not lift an objection."""


def own_act_of_consent(event: ConsentEvent) -> OwnAct | None:
    """A consent given by the person themselves (confirmed, for a double opt-in); None otherwise."""
    by_the_person = event.entered_by == ConsentEvent.EnteredBy.SUBJECT and (
        event.mechanism != ConsentEvent.Mechanism.DOUBLE_OPT_IN or event.confirmed_at is not None
    )
    if event.action == ConsentEvent.Action.GIVEN and by_the_person and event.occurred_at:
        return OwnAct(on=timezone.localdate(event.occurred_at), basis=f"consent given ({event.channel})")
    return None
