"""The checklist of data sources to search before answering (R1.7.1, R1.16.1). Read-only.

The sources are the systems the register of processing names: the "software / application used"
of each entry not retired (``consents.ProcessingActivity.software``, CNIL template), where one entry
lists its systems separated by semicolons, details in brackets: "CRM; IJINUS Privacy back office
(consents, suppression list)" names the CRM and the back office. The same system named by several
entries is one source, listed with every entry that uses it. No other list exists: the DPO keeps the
register, and the checklist follows it. The back office's own tables are the personal-data registry
(``ijinus_privacy.personal_data``), which the access export reads in full; the other systems (the
mailbox, the accounting software, the e-mailing tool...) are searched by staff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from consents.models import ProcessingActivity

from .models import Request, SourceSearch

_DETAILS = re.compile(r"\([^)]*\)")


@dataclass(frozen=True)
class RegisterSystem:
    name: str
    entries: tuple[str, ...]  # the register codes (P01...) that name it

    @property
    def key(self) -> str:
        return source_key(self.name)


def source_key(name: str) -> str:
    """How two spellings of a system are recognised as one ("E-mailing tool", "e-mailing tool")."""
    return " ".join(name.split()).casefold()


def system_names(software: str) -> list[str]:
    """The systems one register entry names: "A; B (details)" gives ["A", "B"]."""
    names = []
    for part in software.split(";"):
        name = " ".join(_DETAILS.sub("", part).split()).strip(" .,")
        if name:
            names.append(name)
    return names


def register_systems() -> list[RegisterSystem]:
    """Every system the register names, in the order of the entries (one query)."""
    systems: dict[str, tuple[str, list[str]]] = {}
    activities = (
        ProcessingActivity.objects.exclude(status=ProcessingActivity.Status.RETIRED)
        .order_by("code")
        .values_list("code", "software")
    )
    for code, software in activities:
        for name in system_names(software):
            _name, codes = systems.setdefault(source_key(name), (name, []))
            if code not in codes:
                codes.append(code)
    return [RegisterSystem(name=name, entries=tuple(codes)) for name, codes in systems.values()]


@dataclass(frozen=True)
class ChecklistRow:
    system: RegisterSystem
    search: SourceSearch | None  # the latest search of this system for the request

    @property
    def searched(self) -> bool:
        return self.search is not None

    @property
    def note_as_written(self) -> str:
        from ijinus_privacy.written_in import shown_with_language

        return shown_with_language(self.search.note, self.search.written_in) if self.search else ""


def checklist(dsar: Request) -> list[ChecklistRow]:
    """One row per system of the register, with its latest search for this request (two queries)."""
    latest: dict[str, SourceSearch] = {}
    for search in SourceSearch.objects.filter(request=dsar).order_by("searched_at", "id"):
        latest[source_key(search.source)] = search
    return [ChecklistRow(system=system, search=latest.get(system.key)) for system in register_systems()]


def sources_remaining(dsar: Request) -> list[str]:
    """The register's systems not searched yet for this request, by name."""
    return [row.system.name for row in checklist(dsar) if not row.searched]


def refuse_if_sources_not_searched(dsar: Request) -> None:
    """An access answer covers the whole organisation (R1.7.1): refused while a system of the
    register has not been searched, naming the systems left."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    remaining = sources_remaining(dsar)
    if remaining:
        raise ValidationError(
            [
                _(
                    "Before this access export can be approved, search every data source of the register "
                    "(Art. 15) and record the outcome under Data sources searched. Not searched yet:"
                ),
                *remaining,
            ]
        )
