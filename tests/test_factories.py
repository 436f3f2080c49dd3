"""The one factories module: whichever helper makes them, people made in one test never share an e-mail
or a phone (issue 17: four subject factories had colliding e-mail sequences)."""

import pytest

from ijinus_privacy.models import AuditEvent
from subjects.models import DataSubject, SubjectRole
from tests.factories import DataSubjectFactory, TicketFactory, logged_request, subject_with_data, subject_with_role

pytestmark = pytest.mark.django_db


def test_every_way_to_make_a_person_draws_on_one_sequence():
    people = [
        DataSubjectFactory(),
        DataSubjectFactory(consumer=True, admitted=True),
        subject_with_role(SubjectRole.Role.PROSPECT),
        subject_with_data(),
        logged_request().subject,
        TicketFactory().subject,
    ]

    assert len({person.email for person in people}) == len(people)
    assert len({person.phone for person in people}) == len(people)


def test_an_admitted_consumer_is_added_through_the_service():
    person = DataSubjectFactory(consumer=True, admitted=True)
    saved = DataSubjectFactory()

    assert (person.kind, person.organisation) == (DataSubject.Kind.CONSUMER, "")
    created = AuditEvent.objects.filter(action="create", object_type="subjects.datasubject")
    assert created.filter(object_id=str(person.pk)).exists()
    assert not created.filter(object_id=str(saved.pk)).exists()
