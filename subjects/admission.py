"""The one gate every new data subject passes: erased (Art. 17) or suppressed people stay out.

Every path that creates a ``DataSubject`` (admin add, subjects import, consent-proof import, any
future API) goes through ``subjects.services.record_save``, which calls ``subject_admission_check``
for a new person; the bulk import asks ``admission_refusals`` for all its rows at once. The e-mail
and phone are compared as keyed hashes (``ijinus_privacy.identifiers``) with:

* the erasure tombstones (R1.10.7): the person was erased on a date;
* the suppression list (R1.10.5, R1.13.3): the person withdrew, objected or died.

A refused person is admitted again only on their **own** new act, dated after the erasure or the
suppression (documented in ``docs/erasure.md``):

* their own new request (``Request`` received on or after that date, sent from the same e-mail or
  phone), for instance a request logged by customer service or confirmed on the public form;
* their own new consent (an unsaved ``ConsentEvent`` given, entered by the person themselves,
  confirmed when the mechanism is a double opt-in, after that date), recorded with the person.

An import or a staff entry is never the person's own act. A death is never lifted. The admission
is audited with the basis and the tombstones it supersedes, so ``reapply_erasures`` leaves that
person alone. Messages name the reason, the date and record ids, never the e-mail or phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy.identifiers import IdentifierKind, identifier_hash

if TYPE_CHECKING:
    from consents.models import ConsentEvent
    from requests_dsar.models import Request

HASH_BATCH = 1000


@dataclass(frozen=True)
class AdmissionRefusal:
    """Why a new person may not be created: one tombstone or one suppression entry matched."""

    kind: str  # "erased" or "suppressed"
    identifier: str  # IdentifierKind value: which of the row's identifiers matched
    since: date
    tombstone_id: int | None = None
    erasure_id: int | None = None
    channel: str = ""
    reason: str = ""

    @property
    def lifted_by_the_person(self) -> bool:
        from consents.models import Suppression

        return not (self.kind == "suppressed" and self.reason == Suppression.Reason.DECEASED)

    def message(self) -> str:
        from consents.models import ALL_CHANNELS, Channel, Suppression

        label = _("e-mail") if self.identifier == IdentifierKind.EMAIL else _("phone")
        if self.kind == "erased":
            return _("%(identifier)s: erased under Art. 17 on %(date)s (erasure record #%(record)s)") % {
                "identifier": label,
                "date": self.since.isoformat(),
                "record": self.erasure_id,
            }
        channel = _("all marketing channels") if self.channel == ALL_CHANNELS else Channel(self.channel).label
        return _("%(identifier)s: on the suppression list for %(channel)s since %(date)s (%(reason)s)") % {
            "identifier": label,
            "channel": channel,
            "date": self.since.isoformat(),
            "reason": Suppression.Reason(self.reason).label,
        }


def _hashes(email: str, phone: str) -> dict[str, str]:
    found = {
        IdentifierKind.EMAIL.value: identifier_hash(IdentifierKind.EMAIL, email or ""),
        IdentifierKind.PHONE.value: identifier_hash(IdentifierKind.PHONE, phone or ""),
    }
    return {kind: digest for kind, digest in found.items() if digest}


def admission_refusals(identifiers: Sequence[tuple[str, str]]) -> dict[int, list[AdmissionRefusal]]:
    """For ``[(email, phone), ...]``, the refusals of each position that has any (batched queries)."""
    from consents.models import Suppression
    from requests_dsar.models import ErasureTombstone

    per_row = [_hashes(email, phone) for email, phone in identifiers]
    wanted = sorted({digest for hashes in per_row for digest in hashes.values()})
    by_hash: dict[str, list[AdmissionRefusal]] = {}
    for start in range(0, len(wanted), HASH_BATCH):
        batch = wanted[start : start + HASH_BATCH]
        tombstones = ErasureTombstone.objects.filter(email_hash__in=batch) | ErasureTombstone.objects.filter(
            phone_hash__in=batch
        )
        for tombstone in tombstones.filter(readmitted_subject_ref__isnull=True).order_by("erased_on", "pk"):
            for kind, digest in (("email", tombstone.email_hash), ("phone", tombstone.phone_hash)):
                if digest in batch:
                    by_hash.setdefault(digest, []).append(
                        AdmissionRefusal(
                            kind="erased",
                            identifier=kind,
                            since=tombstone.erased_on,
                            tombstone_id=tombstone.pk,
                            erasure_id=tombstone.erasure_id,
                        )
                    )
        for entry in Suppression.objects.filter(identifier_hash__in=batch).order_by("created_at", "pk"):
            by_hash.setdefault(entry.identifier_hash, []).append(
                AdmissionRefusal(
                    kind="suppressed",
                    identifier=entry.identifier_kind,
                    since=timezone.localdate(entry.created_at),
                    channel=entry.channel,
                    reason=entry.reason,
                )
            )
    refused: dict[int, list[AdmissionRefusal]] = {}
    for position, hashes in enumerate(per_row):
        found = [refusal for digest in hashes.values() for refusal in by_hash.get(digest, [])]
        if found:
            refused[position] = found
    return refused


@dataclass(frozen=True)
class Admission:
    """The person's own act that lets them in again, and the tombstones it supersedes."""

    basis: str
    tombstone_ids: tuple[int, ...]


def _own_act_date(*, own_request: Request | None, own_consent: ConsentEvent | None) -> tuple[date, str] | None:
    if own_request is not None and own_request.pk is not None:
        return own_request.received_on, f"request #{own_request.pk}"
    if own_consent is not None:
        from consents.models import ConsentEvent

        by_the_person = own_consent.entered_by == ConsentEvent.EnteredBy.SUBJECT and (
            own_consent.mechanism != ConsentEvent.Mechanism.DOUBLE_OPT_IN or own_consent.confirmed_at is not None
        )
        if own_consent.action == ConsentEvent.Action.GIVEN and by_the_person and own_consent.occurred_at:
            return timezone.localdate(own_consent.occurred_at), f"consent given ({own_consent.channel})"
    return None


def _request_matches(own_request: Request, *, email: str, phone: str) -> bool:
    """The request came from the same e-mail or phone as the person being added."""
    new = set(_hashes(email, phone).values())
    sent_from = set(_hashes(own_request.requester_email, own_request.requester_phone).values())
    return bool(new & sent_from)


def subject_admission_check(
    *,
    email: str,
    phone: str = "",
    own_request: Request | None = None,
    own_consent: ConsentEvent | None = None,
) -> Admission | None:
    """Refuse a new person who was erased or suppressed, unless their own later act lets them in.

    Returns ``None`` when nothing matched, an ``Admission`` (to audit) when the person's own new
    request or consent lifts every refusal; raises ``ValidationError`` naming each reason otherwise.
    """
    refusals = admission_refusals([(email, phone)]).get(0, [])
    if not refusals:
        return None
    own = _own_act_date(own_request=own_request, own_consent=own_consent)
    if own is not None and own_request is not None and not _request_matches(own_request, email=email, phone=phone):
        own = None
    if own is not None:
        on, basis = own
        if all(refusal.lifted_by_the_person and refusal.since <= on for refusal in refusals):
            tombstones = tuple(sorted({refusal.tombstone_id for refusal in refusals if refusal.tombstone_id}))
            return Admission(basis=basis, tombstone_ids=tombstones)
    errors: dict[str, list[str]] = {}
    for refusal in refusals:
        errors.setdefault(refusal.identifier, []).append(refusal.message())
    first = next(iter(errors))
    errors[first].append(refusal_hint())
    raise ValidationError(errors)


def refusal_hint() -> str:
    return _(
        "Not added: a person erased or suppressed is only added again on their own new request or consent, "
        "received after that date."
    )


def admission_record(*, admission: Admission, subject_id: int, actor: Any) -> None:
    """Mark the superseded tombstones (``reapply_erasures`` then leaves this person) and audit it."""
    from ijinus_privacy import audit
    from requests_dsar.models import ErasureTombstone

    now = timezone.now()
    ErasureTombstone.objects.filter(pk__in=admission.tombstone_ids).update(
        readmitted_subject_ref=subject_id, readmitted_at=now, readmission_basis=admission.basis[:100]
    )
    audit.record(
        action=audit.Action.CHANGE,
        actor=actor,
        object_type="subjects.datasubject",
        object_id=subject_id,
        subject_id=subject_id,
        fields=["admission"],
        reason=f"admitted again after erasure/suppression on the person's own {admission.basis}; "
        f"tombstones {list(admission.tombstone_ids)}",
    )
