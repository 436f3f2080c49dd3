"""R1.16.4: request files are kept for the period the DPO decided (rule "dsr-files"), then go.

No text fixes how long a request file is kept; the seeded rule proposes 5 years after closure
(Code civil art. 2224) and waits for the DPO's approval. Once on, the nightly sweep deletes the files
closed before the cutoff, anonymises those an erasure proof still points to, and leaves alone a
person under a legal hold.
"""

from __future__ import annotations

from datetime import date

import pytest

from ijinus_privacy.models import AuditEvent
from requests_dsar.models import ErasureGround, ErasureRecord, Request, RequestEvent, State
from requests_dsar.services import request_add_note
from retention.models import LegalHold, RetentionRule
from retention.services import hold_place, rule_approve, rule_update, sweep
from tests.factories import DataSubjectFactory, dpo_user, logged_request

pytestmark = pytest.mark.django_db

NOW = date(2026, 3, 2)  # 60 months back: files closed on or before 2 March 2021 are due


def _closed(closed_on: date, **kwargs) -> Request:
    kwargs.setdefault("subject", DataSubjectFactory())
    request = logged_request(
        received_on=date(closed_on.year, 1, 4),
        requester_name="Gwenaëlle Le Bihan",
        requester_email="gwenaelle.le-bihan@exemple.fr",
        **kwargs,
    )
    request_add_note(request=request, text="Rappelée le 5 janvier, souhaite une copie papier.", actor=None)
    Request.objects.filter(pk=request.pk).update(state=State.COMPLETED, closed_on=closed_on)
    return request


@pytest.fixture
def rule():
    dpo = dpo_user()
    rule = RetentionRule.objects.get(code="dsr-files")
    rule = rule_update(rule=rule, changes={"enabled": True}, actor=dpo)
    return rule_approve(rule=rule, actor=dpo)


def test_r1_16_4_request_files_go_after_the_period_the_dpo_approved(rule):
    old, recent = _closed(date(2020, 6, 1)), _closed(date(2024, 6, 1))
    proved = _closed(date(2020, 6, 1))
    ErasureRecord.objects.create(
        request=proved,
        subject_ref=proved.subject_id,
        ground=ErasureGround.CONSENT_WITHDRAWN,
        approved_by_username="dpo",
    )
    held_person = DataSubjectFactory()
    held = _closed(date(2020, 6, 1), subject=held_person)
    hold_place(
        subject=held_person,
        reason=LegalHold.Reason.CLAIM,
        reference="RG-21/0042",
        review_on=date(2027, 1, 1),
        actor=dpo_user(),
    )

    dry = sweep(now=NOW, commit=False, rule=rule)
    assert dry.counts["dsr-files"] == {"request_files_deleted": 1, "request_files_anonymised": 1}
    assert Request.objects.filter(pk=old.pk).exists()

    run = sweep(now=NOW, commit=True, rule=rule)

    assert run.counts["dsr-files"] == {"request_files_deleted": 1, "request_files_anonymised": 1}
    assert not Request.objects.filter(pk=old.pk).exists()
    assert not RequestEvent.objects.filter(request_id=old.pk).exists()
    kept = Request.objects.get(pk=proved.pk)  # the erasure proof still names its request: facts only
    assert (kept.requester_name, kept.requester_email, kept.state) == ("", "", State.COMPLETED)
    assert [event.reason for event in kept.events.filter(kind=RequestEvent.Kind.NOTE)] == [""]
    assert Request.objects.get(pk=recent.pk).requester_name == "Gwenaëlle Le Bihan"
    assert Request.objects.get(pk=held.pk).requester_name == "Gwenaëlle Le Bihan"  # legal hold (R4.5.1)
    assert AuditEvent.objects.filter(object_type="requests_dsar.request", reason__contains="request files").count() == 2

    again = sweep(now=NOW, commit=True, rule=rule)
    assert again.counts["dsr-files"] == {"request_files_deleted": 0, "request_files_anonymised": 0}


def test_r1_16_4_the_period_is_the_dpos_decision_and_nothing_goes_before_it_is_approved():
    rule = RetentionRule.objects.get(code="dsr-files")
    old = _closed(date(2020, 6, 1))

    run = sweep(now=NOW, commit=True, rule=rule)

    assert run.skipped["dsr-files"] in {"disabled", "awaiting DPO approval"}
    assert Request.objects.get(pk=old.pk).requester_name == "Gwenaëlle Le Bihan"
    assert rule.requires_approval
    assert "DPO decision" in rule.dpo_flag
