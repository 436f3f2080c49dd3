"""What an export contains (R1.7, R1.8): every registered source's data about one subject, with
third-party data redacted (R1.7.6), and the Art. 15 information tailored from the register.

The collection reads each source once (a fixed number of queries whatever the number of rows, T6):
the sources themselves, the staff identities to redact, the register entries the sources serve,
and the subject's consultations in the audit trail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from consents.dpo import dpo_contact
from consents.models import LegalBasis, ProcessingActivity, TransferMechanism
from ijinus_privacy.models import AuditEvent
from ijinus_privacy.personal_data import PersonalDataSource, registry
from subjects.models import FREE_TEXT_WARNING, DataSubject

from . import wording
from .texts import CNIL, legal_bases_for, texts_for

PORTABLE_BASES = frozenset({LegalBasis.CONSENT, LegalBasis.CONTRACT})  # Art. 20(1)(a), R1.8.1
EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class Redaction:
    """A piece of third-party data removed from the copy (R1.7.6): where, and what kind; never the value."""

    source: str
    record: int
    field: str
    kind: str  # "staff_identity" | "email_address"


@dataclass
class SourceData:
    source: PersonalDataSource
    label: str
    categories: tuple[str, ...]
    records: list[dict[str, Any]]
    field_labels: dict[str, str]
    label_missing: bool = False

    @property
    def name(self) -> str:
        return self.source.name


@dataclass
class Collection:
    subject: DataSubject
    sources: list[SourceData]
    redactions: list[Redaction] = field(default_factory=list)

    @property
    def record_count(self) -> int:
        return sum(len(source.records) for source in self.sources)

    def with_data(self) -> list[SourceData]:
        return [source for source in self.sources if source.records]


def _free_text_fields(source: PersonalDataSource) -> set[str]:
    """Fields where people write freely, so where other people's data can hide."""
    names = set()
    for model in source.models:
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.TextField) or model_field.help_text == FREE_TEXT_WARNING:
                names.add(model_field.name)
    return names


class Redactor:
    """Redact staff identities (full names, e-mail addresses) and other people's e-mail addresses
    from free text (Art. 15(4), R1.7.6). The subject's own name and address are left alone."""

    def __init__(self, *, staff_terms: set[str], own_terms: set[str]) -> None:
        self.own_terms = {term.casefold() for term in own_terms if term}
        terms = sorted((t for t in staff_terms if len(t) >= 3 and t.casefold() not in self.own_terms), key=len)
        self.staff_pattern = (
            re.compile(r"\b(?:" + "|".join(re.escape(t) for t in reversed(terms)) + r")\b", re.IGNORECASE)
            if terms
            else None
        )

    @classmethod
    def for_subject(cls, subject: DataSubject) -> Redactor:
        staff_terms: set[str] = set()
        for first, last, email in (
            get_user_model().objects.filter(is_staff=True).values_list("first_name", "last_name", "email")
        ):
            if first and last:
                staff_terms |= {f"{first} {last}", f"{last} {first}"}
            if email:
                staff_terms.add(email)
        own = {subject.email, subject.display_name, f"{subject.last_name} {subject.first_names}".strip()}
        return cls(staff_terms=staff_terms, own_terms=own)

    def redact(self, text: str, placeholder: str) -> tuple[str, list[str]]:
        kinds: list[str] = []
        if self.staff_pattern is not None:
            text, count = self.staff_pattern.subn(placeholder, text)
            kinds += ["staff_identity"] * count

        def _email(match: re.Match) -> str:
            if match.group(0).casefold() in self.own_terms:
                return match.group(0)
            kinds.append("email_address")
            return placeholder

        text = EMAIL_PATTERN.sub(_email, text)
        return text, kinds


def collect(subject: DataSubject, *, language: str = "fr") -> Collection:
    """Read every registered source for this subject (R1.7.1) and redact third-party data (R1.7.6)."""
    from django.utils import translation

    with translation.override(language):  # field labels and coded values in the person's language
        return _collect(subject, language=language)


def _collect(subject: DataSubject, *, language: str) -> Collection:
    redactor = Redactor.for_subject(subject)
    placeholder = texts_for(language)["redacted"]
    sources: list[SourceData] = []
    redactions: list[Redaction] = []
    for source in registry:
        collected = source.collect(subject.pk)
        label = wording.source_label(source.name, language)
        free_text = _free_text_fields(source)
        records = []
        for index, record in enumerate(collected.records):
            record = dict(record)
            for name in free_text & record.keys():
                if isinstance(record[name], str) and record[name]:
                    record[name], kinds = redactor.redact(record[name], placeholder)
                    redactions += [Redaction(source.name, index, name, kind) for kind in kinds]
            records.append(record)
        sources.append(
            SourceData(
                source=source,
                label=label or wording.without_internal_references(str(collected.label)),
                categories=tuple(collected.categories),
                records=records,
                field_labels={key: str(value) for key, value in collected.field_labels.items()},
                label_missing=label is None,
            )
        )
    return Collection(subject=subject, sources=sources, redactions=redactions)


# Roles (subjects) that are data-subject categories of the register (consents) under the same code.
# Activities for "any data subject", requesters and heirs apply whenever this person's data is in them.
ALWAYS_CATEGORIES = frozenset({"any_subject", "requester", "heir"})
# Data that says which category a person is in even without the role recorded.
CATEGORIES_FROM_SOURCES = {"subjects.navigation": "website_visitor", "subjects.devices": "ijitrack_user"}
COUNTRY_NAMES = {
    "fr": {
        "FR": "France",
        "DE": "Allemagne",
        "IE": "Irlande",
        "NL": "Pays-Bas",
        "BE": "Belgique",
        "ES": "Espagne",
        "IT": "Italie",
        "LU": "Luxembourg",
        "SE": "Suède",
        "FI": "Finlande",
        "DK": "Danemark",
        "PL": "Pologne",
        "AT": "Autriche",
        "PT": "Portugal",
        "US": "États-Unis",
        "GB": "Royaume-Uni",
        "CH": "Suisse",
        "CA": "Canada",
        "IN": "Inde",
        "JP": "Japon",
    },
    "en": {
        "FR": "France",
        "DE": "Germany",
        "IE": "Ireland",
        "NL": "Netherlands",
        "BE": "Belgium",
        "ES": "Spain",
        "IT": "Italy",
        "LU": "Luxembourg",
        "SE": "Sweden",
        "FI": "Finland",
        "DK": "Denmark",
        "PL": "Poland",
        "AT": "Austria",
        "PT": "Portugal",
        "US": "United States",
        "GB": "United Kingdom",
        "CH": "Switzerland",
        "CA": "Canada",
        "IN": "India",
        "JP": "Japan",
    },
}


def country_name(code: str, language: str) -> str:
    return COUNTRY_NAMES.get(language, COUNTRY_NAMES["fr"]).get(code.upper(), code.upper())


def person_categories(collection: Collection) -> set[str] | None:
    """The register's data-subject categories this person is in (R3.2.3): their roles, and what
    their data shows (a browsing record makes a visitor). ``None``: no role recorded, no filter."""
    roles = set(collection.subject.roles.values_list("role", flat=True))
    if not roles:
        return None
    implied = {CATEGORIES_FROM_SOURCES[s.name] for s in collection.with_data() if s.name in CATEGORIES_FROM_SOURCES}
    return roles | implied | ALWAYS_CATEGORIES


def applicable_activities(collection: Collection) -> list[ProcessingActivity]:
    """The register entries that apply to this person (R3.2.2): served by a source holding their
    data, and for a category of people they belong to. An active client is not a prospect: the
    prospect, cookie and social-network entries are left out unless their data or roles call for them."""
    with_data = collection.with_data()
    codes = {code for source in with_data for code in source.source.register_entries}
    activities = list(
        ProcessingActivity.objects.with_codes(codes).exclude(status=ProcessingActivity.Status.RETIRED).with_register()
    )
    categories = person_categories(collection)
    if categories is None:
        return activities
    return [a for a in activities if {c.code for c in a.subject_categories.all()} & categories]


@dataclass
class Information:
    """The Art. 15 information in the person's language, and what the DPO still has to document."""

    document: dict[str, Any]
    gaps: list[str]


def _gap(gaps: list[str], text: str) -> None:
    if text not in gaps:
        gaps.append(text)


def _information(collection: Collection, *, language: str) -> Information:
    from django.utils.translation import gettext as _

    texts = texts_for(language)
    bases = legal_bases_for(language)
    gaps: list[str] = []
    with_data = collection.with_data()
    activities = applicable_activities(collection)
    served_by = {
        code: [s for s in with_data if code in s.source.register_entries] for code in {a.code for a in activities}
    }
    names: dict[str, str] = {}
    for activity in activities:
        name = wording.activity_name(activity.code, language)
        if name is None:
            _gap(gaps, _("%(code)s: no name worded for data subjects") % {"code": activity.code})
        names[activity.code] = name or ""

    purposes = []
    for activity in activities:
        worded = []
        for purpose in activity.purposes.all():
            description = wording.purpose(purpose.description, language)
            if description is None:
                _gap(
                    gaps,
                    _("%(code)s: purpose not worded for data subjects: “%(text)s”")
                    % {"code": activity.code, "text": purpose.description},
                )
                continue
            worded.append(
                {
                    "description": description,
                    "legal_basis": purpose.legal_basis,
                    "legal_basis_label": bases.get(purpose.legal_basis, purpose.legal_basis),
                }
            )
        if worded:
            purposes.append({"activity": activity.code, "activity_name": names[activity.code], "purposes": worded})

    category_codes = sorted({code for source in with_data for code in source.categories})
    categories = []
    for code in category_codes:
        name = wording.data_category(code, language)
        if name is None:
            _gap(gaps, _("Data category %(code)s not worded for data subjects") % {"code": code})
            continue
        retention = []
        for activity in activities:
            if not any(code in source.categories for source in served_by[activity.code]):
                continue
            link = next((lk for lk in activity.data_category_links.all() if lk.category.code == code), None)
            if link is None:
                continue
            period = wording.retention(link.retention, language) if link.retention else ""
            source_text = link.retention if period else activity.retention
            if not period:
                period = wording.retention(activity.retention, language) if activity.retention.strip() else None
            if not period:
                _gap(
                    gaps,
                    _("%(code)s: retention of “%(category)s” not decided or not worded for data subjects: “%(text)s”")
                    % {"code": activity.code, "category": code, "text": source_text or "—"},
                )
                continue
            retention.append({"activity": names[activity.code] or activity.code, "period": period})
        categories.append({"code": code, "name": name, "description": "", "retention": retention})
    categories.sort(key=lambda category: category["name"].casefold())

    recipients: dict[str, dict[str, Any]] = {}
    transfers: dict[str, dict[str, Any]] = {}
    for activity in activities:
        for recipient in activity.recipients.all():
            if recipient.code in recipients:
                recipients[recipient.code]["activities"].append(activity.code)
                continue
            name, is_category = wording.recipient_name(recipient.name, language)
            if recipient.kind in wording.IDENTIFIED_KINDS and (is_category or not recipient.country):
                _gap(
                    gaps,
                    _("Recipient “%(name)s”: company and country not recorded (Art. 15(1)(c), CJEU C-154/21)")
                    % {"name": recipient.name},
                )
            recipients[recipient.code] = {
                "code": recipient.code,
                "name": name,
                "kind": wording.recipient_kind(recipient.kind, language),
                "country": recipient.country,
                "activities": [activity.code],
            }
            if recipient.is_transfer:
                if recipient.transfer_mechanism == TransferMechanism.TO_ASSESS or not recipient.country:
                    _gap(
                        gaps,
                        _("Recipient “%(name)s”: transfer outside the EU not documented (Art. 15(2))")
                        % {"name": recipient.name},
                    )
                    continue
                transfers[recipient.code] = {
                    "recipient": name,
                    "country": country_name(recipient.country, language),
                    "mechanism": recipient.transfer_mechanism,
                    "mechanism_label": texts["mechanisms"].get(recipient.transfer_mechanism, ""),
                    "reference": "",
                }
    data_sources = []
    for activity in activities:
        if not activity.data_source.strip():
            continue
        source = wording.data_source(activity.data_source, language)
        if source is None:
            _gap(
                gaps,
                _("%(code)s: source of the data not worded for data subjects: “%(text)s”")
                % {"code": activity.code, "text": activity.data_source},
            )
            continue
        data_sources.append({"activity": names[activity.code] or activity.code, "source": source})
    third_party = [source for source in with_data if not source.source.provided_by_subject]
    source_notes = [texts["source_third_party"].format(label=source.label) for source in third_party]
    source_notes.append(texts["source_subject"])
    automated = [texts["automated_none"]]
    if any(source.source.inferred for source in with_data):
        automated.append(texts["automated_interests"])
    for source in with_data:
        if source.label_missing:
            _gap(gaps, _("Section “%(label)s” not worded for data subjects") % {"label": source.source.label})
    dpo = dpo_contact()
    document = {
        "purposes": purposes,
        "data_categories": categories,
        "recipients": list(recipients.values()),
        "rights": texts["rights_text"].format(dpo=dpo.email),
        "complaint": {**CNIL, "text": texts["complaint_text"].format(**CNIL)},
        "data_sources": data_sources,
        "source_notes": source_notes,
        "automated_decisions": automated,
        "transfers": list(transfers.values()),
    }
    return Information(document=document, gaps=gaps)


def art15_information(collection: Collection, *, language: str) -> dict[str, Any]:
    """The Art. 15(1)(a)-(h) and 15(2) information, tailored to this person (R1.7.2, R3.2.2): only
    what is worded for data subjects is given; the rest is a gap for the DPO, never printed."""
    return _information(collection, language=language).document


def documentation_gaps(collection: Collection, *, language: str) -> list[str]:
    """What the DPO must document before this person's export can be approved (R1.7.2, R1.7.3)."""
    return _information(collection, language=language).gaps


CONSULTATION_ACTIONS = {
    AuditEvent.Action.VIEW: "action_view",
    AuditEvent.Action.EXPORT: "action_export",
    AuditEvent.Action.DOWNLOAD: "action_download",
}


def consultations(subject_id: int, *, language: str) -> list[dict[str, str]]:
    """Dates and purposes of staff consultations (R1.7.5); never who consulted."""
    texts = texts_for(language)
    rows = (
        AuditEvent.objects.for_subject(subject_id)
        .consultations()
        .exclude(actor_pk__isnull=True)
        .order_by("occurred_at", "id")
        .values_list("occurred_at", "action")
    )
    return [
        {
            "date": timezone.localtime(occurred_at).date().isoformat(),
            "action": action,
            "purpose": texts[CONSULTATION_ACTIONS[action]],
        }
        for occurred_at, action in rows
    ]


def portable_sources(collection: Collection) -> list[tuple[SourceData, list[str]]]:
    """Sources whose data is portable (R1.8.1-R1.8.2): provided by the person or generated by use,
    not inferred, and serving at least one purpose based on consent or contract. With the bases."""
    codes = {code for source in collection.sources for code in source.source.register_entries}
    bases_by_activity: dict[str, set[str]] = {}
    for activity in ProcessingActivity.objects.with_codes(codes).prefetch_related("purposes"):
        bases_by_activity[activity.code] = {purpose.legal_basis for purpose in activity.purposes.all()}
    portable = []
    for source in collection.sources:
        if not source.source.provided_by_subject or source.source.inferred:
            continue
        bases = set().union(*(bases_by_activity.get(code, set()) for code in source.source.register_entries))
        eligible = sorted(bases & PORTABLE_BASES)
        if eligible:
            portable.append((source, eligible))
    return portable
