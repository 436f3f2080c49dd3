"""The one gate every new data subject passes: erased (Art. 17) or suppressed people stay out.

Every path that creates a ``DataSubject`` (admin add, subjects import, consent-proof import, any
future API) goes through ``subjects.services.record_save``, which calls ``subject_admission_check``
for a new person; the bulk import asks ``admission_refusals`` for all its rows at once. The e-mail
and phone are compared as keyed hashes (``ijinus_privacy.identifiers``) with the **refusal lists**
that the apps above register in ``AppConfig.ready()`` (``register_refusal_list``), so this module
never imports them:

* the erasure tombstones (R1.10.7, ``requests_dsar.erasure.admission``): the person was erased on a date;
* the suppression list (R1.10.5, R1.13.3, ``consents.admission``): the person withdrew, objected or died.

A refused person is admitted again only on their **own** new act, dated after the erasure or the
suppression (documented in ``docs/erasure.md``):

* their own new request (received on or after that date, sent from the same e-mail or phone), for
  instance a request logged by customer service or confirmed on the public form
  (``requests_dsar.erasure.admission.own_act_of_request``);
* their own new consent (given, entered by the person themselves, confirmed when the mechanism is a
  double opt-in, after that date), recorded with the person (``consents.admission.own_act_of_consent``).

The act reaches this module as an ``OwnAct`` (a date, a basis to audit, and the e-mail/phone it came
from when it is not recorded with the person).

An import or a staff entry is never the person's own act. A death is never lifted. The admission
is audited with the basis and the tombstones it supersedes, so ``reapply_erasures`` leaves that
person alone. Messages name the reason, the date and record ids, never the e-mail or phone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ijinus_privacy import audit
from ijinus_privacy.identifiers import IdentifierKind, identifier_hash

HASH_BATCH = 1000


@dataclass(frozen=True)
class AdmissionRefusal:
    """Why a new person may not be created: one entry of one refusal list matched."""

    list_name: str  # the refusal list that matched ("tombstones", "suppressions")
    identifier: str  # IdentifierKind value: which of the row's identifiers matched
    since: date
    text: str  # the reason as staff read it: a date and record ids, never the e-mail or phone
    lifted_by_the_person: bool = True  # a death is never lifted
    reference: int | None = None  # the entry the person's own act supersedes (a tombstone id)

    def message(self) -> str:
        return self.text


class RefusalList(Protocol):
    """A list of keyed hashes that keeps people out, registered by the app that owns it."""

    name: str

    def refusals(self, hashes: Sequence[str]) -> Iterable[tuple[str, AdmissionRefusal]]:
        """``(hash, refusal)`` for every entry of the list matching one of ``hashes`` (at most HASH_BATCH)."""

    def supersede(self, references: Sequence[int], *, subject_id: int, basis: str) -> None:
        """The person was admitted again on their own act: mark these entries (``reference`` values)."""


@dataclass(frozen=True)
class OwnAct:
    """The person's own new act that may let them in again: a request they made, a consent they gave."""

    on: date
    basis: str  # audited as is: "request #12", "consent given (newsletter_email)"; never personal data
    sent_from: tuple[str, str] | None = None  # (e-mail, phone) it came from, when not recorded with the person


_refusal_lists: list[RefusalList] = []
_own_act_lookups: dict[str, Callable[[int], OwnAct | None]] = {}


def register_refusal_list(refusal_list: RefusalList) -> None:
    if all(existing.name != refusal_list.name for existing in _refusal_lists):
        _refusal_lists.append(refusal_list)


def register_own_act_lookup(kind: str, lookup: Callable[[int], OwnAct | None]) -> None:
    """``lookup(number)``: the own act of that number (``kind`` "request": a request number), or None."""
    _own_act_lookups[kind] = lookup


def own_act(kind: str, number: int) -> OwnAct | None:
    lookup = _own_act_lookups.get(kind)
    return lookup(number) if lookup is not None else None


def _hashes(email: str, phone: str) -> dict[str, str]:
    found = {
        IdentifierKind.EMAIL.value: identifier_hash(IdentifierKind.EMAIL, email or ""),
        IdentifierKind.PHONE.value: identifier_hash(IdentifierKind.PHONE, phone or ""),
    }
    return {kind: digest for kind, digest in found.items() if digest}


def admission_refusals(identifiers: Sequence[tuple[str, str]]) -> dict[int, list[AdmissionRefusal]]:
    """For ``[(email, phone), ...]``, the refusals of each position that has any (batched queries)."""
    per_row = [_hashes(email, phone) for email, phone in identifiers]
    wanted = sorted({digest for hashes in per_row for digest in hashes.values()})
    by_hash: dict[str, list[AdmissionRefusal]] = {}
    for start in range(0, len(wanted), HASH_BATCH):
        batch = wanted[start : start + HASH_BATCH]
        for refusal_list in _refusal_lists:
            for digest, refusal in refusal_list.refusals(batch):
                by_hash.setdefault(digest, []).append(refusal)
    refused: dict[int, list[AdmissionRefusal]] = {}
    for position, hashes in enumerate(per_row):
        found = [refusal for digest in hashes.values() for refusal in by_hash.get(digest, [])]
        if found:
            refused[position] = found
    return refused


@dataclass(frozen=True)
class Admission:
    """The person's own act that lets them in again, and the entries it supersedes, by list."""

    basis: str
    superseded: tuple[tuple[str, tuple[int, ...]], ...]


def _act_matches(act: OwnAct, *, email: str, phone: str) -> bool:
    """An act sent from somewhere (a request) counts only from the same e-mail or phone as the person."""
    if act.sent_from is None:
        return True
    return bool(set(_hashes(email, phone).values()) & set(_hashes(*act.sent_from).values()))


def subject_admission_check(*, email: str, phone: str = "", own_act: OwnAct | None = None) -> Admission | None:
    """Refuse a new person who was erased or suppressed, unless their own later act lets them in.

    Returns ``None`` when nothing matched, an ``Admission`` (to audit) when the person's own new
    request or consent lifts every refusal; raises ``ValidationError`` naming each reason otherwise.
    """
    refusals = admission_refusals([(email, phone)]).get(0, [])
    if not refusals:
        return None
    lifted = own_act is not None and _act_matches(own_act, email=email, phone=phone)
    if lifted and all(refusal.lifted_by_the_person and refusal.since <= own_act.on for refusal in refusals):
        superseded = {}
        for refusal in refusals:
            if refusal.reference:
                superseded.setdefault(refusal.list_name, set()).add(refusal.reference)
        return Admission(
            basis=own_act.basis,
            superseded=tuple((name, tuple(sorted(references))) for name, references in superseded.items()),
        )
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
    """Mark the superseded entries (``reapply_erasures`` then leaves this person) and audit it."""
    lists = {refusal_list.name: refusal_list for refusal_list in _refusal_lists}
    for name, references in admission.superseded:
        lists[name].supersede(references, subject_id=subject_id, basis=admission.basis)
    superseded = "; ".join(f"{name} {list(references)}" for name, references in admission.superseded)
    audit.record(
        action=audit.Action.CHANGE,
        actor=actor,
        object_type="subjects.datasubject",
        object_id=subject_id,
        subject_id=subject_id,
        fields=["admission"],
        reason=f"admitted again after erasure/suppression on the person's own {admission.basis}; {superseded}",
    )
