"""``dispose_subjects``: the one deletion path of retention and erasure, set-based and complete."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.db.models import signals
from django.test.utils import CaptureQueriesContext

from ijinus_privacy.personal_data import Disposal, registry
from retention.models import ArchivedSubject, RetentionRule
from subjects import models as m
from subjects.disposal import dispose_subjects
from tests.factories import logged_request, subject_with_data

pytestmark = pytest.mark.django_db


def rows_left(subject_ids: list[int]) -> dict[str, int]:
    """Rows of every source model still linked to these subjects."""
    left = {}
    for model in registry.covered_models():
        field = "id" if model is m.DataSubject else "subject_id"
        if field == "subject_id" and not any(f.name == "subject" for f in model._meta.get_fields()):
            continue
        count = model._base_manager.filter(**{f"{field}__in": subject_ids}).count()
        if count:
            left[model._meta.label_lower] = count
    return left


def test_delete_leaves_nothing_of_the_people_and_keeps_the_request_file_without_them():
    people = [subject_with_data() for _ in range(3)]
    bystander = subject_with_data()
    ids = [person.pk for person in people]
    request = logged_request(subject=people[0])
    bystander_rows = rows_left([bystander.pk])
    assert rows_left(ids)["subjects.supportticket"] == 9

    counts = dispose_subjects(ids, Disposal.DELETE)

    assert counts["subjects_deleted"] == 3
    assert rows_left(ids) == {}
    request.refresh_from_db()
    assert (request.subject_id, request.requester_email) == (None, "")
    assert rows_left([bystander.pk]) == bystander_rows


def test_the_number_of_statements_does_not_grow_with_the_batch():
    one, five = [subject_with_data()], [subject_with_data() for _ in range(5)]

    with CaptureQueriesContext(connection) as for_one:
        dispose_subjects([s.pk for s in one], Disposal.DELETE)
    with CaptureQueriesContext(connection) as for_five:
        dispose_subjects([s.pk for s in five], Disposal.DELETE)

    assert len(for_five) == len(for_one)
    if connection.vendor == "postgresql":  # some 45 tables and cascades in about fifteen CTE statements
        assert len(for_five) <= 16


def test_a_receiver_on_deletion_is_honoured_through_the_orm():
    people = [subject_with_data() for _ in range(2)]
    heard: list[int] = []

    def receiver(sender, instance, **kwargs):
        heard.append(instance.pk)

    signals.pre_delete.connect(receiver, sender=m.DataSubject, weak=False)
    try:
        counts = dispose_subjects([p.pk for p in people], Disposal.DELETE)
    finally:
        signals.pre_delete.disconnect(receiver, sender=m.DataSubject)

    assert sorted(heard) == sorted(p.pk for p in people)
    assert counts["subjects_deleted"] == 2
    assert rows_left([p.pk for p in people]) == {}


def test_anonymise_blanks_the_identity_and_the_notes_and_leaves_the_archive():
    person = subject_with_data(notes="Rappeler Mme Le Gall mardi, elle préfère le téléphone")
    ArchivedSubject.objects.create(
        subject=person,
        rule=RetentionRule.objects.get(code="inactive-client-contract"),
        archived_at="2026-01-01T00:00:00Z",
        archive_until="2030-01-01",
    )

    counts = dispose_subjects([person.pk], Disposal.ANONYMISE)

    person.refresh_from_db()
    assert counts["subjects_anonymised"] == 1
    assert (person.last_name, person.first_names, person.email, person.phone, person.notes) == ("", "", "", "", "")
    assert not ArchivedSubject.objects.filter(subject=person).exists()
    assert not m.NavigationRecord.objects.filter(subject=person).exists()
    assert m.Invoice.objects.get(subject=person).billing_name == ""


@pytest.mark.parametrize("disposal", [Disposal.DELETE, Disposal.ANONYMISE])
def test_steps_are_ordered_for_constraints_checked_at_each_statement(disposal):
    """The sweep checks foreign keys as each statement ends (SET CONSTRAINTS ALL IMMEDIATE on
    PostgreSQL): no statement may remove a row that a later one still has to clear."""
    people = [subject_with_data() for _ in range(2)]
    logged_request(subject=people[0])
    ids = [p.pk for p in people]

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        counts = dispose_subjects(ids, disposal)

    outcome = "subjects_deleted" if disposal == Disposal.DELETE else "subjects_anonymised"
    assert counts[outcome] == 2


def test_a_row_of_someone_else_hanging_on_a_disposed_row_follows_its_on_delete():
    """Another person's marketing basis resting on this person's contract (CASCADE, a relation
    without a reverse name): deleting the contract deletes that basis too, as Django would."""
    from consents.models import MarketingBasis

    person, other = subject_with_data(), subject_with_data()
    contract = m.Contract.objects.filter(subject=person).first()
    basis = MarketingBasis.objects.create(
        subject=other,
        channel=MarketingBasis._meta.get_field("channel").choices[0][0],
        basis=MarketingBasis.Basis.SOFT_OPT_IN,
        contract=contract,
        informed_on=date(2024, 5, 2),
        opt_out_offered=True,
    )

    dispose_subjects([person.pk], Disposal.DELETE)

    assert not m.Contract.objects.filter(pk=contract.pk).exists()
    assert not MarketingBasis.objects.filter(pk=basis.pk).exists()
    assert m.DataSubject.objects.filter(pk=other.pk).exists()
