"""The people affected by a breach: chosen from the people, found by a query over the register's
sources (the personal-data registry), or matched from an imported list of e-mail addresses.

Only links are kept (the person's id); people who cannot be linked are counted in the breach's
estimate. Adding people is the DPO's work (change permission); each person linked is audited under
their id, so the link shows in the person's history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit
from ijinus_privacy.identifiers import normalise_email
from ijinus_privacy.personal_data import PersonalDataSource, registry
from subjects.models import DataSubject

from ..models import AffectedPerson, Breach
from .breach import CHANGE_PERMISSION, breach_state, version_write

BATCH = 2000
EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Added:
    added: int
    already: int
    unknown: int = 0  # imported addresses matching nobody (counted, never stored)
    invalid: int = 0


def _subject_fk_fields(model: type[models.Model]) -> list[str]:
    return [
        field.name for field in model._meta.concrete_fields if field.many_to_one and field.related_model is DataSubject
    ]


def register_sources(
    *, activity_codes: Iterable[str] = (), category_codes: Iterable[str] = ()
) -> list[PersonalDataSource]:
    """The registry's sources serving one of these processing activities or holding one of these categories."""
    activities, categories = set(activity_codes), set(category_codes)
    return [
        source
        for source in registry
        if activities & set(source.register_entries) or categories & set(source.categories)
    ]


def register_query(*, activity_codes: Iterable[str] = (), category_codes: Iterable[str] = ()) -> models.QuerySet:
    """The ids of the people who have rows in the matching sources' tables (rows hanging on a person)."""
    condition = models.Q(pk__in=[])
    for source in register_sources(activity_codes=activity_codes, category_codes=category_codes):
        for model in source.models:
            for field in _subject_fk_fields(model):
                condition |= models.Q(pk__in=model._default_manager.filter(**{f"{field}__isnull": False}).values(field))
    return DataSubject.objects.filter(condition).values_list("pk", flat=True)


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    batch: list[int] = []
    for subject_id in ids:
        batch.append(int(subject_id))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _link(breach: Breach, subject_ids: Iterable[int], *, source: str, actor: Any, now: datetime | None) -> Added:
    actors.require(actor, CHANGE_PERMISSION)
    current = Breach.objects.select_for_update().get(pk=breach.pk)
    if current.status == Breach.Status.CLOSED:
        raise ValidationError(_("This breach is closed."))
    moment = now or timezone.now()
    before = breach_state(current)
    added = already = 0
    for batch in _batches(subject_ids):
        existing_people = set(DataSubject.objects.filter(pk__in=batch).values_list("pk", flat=True))
        linked = set(current.affected.filter(subject_id__in=batch).values_list("subject_id", flat=True))
        new = sorted(existing_people - linked)
        already += len(existing_people & linked)
        AffectedPerson.objects.bulk_create(
            [AffectedPerson(breach=current, subject_id=pk, source=source, added_at=moment) for pk in new],
            ignore_conflicts=True,
        )
        audit.record_many(
            {
                "action": audit.Action.CREATE,
                "actor": actor,
                "object_type": "breaches.affectedperson",
                "object_id": current.pk,
                "subject_id": pk,
                "fields": ["subject"],
                "reason": f"breach:{current.reference}",
            }
            for pk in new
        )
        added += len(new)
    if added:
        version_write(
            current,
            before=before,
            summary=_("%(count)s people affected added (%(source)s)")
            % {"count": added, "source": AffectedPerson.Source(source).label},
            actor=actor,
            now=now,
        )
    return Added(added=added, already=already)


@transaction.atomic
def affected_add_subjects(*, breach: Breach, subjects: Iterable[Any], actor: Any, now: datetime | None = None) -> Added:
    """Link people chosen from the list (objects or ids)."""
    ids = [subject.pk if isinstance(subject, DataSubject) else int(subject) for subject in subjects]
    return _link(breach, ids, source=AffectedPerson.Source.LIST, actor=actor, now=now)


@transaction.atomic
def affected_from_register(
    *,
    breach: Breach,
    actor: Any,
    activity_codes: Iterable[str] | None = None,
    category_codes: Iterable[str] | None = None,
    now: datetime | None = None,
) -> Added:
    """Link everybody with data in the sources serving the breach's activities or holding its data
    categories (the breach's own, unless others are given)."""
    if activity_codes is None:
        activity_codes = list(breach.activities.values_list("code", flat=True))
    if category_codes is None:
        category_codes = list(breach.data_categories.values_list("code", flat=True))
    query = register_query(activity_codes=activity_codes, category_codes=category_codes).order_by("pk")
    return _link(breach, query.iterator(chunk_size=BATCH), source=AffectedPerson.Source.QUERY, actor=actor, now=now)


def parse_emails(text: str) -> tuple[list[str], int]:
    """Addresses from free text (one a line, or separated by commas or semicolons); and how many were not one."""
    addresses, invalid = [], 0
    for token in EMAIL_SEPARATORS.split(text or ""):
        if not token:
            continue
        email = normalise_email(token)
        if "@" in email and "." in email.rsplit("@", 1)[-1]:
            addresses.append(email)
        else:
            invalid += 1
    return sorted(set(addresses)), invalid


@transaction.atomic
def affected_import_emails(*, breach: Breach, text: str, actor: Any, now: datetime | None = None) -> Added:
    """Link the people whose e-mail address is in the imported list; the others are only counted."""
    actors.require(actor, CHANGE_PERMISSION)
    addresses, invalid = parse_emails(text)
    ids: list[int] = []
    for start in range(0, len(addresses), BATCH):
        ids.extend(DataSubject.objects.with_emails(addresses[start : start + BATCH]).values_list("pk", flat=True))
    result = _link(breach, ids, source=AffectedPerson.Source.IMPORT, actor=actor, now=now)
    return Added(added=result.added, already=result.already, unknown=len(addresses) - len(ids), invalid=invalid)
