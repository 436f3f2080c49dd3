"""What a withdrawal starts and what a new consent may undo: the newsletter retention clock (R4.2,
R2.9.1) and the suppression list (R1.13.3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from consents import services
from consents.models import Channel, ConsentEvent, Suppression
from consents.unsubscribe import unsubscribe_token
from ijinus_privacy.dates import add_months
from retention.models import ArchivedSubject, RetentionRule
from retention.services import sweep
from subjects.models import DataSubject, SubjectRole
from tests.factories import DataSubjectFactory, consent_notice, give, support_user

pytestmark = pytest.mark.django_db

EMAIL = Channel.NEWSLETTER_EMAIL


def _newsletter_subscriber() -> DataSubject:
    person = DataSubjectFactory(consumer=True, admitted=True)
    SubjectRole.objects.create(subject=person, role=SubjectRole.Role.NEWSLETTER, collected_on=date(2018, 1, 10))
    give(person, at=timezone.now() - timedelta(days=30))
    return person


def _one_click(client, person) -> None:
    token = unsubscribe_token(subject_id=person.pk, channel=EMAIL)
    with translation.override("fr"):
        response = client.post(reverse("consents_public:unsubscribe", kwargs={"token": token}))
    assert response.status_code == 200


def test_a_one_click_unsubscribe_starts_the_newsletter_clock_and_the_sweep_acts_at_its_boundary(today, client):
    person = _newsletter_subscriber()
    rule = RetentionRule.objects.get(code="newsletter")

    _one_click(client, person)

    role = SubjectRole.objects.get(subject=person, role=SubjectRole.Role.NEWSLETTER)
    assert role.unsubscribed_on == today
    sweep(now=add_months(role.unsubscribed_on, rule.active_months) - timedelta(days=1), commit=True, rule=rule)
    archived_early = ArchivedSubject.objects.filter(subject=person).exists()
    sweep(now=add_months(role.unsubscribed_on, rule.active_months), commit=True, rule=rule)
    assert not archived_early
    assert ArchivedSubject.objects.filter(subject=person).exists()
    sweep(now=add_months(role.unsubscribed_on, rule.total_months), commit=True, rule=rule)
    assert not DataSubject.objects.filter(pk=person.pk).exists()


def test_an_objection_to_all_marketing_starts_the_newsletter_clock(today):
    person = _newsletter_subscriber()

    services.marketing_objection_record(
        subject=person, actor=support_user(), staff_reference="Appel du 3 mars", collection_point="staff"
    )

    assert SubjectRole.objects.get(subject=person).unsubscribed_on == today


def test_a_new_subscription_given_by_the_person_stops_the_clock_again(client):
    person = _newsletter_subscriber()
    _one_click(client, person)

    give(person)

    assert SubjectRole.objects.get(subject=person).unsubscribed_on is None


def _newsletter_consent(person, **proof) -> ConsentEvent:
    return services.consent_record(
        subject=person,
        channel=EMAIL,
        action=ConsentEvent.Action.GIVEN,
        notice=consent_notice(EMAIL),
        language="fr",
        **proof,
    )


def _staff_consent(person) -> ConsentEvent:
    return _newsletter_consent(
        person,
        collection_point=ConsentEvent.CollectionPoint.STAFF,
        mechanism=ConsentEvent.Mechanism.ORAL,
        entered_by=ConsentEvent.EnteredBy.STAFF,
        staff_reference="Appel entrant",
        actor=support_user(),
    )


def test_a_consent_entered_by_staff_does_not_lift_the_suppression(client):
    person = _newsletter_subscriber()
    _one_click(client, person)

    _staff_consent(person)

    assert Suppression.objects.filter(channel=EMAIL).count() == 2


def test_a_double_opt_in_without_confirmation_does_not_lift_the_suppression(client):
    person = _newsletter_subscriber()
    _one_click(client, person)

    _newsletter_consent(
        person,
        collection_point=ConsentEvent.CollectionPoint.WEB_FORM,
        mechanism=ConsentEvent.Mechanism.DOUBLE_OPT_IN,
        entered_by=ConsentEvent.EnteredBy.SUBJECT,
        actor=None,
    )

    assert Suppression.objects.filter(channel=EMAIL).count() == 2


def test_the_persons_own_new_consent_lifts_the_withdrawal_suppression(client):
    person = _newsletter_subscriber()
    _one_click(client, person)

    give(person)

    assert Suppression.objects.filter(channel=EMAIL).count() == 0


def test_an_objection_is_not_lifted_by_a_consent_backdated_before_it():
    person = _newsletter_subscriber()
    services.marketing_objection_record(
        subject=person, actor=support_user(), staff_reference="Courrier du 3 mars", collection_point="staff"
    )

    give(person, at=timezone.now() - timedelta(days=1))  # still the latest event of the channel
    _staff_consent(person)

    assert Suppression.objects.filter(channel=EMAIL, reason=Suppression.Reason.OBJECTION).count() == 2
