"""Factories for the retention tests (synthetic data only, Faker ``fr_FR``)."""

from __future__ import annotations

from datetime import date

import factory
from factory.django import DjangoModelFactory

from retention.models import RetentionRule
from retention.services import rule_approve
from subjects.models import DataSubject, SubjectRole


class SubjectFactory(DjangoModelFactory):
    class Meta:
        model = DataSubject

    last_name = factory.Faker("last_name", locale="fr_FR")
    first_names = factory.Faker("first_name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    phone = factory.Faker("phone_number", locale="fr_FR")
    city = factory.Faker("city", locale="fr_FR")


def subject_with_role(role: str, *, collected_on: date = date(2019, 1, 15), **dates) -> DataSubject:
    subject = SubjectFactory()
    SubjectRole.objects.create(subject=subject, role=role, collected_on=collected_on, **dates)
    return subject


def approve_all(actor) -> None:
    for rule in RetentionRule.objects.filter(requires_approval=True):
        rule_approve(rule=rule, actor=actor)


def snapshot() -> dict:
    """Everything a sweep may change, comparable between two moments."""
    from retention.models import ArchivedSubject

    return {
        "subjects": sorted(DataSubject.objects.values_list("id", "last_name", "email")),
        "roles": sorted(SubjectRole.objects.values_list("id", "subject_id", "role")),
        "archived": sorted(ArchivedSubject.objects.values_list("subject_id", "archive_until")),
    }
