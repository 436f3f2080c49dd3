"""A right with an effect is granted only once it is carried out (R1.6.3: IJINUS proves what it did)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consents.models import Channel as ConsentChannel
from requests_dsar import fulfilment, services
from requests_dsar.models import ErasureRecord, ExportJob, RefusalGround, Request, Right, State
from requests_dsar.services.objection import objection_decide
from subjects.models import Objection, Rectification
from subjects.services.rectification import rectification_apply
from tests.factories import dpo_user, logged_request

pytestmark = pytest.mark.django_db


def _awaiting(*rights):
    dpo = dpo_user()
    request = logged_request(rights=rights, actor=dpo)
    Request.objects.filter(pk=request.pk).update(state=State.AWAITING_DECISION)
    request.refresh_from_db()
    return request, dpo


@pytest.mark.parametrize(
    ("right", "missing"),
    [
        (Right.ERASURE, "no erasure has been executed"),
        (Right.RECTIFICATION, "applied or rejected"),
        (Right.RESTRICTION, "no restriction has been placed"),
        (Right.OBJECTION, "recorded and upheld"),
        (Right.OBJECTION_MARKETING, "Objection to direct marketing"),
        (Right.CONSENT_WITHDRAWAL, "no withdrawal has been recorded"),
        (Right.ACCESS, "access copy has not been approved and sent"),
        (Right.PORTABILITY, "portability export has not been approved and sent"),
    ],
)
def test_granting_a_right_with_nothing_done_is_refused_with_what_is_missing(right, missing):
    request, dpo = _awaiting(right)

    with pytest.raises(ValidationError, match=missing):
        services.request_decide(request=request, justification="Fait", actor=dpo)

    request.refresh_from_db()
    assert request.state == State.AWAITING_DECISION
    assert not request.decisions.exists()


def test_refusing_the_unfulfilled_right_is_not_blocked():
    request, dpo = _awaiting(Right.ERASURE)
    refusal = services.ItemRefusal(
        item=request.items.get(), ground=RefusalGround.ERASURE_LEGAL_OBLIGATION, justification="Factures"
    )

    services.request_decide(request=request, refusals=[refusal], justification="Refus", actor=dpo)

    request.refresh_from_db()
    assert request.state == State.REFUSED


def test_recorded_fulfilments_let_the_dpo_grant():
    request, dpo = _awaiting(Right.OBJECTION, Right.OBJECTION_MARKETING, Right.CONSENT_WITHDRAWAL, Right.RESTRICTION)
    for objection in fulfilment.objection_from_request(request=request, actor=dpo):
        if objection.kind == Objection.Kind.LEGITIMATE_INTEREST:
            objection_decide(objection=objection, upheld=True, actor=dpo)
    fulfilment.withdrawal_from_request(request=request, channel=ConsentChannel.NEWSLETTER_EMAIL, actor=dpo)
    fulfilment.restriction_from_request(request=request, ground="18_1_b", actor=dpo)

    services.request_decide(request=request, justification="Fait", actor=dpo)

    request.refresh_from_db()
    assert request.state == State.COMPLETED


def test_a_rectification_still_proposed_blocks_the_grant_until_applied():
    request, dpo = _awaiting(Right.RECTIFICATION)
    proposals = fulfilment.rectification_from_request(request=request, changes={"last_name": "Martin"}, actor=dpo)

    with pytest.raises(ValidationError, match="applied or rejected"):
        services.request_decide(request=request, justification="Fait", actor=dpo)
    rectification_apply(rectifications=proposals, actor=dpo)
    services.request_decide(request=request, justification="Fait", actor=dpo)

    assert Rectification.objects.get().status == Rectification.Status.APPLIED
    request.refresh_from_db()
    assert request.state == State.COMPLETED


def test_an_executed_erasure_and_sent_exports_let_the_dpo_grant():
    request, dpo = _awaiting(Right.ERASURE, Right.ACCESS)
    ErasureRecord.objects.create(request=request, subject_ref=request.subject_id, ground="17_1_a")
    ExportJob.objects.create(request=request, subject=request.subject, kind=ExportJob.Kind.ACCESS_PDF)

    with pytest.raises(ValidationError, match="access copy"):
        services.request_decide(request=request, justification="Fait", actor=dpo)
    ExportJob.objects.update(status=ExportJob.Status.DONE, sent_at="2026-03-10T10:00:00Z")
    services.request_decide(request=request, justification="Fait", actor=dpo)

    request.refresh_from_db()
    assert request.state == State.COMPLETED


def test_the_decision_form_shows_what_is_missing(client):
    request, dpo = _awaiting(Right.ERASURE)
    client.force_login(dpo)

    response = client.post(
        reverse("admin:requests_dsar_request_act", args=[request.pk, "decide"]), {"justification": "Fait"}
    )

    assert response.status_code == 200
    assert "no erasure has been executed" in response.text
    request.refresh_from_db()
    assert request.state == State.AWAITING_DECISION
