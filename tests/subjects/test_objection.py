"""Objection (Art. 21, R1.13) and withdrawal of consent (R1.14, R2.3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consents import selectors
from consents.models import ALL_CHANNELS, Channel, ConsentEvent, Suppression
from ijinus_privacy.identifiers import subject_identifier_hashes
from requests_dsar.fulfilment import objection_from_request, withdrawal_from_request
from requests_dsar.models import Right
from requests_dsar.services.objection import objection_decide, objection_record
from subjects.models import Objection, Restriction
from subjects.services.restriction import is_restricted
from tests.factories import DataSubjectFactory, dpo_user, give, logged_request, support_user

pytestmark = pytest.mark.django_db

EMAIL = Channel.NEWSLETTER_EMAIL


def marketable(channel=EMAIL) -> set[int]:
    return set(selectors.marketable(channel=channel).values_list("pk", flat=True))


def suppressed(person, channel) -> bool:
    hashes = subject_identifier_hashes(email=person.email, phone=person.phone).values()
    return Suppression.objects.filter(channel=channel, identifier_hash__in=list(hashes)).exists()


def test_objection_under_21_1_restricts_at_once_with_ground_18_1_d():
    person = DataSubjectFactory(consumer=True, admitted=True)

    objection = objection_record(
        subject=person, kind=Objection.Kind.LEGITIMATE_INTEREST, processing="P08", actor=support_user()
    )

    assert objection.status == Objection.Status.PENDING
    assert objection.restriction.ground == Restriction.Ground.OBJECTION_PENDING
    assert is_restricted(person.pk)


def test_dpo_upholds_or_overrides_and_overriding_lifts_only_with_a_notice():
    dpo = dpo_user()
    upheld = objection_record(
        subject=DataSubjectFactory(consumer=True, admitted=True), kind=Objection.Kind.LEGITIMATE_INTEREST, actor=dpo
    )
    overridden = objection_record(
        subject=DataSubjectFactory(consumer=True, admitted=True), kind=Objection.Kind.LEGITIMATE_INTEREST, actor=dpo
    )

    objection_decide(objection=upheld, upheld=True, actor=dpo)
    with pytest.raises(ValidationError):
        objection_decide(objection=overridden, upheld=False, actor=dpo)
    objection_decide(
        objection=overridden,
        upheld=False,
        notice="Motifs impérieux démontrés : courrier envoyé le 20/11.",
        notice_sent_on=date(2026, 11, 20),
        actor=dpo,
    )

    assert is_restricted(upheld.subject_id)
    assert not is_restricted(overridden.subject_id)
    assert Objection.objects.get(pk=overridden.pk).status == Objection.Status.OVERRIDDEN
    with pytest.raises(PermissionDenied):
        objection_decide(objection=upheld, upheld=True, actor=support_user())


def test_objection_to_all_direct_marketing_removes_the_person_at_once_and_leaves_a_suppression_entry():
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=3))
    give(person, Channel.PHONE_MARKETING, at=timezone.now() - timedelta(days=3))
    assert person.pk in marketable()

    objection_record(
        subject=person, kind=Objection.Kind.DIRECT_MARKETING, channel=Objection.ALL_CHANNELS, actor=support_user()
    )

    assert person.pk not in marketable()
    assert person.pk not in marketable(Channel.PHONE_MARKETING)
    assert suppressed(person, ALL_CHANNELS)
    assert Suppression.objects.filter(reason=Suppression.Reason.OBJECTION).exists()
    assert not is_restricted(person.pk)  # absolute: no balancing, no restriction step


def test_objection_on_one_channel_leaves_the_others():
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=3))
    give(person, Channel.PHONE_MARKETING, at=timezone.now() - timedelta(days=3))

    objection_record(subject=person, kind=Objection.Kind.DIRECT_MARKETING, channel=EMAIL, actor=None)

    assert person.pk not in marketable()
    assert person.pk in marketable(Channel.PHONE_MARKETING)
    assert suppressed(person, EMAIL)


def test_marketing_objection_needs_a_marketing_channel():
    with pytest.raises(ValidationError):
        objection_record(
            subject=DataSubjectFactory(consumer=True, admitted=True),
            kind=Objection.Kind.DIRECT_MARKETING,
            channel="geolocation",
            actor=None,
        )
    assert not Objection.objects.exists()


def test_objection_from_a_request_handles_both_items():
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=3))
    request = logged_request(
        subject=person, rights=(Right.OBJECTION, Right.OBJECTION_MARKETING), received_on=date(2026, 11, 2)
    )

    objections = objection_from_request(request=request, processing="P01", actor=support_user())

    assert {o.kind for o in objections} == {Objection.Kind.LEGITIMATE_INTEREST, Objection.Kind.DIRECT_MARKETING}
    assert is_restricted(person.pk)
    assert person.pk not in marketable()


def test_withdrawal_from_a_request_records_the_consent_event():
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=3))
    request = logged_request(subject=person, rights=(Right.CONSENT_WITHDRAWAL,), received_on=date(2026, 11, 2))

    event = withdrawal_from_request(request=request, channel=EMAIL, actor=support_user())

    assert (event.action, event.channel, event.subject_id) == (ConsentEvent.Action.WITHDRAWN, EMAIL, person.pk)
    assert event.staff_reference == f"request #{request.pk}"
    assert person.pk not in marketable()
