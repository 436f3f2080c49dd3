"""Conditions an upper app registers for a lower one (ijinus_privacy.conditions): what staff and jobs see."""

from datetime import date

import pytest

from ijinus_privacy import conditions
from retention.models import LegalHold
from retention.services.holds import hold_place
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, dpo_user

pytestmark = pytest.mark.django_db


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown condition kind"):
        conditions.register("sleeping", lambda subject_ref="pk": None)


def test_with_nothing_registered_a_kind_concerns_nobody(monkeypatch):
    person = DataSubjectFactory()
    monkeypatch.setitem(conditions._registered, conditions.HELD, [])

    assert list(DataSubject.objects.exclude(conditions.holds(conditions.HELD))) == [person]
    assert not DataSubject.objects.filter(conditions.holds(conditions.HELD)).exists()


def test_every_app_registered_what_it_knows():
    assert {condition.__module__ for condition in conditions.registered(conditions.AUTOMATIC_JOBS_SUSPENDED)} == {
        "retention.models",
        "requests_dsar.models.request",
        "subjects.services.restriction",
    }
    assert {condition.__module__ for condition in conditions.registered(conditions.MARKETING_BLOCKED)} == {
        "retention.models",
        "subjects.services.restriction",
    }


@pytest.mark.today("2026-03-10")
def test_a_held_person_is_found_by_the_condition_retention_registered():
    held, free = DataSubjectFactory(), DataSubjectFactory()
    hold_place(subject=held, reason=LegalHold.Reason.DISPUTE, review_on=date(2026, 9, 1), actor=dpo_user())

    assert list(DataSubject.objects.filter(conditions.holds(conditions.HELD))) == [held]
    assert free in DataSubject.objects.exclude(conditions.holds(conditions.AUTOMATIC_JOBS_SUSPENDED))
