"""Archived or held people are never marketed to (R4.4.2, R4.5.3), whatever their consent says."""

from datetime import date

import pytest
from django.utils import timezone

from consents import selectors
from consents.models import Channel
from retention.models import ArchivedSubject, RetentionRule
from retention.services import hold_lift, hold_place
from tests.factories import DataSubjectFactory, dpo_user, give

pytestmark = pytest.mark.django_db


def marketable() -> set[int]:
    return set(selectors.marketable(channel=Channel.NEWSLETTER_EMAIL).values_list("pk", flat=True))


@pytest.mark.today("2026-12-04")  # the hold starts today, its review is on a fixed date
def test_a_legal_hold_removes_the_person_from_marketing_until_it_is_lifted():
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person)
    dpo = dpo_user()

    hold = hold_place(subject=person, reason="claim", review_on=date(2027, 6, 1), actor=dpo)
    held = marketable()
    hold_lift(hold=hold, actor=dpo)

    assert person.pk not in held
    assert person.pk in marketable()


def test_an_archived_person_is_never_marketed_to():
    person, other = DataSubjectFactory(consumer=True, admitted=True), DataSubjectFactory(consumer=True, admitted=True)
    give(person)
    give(other)

    ArchivedSubject.objects.create(
        subject=person,
        rule=RetentionRule.objects.get(code="inactive-client-contract"),
        archived_at=timezone.now(),
        archive_until=date(2030, 1, 1),
    )

    assert marketable() == {other.pk}
