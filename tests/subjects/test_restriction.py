"""Restriction marks (Art. 18, R1.11): storage only, unless an Art. 18(2) override is recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consents import selectors
from consents.models import Channel
from ijinus_privacy.models import AuditEvent
from retention.services import sweep
from subjects import services
from subjects.models import DataSubject, Restriction, RestrictionOverride
from subjects.services.restriction import (
    is_restricted,
    override_in_force,
    override_record,
    restricted_subject_exists,
    restriction_lift,
    restriction_place,
)
from subjects.signals import subject_data_changed
from tests.factories import DataSubjectFactory, TicketFactory, dpo_user, give, subject_with_role, support_user

pytestmark = pytest.mark.django_db

Ground = Restriction.Ground
Operation = RestrictionOverride.Operation
Purpose = RestrictionOverride.Purpose


def marketable_ids() -> set[int]:
    return set(selectors.marketable(channel=Channel.NEWSLETTER_EMAIL).values_list("pk", flat=True))


def test_restricted_subject_refuses_saves_until_an_edit_override_is_recorded():
    dpo = dpo_user()
    subject = DataSubjectFactory()
    restriction = restriction_place(subject=subject, ground=Ground.UNLAWFUL, actor=dpo)

    with pytest.raises(ValidationError, match="restricted"):
        services.subject_update(subject=subject, fields={"city": "Brest"}, actor=dpo)
    assert DataSubject.objects.get(pk=subject.pk).city != "Brest"

    override_record(
        restriction=restriction,
        purpose=Purpose.LEGAL_CLAIMS,
        operation=Operation.EDIT,
        justification="Correction demandée par l'avocat pour le litige en cours.",
        actor=dpo,
    )
    services.subject_update(subject=DataSubject.objects.get(pk=subject.pk), fields={"city": "Brest"}, actor=dpo)

    assert DataSubject.objects.get(pk=subject.pk).city == "Brest"


def test_an_override_for_another_operation_or_an_expired_one_does_not_allow_edits():
    dpo = dpo_user()
    subject = DataSubjectFactory()
    restriction = restriction_place(subject=subject, ground=Ground.ACCURACY_CONTESTED, actor=dpo)
    override_record(
        restriction=restriction, purpose=Purpose.CONSENT, operation=Operation.EXPORT, justification="Accord écrit.",
        actor=dpo,
    )  # fmt: skip
    expired = override_record(
        restriction=restriction, purpose=Purpose.CONSENT, operation=Operation.EDIT, justification="Accord écrit.",
        actor=dpo,
    )  # fmt: skip
    RestrictionOverride.objects.filter(pk=expired.pk).update(valid_until=timezone.now() - timedelta(minutes=1))

    assert override_in_force(subject_id=subject.pk, operation=Operation.EXPORT)
    assert not override_in_force(subject_id=subject.pk, operation=Operation.EDIT)
    with pytest.raises(ValidationError):
        services.subject_update(subject=subject, fields={"city": "Brest"}, actor=dpo)


def test_record_scope_restricts_only_the_listed_record():
    dpo = dpo_user()
    subject = DataSubjectFactory()
    restricted, free = TicketFactory(subject=subject), TicketFactory(subject=subject)
    restriction_place(
        subject=subject,
        ground=Ground.LEGAL_CLAIMS,
        scope=Restriction.Scope.RECORDS,
        records=[f"subjects.supportticket:{restricted.pk}"],
        actor=dpo,
    )

    services.ticket_update(ticket=free, fields={"status": "closed"}, actor=dpo)
    with pytest.raises(ValidationError):
        services.ticket_update(ticket=restricted, fields={"status": "closed"}, actor=dpo)
    services.subject_update(subject=subject, fields={"city": "Quimper"}, actor=dpo)

    assert DataSubject.objects.get(pk=subject.pk).city == "Quimper"


def test_a_restricted_subject_never_appears_in_a_campaign_segment_unless_overridden():
    dpo = dpo_user()
    person = DataSubjectFactory()
    give(person, at=timezone.now() - timedelta(days=2))
    assert person.pk in marketable_ids()

    restriction = restriction_place(subject=person, ground=Ground.OBJECTION_PENDING, actor=dpo)
    blocked = marketable_ids()
    override_record(
        restriction=restriction,
        purpose=Purpose.CONSENT,
        operation=Operation.MARKETING,
        justification="La personne a demandé à continuer de recevoir la lettre.",
        actor=dpo,
    )

    assert person.pk not in blocked
    assert person.pk in marketable_ids()


def test_the_retention_sweep_leaves_a_restricted_subject_alone_until_overridden():
    dpo = dpo_user()
    prospect = subject_with_role("prospect", collected_on=date(2020, 1, 1))
    restriction = restriction_place(subject=prospect, ground=Ground.LEGAL_CLAIMS, actor=dpo)

    sweep(now=date(2026, 11, 26), commit=True)
    kept = DataSubject.objects.filter(pk=prospect.pk).exists()
    override_record(
        restriction=restriction,
        purpose=Purpose.PUBLIC_INTEREST,
        operation=Operation.AUTOMATED,
        justification="Décision du DPO : suppression à l'échéance.",
        actor=dpo,
    )
    sweep(now=date(2026, 11, 26), commit=True)

    assert kept
    assert not DataSubject.objects.filter(pk=prospect.pk).exists()


def test_exports_read_is_restricted_and_the_exists_filter():
    dpo = dpo_user()
    restricted, free = DataSubjectFactory(), DataSubjectFactory()
    restriction = restriction_place(subject=restricted, ground=Ground.UNLAWFUL, actor=dpo)

    assert is_restricted(restricted.pk, operation=Operation.EXPORT)
    assert not is_restricted(free.pk)
    assert set(DataSubject.objects.filter(restricted_subject_exists()).values_list("pk", flat=True)) == {restricted.pk}
    override_record(
        restriction=restriction, purpose=Purpose.CONSENT, operation=Operation.EXPORT, justification="Accord écrit.",
        actor=dpo,
    )  # fmt: skip
    assert not is_restricted(restricted.pk, operation=Operation.EXPORT)
    assert is_restricted(restricted.pk)


def test_lifting_requires_a_recorded_notice_to_the_person():
    dpo = dpo_user()
    subject = DataSubjectFactory()
    restriction = restriction_place(subject=subject, ground=Ground.ACCURACY_CONTESTED, actor=dpo)

    with pytest.raises(ValidationError, match="notice"):
        restriction_lift(restriction=restriction, notice="  ", notice_sent_on=date(2026, 11, 20), actor=dpo)
    assert is_restricted(subject.pk)
    restriction_lift(
        restriction=restriction,
        notice="Courrier du 20/11 : vérification terminée, la limitation est levée.",
        notice_sent_on=date(2026, 11, 20),
        actor=dpo,
    )

    restriction.refresh_from_db()
    assert not is_restricted(subject.pk)
    assert (restriction.lifted_by, restriction.lift_notice_sent_on) == (dpo, date(2026, 11, 20))
    event = (
        AuditEvent.objects.filter(object_type="subjects.restriction", object_id=str(restriction.pk))
        .order_by("id")
        .last()
    )
    assert "lift_notice" in event.fields
    assert "Courrier" not in str(vars(event))


def test_only_the_dpo_lifts_or_overrides():
    restriction = restriction_place(subject=DataSubjectFactory(), ground=Ground.UNLAWFUL, actor=None)
    support = support_user()

    with pytest.raises(PermissionDenied):
        restriction_lift(restriction=restriction, notice="Levée.", notice_sent_on=date(2026, 11, 20), actor=support)
    with pytest.raises(PermissionDenied):
        override_record(
            restriction=restriction, purpose=Purpose.CONSENT, operation=Operation.EDIT, justification="x",
            actor=support,
        )  # fmt: skip


def test_override_needs_a_justification():
    dpo = dpo_user()
    restriction = restriction_place(subject=DataSubjectFactory(), ground=Ground.UNLAWFUL, actor=dpo)

    with pytest.raises(ValidationError):
        override_record(
            restriction=restriction, purpose=Purpose.CONSENT, operation=Operation.EDIT, justification=" ", actor=dpo
        )
    assert not RestrictionOverride.objects.exists()


def test_placing_a_restriction_sends_the_signal_recipients_are_notified_from():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    subject_data_changed.connect(receiver, dispatch_uid="test-restriction")
    try:
        dpo = dpo_user()
        subject = DataSubjectFactory()
        restriction_place(subject=subject, ground=Ground.UNLAWFUL, actor=dpo)
    finally:
        subject_data_changed.disconnect(dispatch_uid="test-restriction")

    assert [(r["subject_id"], r["change_kind"], r["request_id"], r["actor_id"]) for r in received] == [
        (subject.pk, "restriction", None, dpo.pk)
    ]


def test_listed_records_need_a_model_label_and_an_id():
    with pytest.raises(ValidationError):
        restriction_place(
            subject=DataSubjectFactory(), ground=Ground.UNLAWFUL, scope=Restriction.Scope.RECORDS, records=["12"],
            actor=None,
        )  # fmt: skip
    assert not Restriction.objects.exists()
