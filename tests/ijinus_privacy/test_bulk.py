"""``ijinus_privacy.bulk``: COPY on PostgreSQL, bulk_create/bulk_update elsewhere, the same rows either way."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from ijinus_privacy import audit
from ijinus_privacy.bulk import bulk_insert, bulk_update
from ijinus_privacy.models import AuditEvent
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
def test_inserted_rows_get_their_ids_in_order_with_defaults_and_timestamps():
    people = [DataSubject(email=f"p{i}@exemple.invalid", last_name=f"Le Gall {i}") for i in range(25)]

    bulk_insert(DataSubject, people, batch_size=10)

    ids = [person.pk for person in people]
    assert None not in ids
    assert ids == sorted(ids)
    stored = DataSubject.objects.get(pk=people[7].pk)
    assert (stored.email, stored.last_name, stored.country) == ("p7@exemple.invalid", "Le Gall 7", "FR")
    assert stored.kind == DataSubject.Kind.PROFESSIONAL  # the field's default
    assert stored.created_at == NOW
    assert not people[0]._state.adding  # the instances are rows now: saving them updates


def test_audit_events_written_in_bulk_keep_the_chain_verifiable():
    people = DataSubjectFactory.create_batch(3)

    audit.record_many(
        {"action": audit.Action.CHANGE, "obj": person, "fields": ["city", "phone"], "reason": "test"}
        for person in people
    )

    events = list(AuditEvent.objects.filter(reason="test").order_by("id"))
    assert [event.subject_id for event in events] == [person.pk for person in people]
    assert events[0].fields == ["city", "phone"]
    assert audit.verify_chain() is None


def test_update_writes_only_the_fields_named_and_moves_updated_at():
    people = DataSubjectFactory.create_batch(3, city="Brest", phone="0298000000")
    later = timezone.now() + dt.timedelta(days=1)
    for person in people[:2]:
        person.city, person.phone = "Quimper", "0298111111"

    with time_machine.travel(later, tick=False):
        bulk_update(DataSubject, people[:2], ["city"])

    stored = {person.pk: person for person in DataSubject.objects.filter(pk__in=[p.pk for p in people])}
    assert [stored[p.pk].city for p in people] == ["Quimper", "Quimper", "Brest"]
    assert [stored[p.pk].phone for p in people] == ["0298000000"] * 3  # not named: left alone
    assert stored[people[0].pk].updated_at == later
    assert stored[people[2].pk].updated_at < later


def test_two_updates_in_one_transaction():
    people = DataSubjectFactory.create_batch(2, city="Brest")
    people[0].city, people[1].postal_code = "Vannes", "56000"

    bulk_update(DataSubject, people[:1], ["city"])
    bulk_update(DataSubject, people[1:], ["postal_code"])

    assert DataSubject.objects.get(pk=people[0].pk).city == "Vannes"
    assert DataSubject.objects.get(pk=people[1].pk).postal_code == "56000"
