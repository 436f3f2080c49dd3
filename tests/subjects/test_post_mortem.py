"""Post-mortem directives (LIL art. 85, R1.15): stored in versions, applied on a recorded death."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consents import selectors
from consents.models import ALL_CHANNELS, Channel, Suppression
from ijinus_privacy import actors
from ijinus_privacy.identifiers import subject_identifier_hashes
from requests_dsar.fulfilment import post_mortem_from_request
from requests_dsar.models import Right
from requests_dsar.services.post_mortem import (
    death_task_complete,
    directive_modify,
    directive_register,
    directive_revoke,
    subject_record_death,
)
from subjects.models import DataSubject, DeathRecord, PostMortemDirective
from tests.factories import DataSubjectFactory, give, logged_request, support_user

pytestmark = pytest.mark.django_db

Kind = PostMortemDirective.Kind
Instruction = PostMortemDirective.Instruction


def particular(person, **overrides) -> PostMortemDirective:
    values = {
        "kind": Kind.PARTICULAR,
        "instruction": Instruction.COMMUNICATE,
        "content_summary": "Transmettre l'historique des mesures à la personne désignée.",
        "designated_person_name": "Léa Martin",
        "specific_consent": True,
        **overrides,
    }
    return directive_register(subject=person, actor=support_user(), **values)


def test_a_modification_writes_a_new_version_and_keeps_the_old():
    person = DataSubjectFactory(consumer=True, admitted=True)
    first = particular(person)

    second = directive_modify(directive=first, changes={"instruction": Instruction.ERASE}, actor=None)

    first.refresh_from_db()
    assert (second.version, second.instruction) == (2, Instruction.ERASE)
    assert first.superseded_at is not None
    assert first.instruction == Instruction.COMMUNICATE
    assert list(PostMortemDirective.objects.current().filter(subject=person)) == [second]
    directive_revoke(directive=second, actor=None)
    assert not PostMortemDirective.objects.current().filter(subject=person).exists()


def test_a_particular_directive_needs_specific_consent_and_communication_a_designated_person():
    person = DataSubjectFactory(consumer=True, admitted=True)
    with pytest.raises(ValidationError):
        particular(person, specific_consent=False)
    with pytest.raises(ValidationError):
        particular(person, designated_person_name="")
    assert not PostMortemDirective.objects.exists()


def test_a_recorded_death_suppresses_marketing_at_once_and_applies_the_directive():
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=3))
    directive = particular(person)
    assert selectors.marketable(channel=Channel.NEWSLETTER_EMAIL).filter(pk=person.pk).exists()

    record = subject_record_death(
        subject=person, died_on=date(2026, 11, 1), evidence_type=DeathRecord.Evidence.DEATH_CERTIFICATE, actor=None
    )

    assert DataSubject.objects.get(pk=person.pk).deceased_on == date(2026, 11, 1)
    assert not selectors.marketable(channel=Channel.NEWSLETTER_EMAIL).filter(pk=person.pk).exists()
    hashes = list(subject_identifier_hashes(email=person.email, phone=person.phone).values())
    assert Suppression.objects.filter(
        channel=ALL_CHANNELS, reason=Suppression.Reason.DECEASED, identifier_hash__in=hashes
    ).exists()
    assert (record.directive, record.outcome, record.task_status) == (
        directive,
        DeathRecord.Outcome.COMMUNICATE,
        DeathRecord.TaskStatus.OPEN,
    )
    death_task_complete(record=record, actor=support_user())
    assert DeathRecord.objects.get(pk=record.pk).task_status == DeathRecord.TaskStatus.DONE


def test_without_directive_the_record_says_so_and_a_death_is_recorded_once():
    person = DataSubjectFactory(consumer=True, admitted=True)
    record = subject_record_death(
        subject=person, died_on=date(2026, 10, 1), evidence_type=DeathRecord.Evidence.NOTARY, actor=None
    )
    assert record.outcome == DeathRecord.Outcome.NO_DIRECTIVE
    with pytest.raises(ValidationError):
        subject_record_death(
            subject=person, died_on=date(2026, 10, 1), evidence_type=DeathRecord.Evidence.NOTARY, actor=None
        )
    assert DeathRecord.objects.count() == 1


def test_a_future_date_of_death_is_refused_and_nothing_changes(today):
    person = DataSubjectFactory(consumer=True, admitted=True)
    with pytest.raises(ValidationError):
        subject_record_death(
            subject=person,
            died_on=today + timedelta(days=1),
            evidence_type=DeathRecord.Evidence.NOTARY,
            actor=None,
        )
    assert DataSubject.objects.get(pk=person.pk).deceased_on is None
    assert not Suppression.objects.exists()


SYSTEM = actors.system("test")


def test_post_mortem_request_registers_a_directive_then_records_the_death():
    person = DataSubjectFactory(consumer=True, admitted=True)
    request = logged_request(subject=person, rights=(Right.POST_MORTEM,), received_on=date(2026, 11, 2))

    directive = post_mortem_from_request(
        request=request,
        instruction=Instruction.ERASE,
        content_summary="Effacer le compte ijitrack.",
        specific_consent=True,
        actor=SYSTEM,
    )
    record = post_mortem_from_request(
        request=request, died_on=date(2026, 11, 10), evidence_type=DeathRecord.Evidence.DEATH_CERTIFICATE, actor=SYSTEM
    )

    assert directive.request == request
    assert (record.directive, record.outcome) == (directive, DeathRecord.Outcome.ERASE)
