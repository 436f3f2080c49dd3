"""Deterministic synthetic demo data (Faker ``fr_FR``), inserted in bulk."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from faker import Faker

from .models import DataSubject, SubjectRole

BATCH = 2000


def _date_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


@transaction.atomic
def seed_demo(*, subjects: int, seed: int = 2026, today: date | None = None) -> int:
    """Insert ``subjects`` synthetic data subjects with their roles. Same seed, same data."""
    today = today or date(2026, 11, 1)
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    start_id = (DataSubject.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    created = 0
    for offset in range(0, subjects, BATCH):
        people = []
        for n in range(offset, min(offset + BATCH, subjects)):
            professional = rng.random() < 0.7
            people.append(
                DataSubject(
                    kind=DataSubject.Kind.PROFESSIONAL if professional else DataSubject.Kind.CONSUMER,
                    last_name=fake.last_name(),
                    first_names=fake.first_name(),
                    email=f"demo{start_id + n}.{fake.user_name()}@{fake.free_email_domain()}".lower(),
                    phone=fake.phone_number(),
                    street_address=fake.street_address(),
                    postal_code=fake.postcode(),
                    city=fake.city(),
                    organisation=fake.company() if professional else "",
                    job_title=fake.job()[:150] if professional else "",
                    language=DataSubject.Language.FRENCH if rng.random() < 0.85 else DataSubject.Language.ENGLISH,
                )
            )
        DataSubject.objects.bulk_create(people, batch_size=BATCH)
        ids = list(DataSubject.objects.filter(id__gte=start_id + offset).order_by("id").values_list("id", flat=True))
        SubjectRole.objects.bulk_create(_roles_for(ids, rng, today), batch_size=BATCH)
        created += len(people)
    return created


def _roles_for(ids: list[int], rng: random.Random, today: date) -> list[SubjectRole]:
    roles = []
    for subject_id in ids:
        collected = _date_between(rng, today - timedelta(days=5 * 365), today)
        kind = rng.random()
        if kind < 0.4:
            contact = _date_between(rng, collected, today) if rng.random() < 0.5 else None
            roles.append(
                SubjectRole(
                    subject_id=subject_id,
                    role=SubjectRole.Role.PROSPECT,
                    collected_on=collected,
                    last_inbound_contact_on=contact,
                )
            )
        elif kind < 0.75:
            roles.append(
                SubjectRole(
                    subject_id=subject_id,
                    role=SubjectRole.Role.ACTIVE_CLIENT,
                    collected_on=collected,
                    last_inbound_contact_on=_date_between(rng, collected, today),
                )
            )
        else:
            end = _date_between(rng, collected, today)
            roles.append(
                SubjectRole(
                    subject_id=subject_id,
                    role=SubjectRole.Role.INACTIVE_CLIENT,
                    collected_on=collected,
                    contract_end_on=end,
                )
            )
        if rng.random() < 0.3:
            unsubscribed = _date_between(rng, collected, today) if rng.random() < 0.2 else None
            roles.append(
                SubjectRole(
                    subject_id=subject_id,
                    role=SubjectRole.Role.NEWSLETTER,
                    collected_on=collected,
                    unsubscribed_on=unsubscribed,
                )
            )
    return roles
