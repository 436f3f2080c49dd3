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

from consents.models import Controller, DataCategory, LegalBasis, ProcessingActivity, TransferMechanism
from ijinus_privacy.models import AuditEvent
from ijinus_privacy.personal_data import PersonalDataSource, registry
from subjects.models import FREE_TEXT_WARNING, DataSubject

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
    redactor = Redactor.for_subject(subject)
    placeholder = texts_for(language)["redacted"]
    sources: list[SourceData] = []
    redactions: list[Redaction] = []
    for source in registry:
        collected = source.collect(subject.pk)
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
                label=str(collected.label),
                categories=tuple(collected.categories),
                records=records,
                field_labels={key: str(value) for key, value in collected.field_labels.items()},
            )
        )
    return Collection(subject=subject, sources=sources, redactions=redactions)


def _clean(text: str) -> str:
    """Register text for a data subject: without the DPO's ⚑ markers."""
    return " ".join(text.replace("⚑", "").split())


def _activities(codes: set[str]) -> list[ProcessingActivity]:
    return list(
        ProcessingActivity.objects.with_codes(codes).exclude(status=ProcessingActivity.Status.RETIRED).with_register()
    )


def _activity_name(activity: ProcessingActivity, language: str) -> str:
    return (activity.name_fr if language == "fr" and activity.name_fr else activity.name) or activity.code


def art15_information(collection: Collection, *, language: str) -> dict[str, Any]:
    """The Art. 15(1)(a)-(h) and 15(2) information, tailored to the sources holding this person's data."""
    texts = texts_for(language)
    bases = legal_bases_for(language)
    with_data = collection.with_data()
    codes = {code for source in with_data for code in source.source.register_entries}
    category_codes = {code for source in with_data for code in source.categories}
    activities = _activities(codes)
    controller = Controller.current()
    dpo = (controller.dpo_email if controller and controller.dpo_email else "") or "gdpr@ijinus.com"

    purposes = [
        {
            "activity": activity.code,
            "activity_name": _activity_name(activity, language),
            "purposes": [
                {
                    "description": purpose.description,
                    "legal_basis": purpose.legal_basis,
                    "legal_basis_label": bases.get(purpose.legal_basis, purpose.legal_basis),
                }
                for purpose in activity.purposes.all()
            ],
        }
        for activity in activities
    ]
    categories = []
    for category in DataCategory.objects.with_codes(category_codes).order_by("code"):
        activity_codes = {
            code
            for source in with_data
            if category.code in source.categories
            for code in source.source.register_entries
        }
        retention = []
        for activity in activities:
            if activity.code not in activity_codes:
                continue
            link = next((lk for lk in activity.data_category_links.all() if lk.category_id == category.pk), None)
            period = _clean(link.retention if link and link.retention else activity.retention)
            if period:
                retention.append({"activity": activity.code, "period": period})
        categories.append(
            {"code": category.code, "name": category.name, "description": category.description, "retention": retention}
        )
    recipients: dict[str, dict[str, Any]] = {}
    transfers: dict[str, dict[str, Any]] = {}
    for activity in activities:
        for recipient in activity.recipients.all():
            recipients.setdefault(
                recipient.code,
                {
                    "code": recipient.code,
                    "name": recipient.name,
                    "kind": recipient.get_kind_display(),
                    "country": recipient.country,
                    "activities": [],
                },
            )["activities"].append(activity.code)
            if recipient.is_transfer:
                transfers[recipient.code] = {
                    "recipient": recipient.name,
                    "country": recipient.country or recipient.processing_countries or texts["not_documented"],
                    "mechanism": recipient.transfer_mechanism,
                    "mechanism_label": texts["to_assess"]
                    if recipient.transfer_mechanism == TransferMechanism.TO_ASSESS
                    else str(recipient.get_transfer_mechanism_display()),
                    "reference": recipient.scc_reference,
                }
    data_sources = [
        {"activity": activity.code, "source": _clean(activity.data_source)}
        for activity in activities
        if activity.data_source.strip()
    ]
    third_party = [source for source in with_data if not source.source.provided_by_subject]
    source_notes = [texts["source_third_party"].format(label=source.label) for source in third_party]
    source_notes.append(texts["source_subject"])
    automated = [texts["automated_none"]]
    if any(source.source.inferred for source in with_data):
        automated.append(texts["automated_interests"])
    return {
        "purposes": purposes,
        "data_categories": categories,
        "recipients": list(recipients.values()),
        "rights": texts["rights_text"].format(dpo=dpo),
        "complaint": {**CNIL, "text": texts["complaint_text"].format(**CNIL)},
        "data_sources": data_sources,
        "source_notes": source_notes,
        "automated_decisions": automated,
        "transfers": list(transfers.values()),
    }


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
