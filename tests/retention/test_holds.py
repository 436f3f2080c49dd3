"""Legal holds (R4.5) and open requests (R1.7.7) stop every automatic action on the subject."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ijinus_privacy import actors
from ijinus_privacy.models import AuditEvent
from requests_dsar.models import State
from requests_dsar.services import request_transition
from retention.models import ArchivedSubject, LegalHold
from retention.services import hold_lift, hold_place, sweep
from subjects.models import DataSubject
from tests.factories import dpo_user, logged_request, subject_with_role

AS_OF = date(2026, 11, 26)

# Holds start today and are reviewed on fixed 2027 dates: the clock stops on AS_OF.
pytestmark = [pytest.mark.django_db, pytest.mark.today(AS_OF.isoformat())]


def test_held_subject_is_neither_deleted_nor_archived_until_the_hold_is_lifted():
    dpo = dpo_user()
    prospect = subject_with_role("prospect", collected_on=date(2020, 1, 1))
    client = subject_with_role("inactive_client", collected_on=date(2010, 1, 1), contract_end_on=date(2020, 1, 1))
    holds = [
        hold_place(subject=s, reason=LegalHold.Reason.DISPUTE, review_on=date(2027, 1, 1), actor=dpo)
        for s in (prospect, client)
    ]

    held_run = sweep(now=AS_OF, commit=True)
    still_there = DataSubject.objects.filter(pk=prospect.pk).exists()
    for hold in holds:
        hold_lift(hold=hold, actor=dpo)
    sweep(now=AS_OF, commit=True)

    assert still_there
    assert held_run.counts["prospect"] == {}
    assert not DataSubject.objects.filter(pk=prospect.pk).exists()
    assert ArchivedSubject.objects.filter(subject=client).exists()


def test_hold_needs_a_review_date_not_before_its_start_and_is_audited():
    dpo = dpo_user()
    subject = subject_with_role("prospect")

    with pytest.raises(ValidationError):
        hold_place(subject=subject, reason="claim", started_on=date(2026, 5, 1), review_on=date(2026, 4, 1), actor=dpo)
    hold = hold_place(subject=subject, reason="claim", reference="RG-26/0042", review_on=date(2027, 5, 1), actor=dpo)

    assert LegalHold.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="retention.legalhold", object_id=str(hold.pk)).exists()
    with pytest.raises(ValidationError):
        hold_place(subject=subject, reason="claim", reference="Jean Dupont", review_on=date(2027, 5, 1), actor=dpo)


def test_lifting_twice_is_refused():
    dpo = dpo_user()
    hold = hold_place(subject=subject_with_role("prospect"), reason="claim", review_on=date(2027, 1, 1), actor=dpo)
    hold_lift(hold=hold, actor=dpo)

    with pytest.raises(ValidationError):
        hold_lift(hold=hold, actor=dpo)


def test_held_subject_shows_the_hold_on_its_admin_page(admin_client):
    subject = subject_with_role("prospect")
    hold_place(subject=subject, reason="authority", reference="CNIL-2026-17", review_on=date(2027, 1, 1),
               actor=dpo_user())  # fmt: skip

    page = admin_client.get(reverse("admin:subjects_datasubject_change", args=[subject.pk]))

    assert page.status_code == 200
    assert "CNIL-2026-17" in page.text


def test_an_open_request_blocks_the_sweep_and_a_closed_one_does_not():
    subject = subject_with_role("prospect", collected_on=date(2020, 1, 1))
    request = logged_request(subject=subject, received_on=AS_OF)

    sweep(now=AS_OF, commit=True)

    assert DataSubject.objects.filter(pk=subject.pk).exists()
    request_transition(
        request=request, to_state=State.WITHDRAWN, reason="withdrawn by phone", actor=actors.system("test-withdrawal")
    )
    sweep(now=AS_OF, commit=True)
    assert not DataSubject.objects.filter(pk=subject.pk).exists()
