"""The erasure tombstones as a refusal list of the admission gate (``subjects.admission``, R1.10.7).

A person erased under Art. 17 is not created again by an import or a staff entry: their e-mail and
phone hashes are kept in ``ErasureTombstone``. Their own new request, sent from the same e-mail or
phone after the erasure, lets them in again (``own_act_of_request``); the tombstones it supersedes
are then marked so ``reapply_erasures`` leaves that person alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ijinus_privacy.identifiers import IdentifierKind
from subjects.admission import AdmissionRefusal, OwnAct

from ..models import ErasureTombstone, Request


class TombstoneList:
    name = "tombstones"

    def refusals(self, hashes: Sequence[str]) -> Iterable[tuple[str, AdmissionRefusal]]:
        tombstones = ErasureTombstone.objects.filter(email_hash__in=hashes) | ErasureTombstone.objects.filter(
            phone_hash__in=hashes
        )
        for tombstone in tombstones.filter(readmitted_subject_ref__isnull=True).order_by("erased_on", "pk"):
            for kind, digest in (
                (IdentifierKind.EMAIL, tombstone.email_hash),
                (IdentifierKind.PHONE, tombstone.phone_hash),
            ):
                if digest in hashes:
                    yield (
                        digest,
                        AdmissionRefusal(
                            list_name=self.name,
                            identifier=kind.value,
                            since=tombstone.erased_on,
                            text=_("%(identifier)s: erased under Art. 17 on %(date)s (erasure record #%(record)s)")
                            % {
                                "identifier": _("e-mail") if kind == IdentifierKind.EMAIL else _("phone"),
                                "date": date_format(tombstone.erased_on, "SHORT_DATE_FORMAT"),
                                "record": tombstone.erasure_id,
                            },
                            reference=tombstone.pk,
                        ),
                    )

    def supersede(self, references: Sequence[int], *, subject_id: int, basis: str) -> None:
        ErasureTombstone.objects.filter(pk__in=references).update(
            readmitted_subject_ref=subject_id, readmitted_at=timezone.now(), readmission_basis=basis[:100]
        )


def own_act_of_request(request: Request) -> OwnAct:
    """The person's own request: dated on receipt, counted only from the e-mail or phone it came from."""
    return OwnAct(
        on=request.received_on,
        basis=f"request #{request.pk}",
        sent_from=(request.requester_email, request.requester_phone),
    )


def own_act_of_request_number(number: int) -> OwnAct | None:
    request = Request.objects.filter(pk=number).first()
    return None if request is None else own_act_of_request(request)
