"""Rectification (Art. 16, R1.9): proposed field by field, applied by staff, audited by field name."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ijinus_privacy.models import AuditEvent
from requests_dsar.fulfilment import rectification_from_request
from requests_dsar.models import RequestEvent, Right
from subjects.models import DataSubject, Rectification, Restriction, RestrictionOverride, SensitiveDataFlag
from subjects.services.rectification import (
    rectification_apply,
    rectification_propose,
    rectification_reject,
    rectification_restrict,
)
from subjects.services.restriction import is_restricted, override_record
from subjects.signals import subject_data_changed
from tests.factories import DataSubjectFactory, dpo_user, logged_request, support_user

pytestmark = pytest.mark.django_db


def test_applied_rectification_changes_the_subject_clears_the_value_and_audits_names_only():
    staff = support_user()
    subject = DataSubjectFactory(last_name="Dupont", city="Lorient")
    proposals = rectification_propose(
        subject=subject, changes={"last_name": "Dupont-Kervella", "city": "Quimperlé"}, actor=staff
    )

    rectification_apply(rectifications=proposals, actor=staff)

    subject.refresh_from_db()
    assert (subject.last_name, subject.city) == ("Dupont-Kervella", "Quimperlé")
    rows = Rectification.objects.filter(subject=subject)
    assert set(rows.values_list("status", "proposed_value")) == {(Rectification.Status.APPLIED, "")}
    assert all(row.decided_by == staff for row in rows)
    change = (
        AuditEvent.objects.filter(object_type="subjects.datasubject", object_id=str(subject.pk)).order_by("id").last()
    )
    assert change.fields == ["city", "last_name"]
    trail = " ".join(str(vars(event)) for event in AuditEvent.objects.filter(subject_id=subject.pk))
    assert "Kervella" not in trail
    assert "Quimperl" not in trail


def test_rejected_rectification_leaves_the_subject_and_clears_the_value():
    staff = support_user()
    subject = DataSubjectFactory(city="Lorient")
    proposals = rectification_propose(subject=subject, changes={"city": "Brest"}, actor=staff)

    rectification_reject(rectifications=proposals, actor=staff)

    subject.refresh_from_db()
    assert subject.city == "Lorient"
    assert list(Rectification.objects.values_list("status", "proposed_value")) == [("rejected", "")]
    with pytest.raises(ValidationError):
        rectification_apply(rectifications=proposals, actor=staff)


def test_applying_runs_validation_and_sensitive_screening_like_any_save():
    staff = support_user()
    subject = DataSubjectFactory()
    bad_date = rectification_propose(subject=subject, changes={"date_of_birth": "31/02/1980"}, actor=staff)
    with pytest.raises(ValidationError):
        rectification_apply(rectifications=bad_date, actor=staff)
    assert Rectification.objects.get(pk=bad_date[0].pk).status == Rectification.Status.PROPOSED

    notes = rectification_propose(subject=subject, changes={"notes": "Client en arrêt maladie."}, actor=staff)
    rectification_apply(rectifications=notes, actor=staff)

    assert SensitiveDataFlag.objects.filter(subject=subject, field_name="notes").exists()


def test_unknown_field_is_refused_and_nothing_is_written():
    with pytest.raises(ValidationError):
        rectification_propose(subject=DataSubjectFactory(), changes={"city": "Brest", "pk": "3"}, actor=None)
    assert not Rectification.objects.exists()


def test_only_staff_apply():
    proposals = rectification_propose(subject=DataSubjectFactory(), changes={"city": "Brest"}, actor=None)
    with pytest.raises(PermissionDenied):
        rectification_apply(rectifications=proposals, actor=None)


def test_contested_accuracy_offers_a_restriction_and_then_applying_needs_an_override():
    dpo = dpo_user()
    subject = DataSubjectFactory(city="Lorient")
    proposal = rectification_propose(subject=subject, changes={"city": "Brest"}, accuracy_contested=True, actor=dpo)

    restriction = rectification_restrict(rectification=proposal[0], actor=dpo)
    assert restriction.ground == Restriction.Ground.ACCURACY_CONTESTED
    assert is_restricted(subject.pk)
    with pytest.raises(ValidationError, match="restricted"):
        rectification_apply(rectifications=proposal, actor=dpo)
    override_record(
        restriction=restriction,
        purpose=RestrictionOverride.Purpose.CONSENT,
        operation=RestrictionOverride.Operation.EDIT,
        justification="La personne demande elle-même la correction, vérifiée sur justificatif.",
        actor=dpo,
    )
    rectification_apply(rectifications=proposal, actor=dpo)

    assert DataSubject.objects.get(pk=subject.pk).city == "Brest"


def test_applying_sends_the_signal_once_with_the_request():
    received = []
    subject_data_changed.connect(lambda sender, **kw: received.append(kw), dispatch_uid="test-rectif", weak=False)
    try:
        staff = support_user()
        subject = DataSubjectFactory()
        request = logged_request(subject=subject, rights=(Right.RECTIFICATION,), received_on=date(2026, 11, 2))
        proposals = rectification_from_request(
            request=request, changes={"city": "Vannes", "phone": "02 97 00 00 00"}, actor=staff
        )
        rectification_apply(rectifications=proposals, actor=staff)
    finally:
        subject_data_changed.disconnect(dispatch_uid="test-rectif")

    assert [(r["subject_id"], r["change_kind"], r["request_id"]) for r in received] == [
        (subject.pk, "rectification", request.pk)
    ]
    note = RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.NOTE).last()
    assert "city" in note.reason
    assert "Vannes" not in note.reason


def test_a_request_without_the_right_is_refused():
    request = logged_request(rights=(Right.ACCESS,), received_on=date(2026, 11, 2))
    with pytest.raises(ValidationError):
        rectification_from_request(request=request, changes={"city": "Vannes"}, actor=None)
    assert not Rectification.objects.exists()
