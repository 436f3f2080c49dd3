"""Recording the data sources searched for a request (R1.7.1, R1.16.1)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit

from ..models import Request, RequestEvent, SourceSearch
from .timeline import record_event

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

SEARCH_PERMISSION = "requests_dsar.add_sourcesearch"


@transaction.atomic
def source_search_record(
    *, request: Request, sources: Iterable[str], outcome: str, note: str = "", actor: User | None
) -> list[SourceSearch]:
    """Record that these systems of the register were searched for the request, with the outcome.

    Customer service and the DPO both search (``add_sourcesearch``). Only systems the register
    names are accepted; "not applicable" needs a note saying why. The timeline names the systems
    and outcome (never the note); the audit trail records the step.
    """
    from ..searches import register_systems, source_key

    actors.require(actor, SEARCH_PERMISSION, person=True)  # a person searches, never a job
    request = Request.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise ValidationError(_("This request is closed: add a note instead."))
    if outcome not in SourceSearch.Outcome.values:
        raise ValidationError(_("Choose the outcome of the search."))
    note = note.strip()
    if outcome == SourceSearch.Outcome.NOT_APPLICABLE and not note:
        raise ValidationError(_("Say why this source does not apply to the person."))
    known = {system.key: system.name for system in register_systems()}
    names = []
    for source in sources:
        name = known.get(source_key(source))
        if name is None:
            raise ValidationError(
                _("“%(source)s” is not a system of the register of processing (Art. 30(1)).") % {"source": source}
            )
        if name not in names:
            names.append(name)
    if not names:
        raise ValidationError(_("Choose at least one data source."))
    searches = []
    for name in names:
        search = SourceSearch(
            request=request,
            source=name,
            outcome=outcome,
            note=note,
            searched_by=actors.staff_or_none(actor),
            searched_by_username=actors.username(actor),
        )
        search.full_clean()
        search.save()
        searches.append(search)
    label = SourceSearch.Outcome(outcome).label
    record_event(
        request=request,
        kind=RequestEvent.Kind.SEARCH,
        actor=actor,
        reason=f"{label}: {', '.join(names)}",
    )
    audit.record(
        action=audit.Action.CHANGE, actor=actor, obj=request, fields=["source_search"], reason=f"searched:{outcome}"
    )
    return searches
