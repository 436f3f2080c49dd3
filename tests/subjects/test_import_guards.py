"""A subjects or roles import cannot touch restricted (Art. 18) or archived (R4.4.2) people; new rows are
audited as created."""

from __future__ import annotations

import datetime as dt

import pytest
import tablib
from django.utils import timezone

from ijinus_privacy.models import AuditEvent
from retention.models import ArchivedSubject, RetentionRule
from subjects.models import DataSubject, Restriction, SubjectRole
from subjects.resources import DataSubjectResource, SubjectRoleResource
from subjects.services.restriction import restriction_place
from tests import factories as f
from tests.factories import dpo_user

pytestmark = pytest.mark.django_db

HEADERS = ("email", "kind", "last_name", "first_names", "language")


def _file(*rows) -> tablib.Dataset:
    return tablib.Dataset(*rows, headers=HEADERS)


def _restricted(email: str) -> DataSubject:
    person = f.DataSubjectFactory(email=email, last_name="Morvan")
    restriction_place(subject=person, ground=Restriction.Ground.ACCURACY_CONTESTED, actor=dpo_user())
    return person


def _archived(email: str) -> DataSubject:
    person = f.DataSubjectFactory(email=email, last_name="Morvan")
    ArchivedSubject.objects.create(
        subject=person,
        rule=RetentionRule.objects.get(code="newsletter"),
        archived_at=timezone.now(),
        archive_until=dt.date(2030, 1, 1),
    )
    return person


@pytest.mark.parametrize("make", [_restricted, _archived])
def test_a_row_for_a_restricted_or_archived_person_is_refused_with_its_reason_and_nothing_is_written(make):
    person = make("claire@exemple.fr")
    dataset = _file(
        ("yann@exemple.fr", "consumer", "Kervella", "Yann", "fr"),
        ("claire@exemple.fr", "professional", "Changé", "Claire", "fr"),
    )

    result = DataSubjectResource(actor=dpo_user()).import_data(dataset)

    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert list(invalid) == [2]
    assert any(word in str(invalid[2]["email"]) for word in ("restricted", "archive"))
    person.refresh_from_db()
    assert person.last_name == "Morvan"
    assert not DataSubject.objects.filter(email="yann@exemple.fr").exists()


def test_a_new_role_for_a_restricted_person_is_refused():
    _restricted("claire@exemple.fr")
    dataset = tablib.Dataset(
        ("claire@exemple.fr", "newsletter", "2024-01-01"), headers=("email", "role", "collected_on")
    )

    result = SubjectRoleResource(actor=dpo_user()).import_data(dataset)

    assert [row.number for row in result.invalid_rows] == [1]
    assert not SubjectRole.objects.filter(role="newsletter").exists()


def test_new_rows_are_audited_as_created_and_existing_ones_as_changed():
    existing = f.DataSubjectFactory(email="claire@exemple.fr")
    dataset = _file(
        ("claire@exemple.fr", "professional", "Morvan", "Claire", "fr"),
        ("yann@exemple.fr", "consumer", "Kervella", "Yann", "fr"),
    )

    DataSubjectResource(actor=dpo_user()).import_data(dataset)

    created = DataSubject.objects.get(email="yann@exemple.fr")
    actions = dict(AuditEvent.objects.filter(reason__startswith="Admin import").values_list("subject_id", "action"))
    assert actions == {existing.pk: AuditEvent.Action.CHANGE, created.pk: AuditEvent.Action.CREATE}
