"""Consent events: proof required at capture, never changed, current state derived (R2.1, R2.2, R5.6)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consents import services
from consents.models import Channel, ConsentEvent, ImmutableError, Notice
from ijinus_privacy.models import AuditEvent
from tests.factories import DataSubjectFactory, consent_notice, give, withdraw

pytestmark = pytest.mark.django_db


def _record(**overrides):
    person = overrides.pop("person", None) or DataSubjectFactory(consumer=True, admitted=True)
    fields = {
        "subject": person,
        "channel": Channel.NEWSLETTER_EMAIL,
        "action": ConsentEvent.Action.GIVEN,
        "notice": consent_notice(),
        "collection_point": ConsentEvent.CollectionPoint.WEB_FORM,
        "mechanism": ConsentEvent.Mechanism.UNTICKED_CHECKBOX,
        "language": "fr",
        "entered_by": ConsentEvent.EnteredBy.SUBJECT,
        "actor": None,
        **overrides,
    }
    return services.consent_record(**fields)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"notice": None}, "notice"),
        ({"collection_point": ""}, "collection_point"),
        ({"mechanism": ""}, "mechanism"),
        ({"language": ""}, "language"),
        ({"entered_by": ConsentEvent.EnteredBy.STAFF}, "staff_reference"),
        ({"subject": None}, "subject"),
        ({"mechanism": ConsentEvent.Mechanism.DOUBLE_OPT_IN, "requested_at": timezone.now()}, "confirmed_at"),
    ],
)
def test_a_consent_without_its_proof_is_refused_and_nothing_is_written(overrides, field):
    person = DataSubjectFactory(consumer=True, admitted=True)
    with pytest.raises(ValidationError) as error:
        _record(person=person, **overrides)
    assert field in error.value.message_dict
    assert not ConsentEvent.objects.exists()


def test_a_privacy_policy_link_does_not_prove_a_consent():
    policy = Notice.objects.get(kind=Notice.Kind.PRIVACY_POLICY, version=1)
    with pytest.raises(ValidationError) as error:
        _record(notice=policy)
    assert "notice" in error.value.message_dict


def test_a_staff_entry_with_its_reference_is_kept_with_the_text_hash(admin_user):
    event = _record(entered_by=ConsentEvent.EnteredBy.STAFF, staff_reference="paper form PF-2031", actor=admin_user)
    assert event.staff_member == admin_user
    assert event.notice_sha256 == Notice.hash_text(event.notice.text)
    audit = AuditEvent.objects.filter(object_type="consents.consentevent", object_id=str(event.pk)).get()
    assert audit.subject_id == event.subject_id
    assert "ip_address" in audit.fields


def test_double_opt_in_keeps_request_and_confirmation_times():
    asked = timezone.now() - timedelta(hours=2)
    confirmed = asked + timedelta(minutes=7)
    event = _record(mechanism=ConsentEvent.Mechanism.DOUBLE_OPT_IN, requested_at=asked, confirmed_at=confirmed)
    assert (event.requested_at, event.confirmed_at, event.occurred_at) == (asked, confirmed, confirmed)


def test_events_are_never_updated_or_deleted():
    event = give(DataSubjectFactory(consumer=True, admitted=True))
    event.action = ConsentEvent.Action.WITHDRAWN
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()
    with pytest.raises(ImmutableError):
        ConsentEvent.objects.filter(pk=event.pk).update(action="withdrawn")
    with pytest.raises(ImmutableError):
        ConsentEvent.objects.filter(pk=event.pk).delete()
    assert ConsentEvent.objects.get(pk=event.pk).action == ConsentEvent.Action.GIVEN


def test_notices_are_immutable_and_hashed():
    notice = consent_notice()
    assert notice.sha256 == Notice.hash_text(notice.text)
    notice.text = "Autre texte"
    with pytest.raises(ImmutableError):
        notice.save()
    with pytest.raises(ImmutableError):
        notice.delete()
    second = services.notice_create(
        kind=Notice.Kind.CONSENT_TEXT,
        channel=Channel.NEWSLETTER_EMAIL,
        language="fr",
        effective_on=date(2026, 1, 1),
        title="v2",
        text="Nouveau texte",
        actor=None,
    )
    assert second.version == notice.version + 1


def test_the_privacy_policy_is_seeded_as_version_one_from_the_repository_file():
    policy = Notice.objects.get(kind=Notice.Kind.PRIVACY_POLICY, language="en", version=1)
    assert policy.text.startswith("1. INTRODUCTION")
    assert policy.sha256 == Notice.hash_text(policy.text)


def test_current_state_after_give_withdraw_and_give_again():
    person = DataSubjectFactory(consumer=True, admitted=True)
    start = timezone.now() - timedelta(days=30)
    give(person, at=start)
    give(person, Channel.MARKETING_PUSH, at=start)
    assert services.current_state(subject=person)[Channel.NEWSLETTER_EMAIL].action == "given"

    withdraw(person)
    state = services.current_state(subject=person)
    assert state[Channel.NEWSLETTER_EMAIL].action == "withdrawn"
    assert state[Channel.MARKETING_PUSH].action == "given"

    give(person)
    assert services.current_state(subject=person)[Channel.NEWSLETTER_EMAIL].action == "given"
    assert ConsentEvent.objects.filter(subject=person, channel=Channel.NEWSLETTER_EMAIL).count() == 3


def test_current_state_is_one_query(django_assert_num_queries):
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=3))
    withdraw(person)
    with django_assert_num_queries(1):
        state = services.current_state(subject=person)
    assert state[Channel.NEWSLETTER_EMAIL].action == "withdrawn"


def test_an_event_imported_with_an_older_timestamp_does_not_override_a_later_withdrawal():
    person = DataSubjectFactory(consumer=True, admitted=True)
    withdraw(person)
    give(person, at=timezone.now() - timedelta(days=400))
    assert services.current_state(subject=person)[Channel.NEWSLETTER_EMAIL].action == "withdrawn"
