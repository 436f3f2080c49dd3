"""Paused clocks in the DPO's reminder and in the extension rule; refusal grounds exactly as R1.6.5."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from requests_dsar import services
from requests_dsar.models import GROUNDS_BY_RIGHT, ClockPause, Extension, RefusalGround, Request, Right, State
from requests_dsar.notifications import due_soon_reminder_send
from tests.factories import dpo_user, logged_request
from tests.mail import deliver

pytestmark = pytest.mark.django_db


def test_the_daily_reminder_shows_a_paused_request_as_paused_not_overdue(mailoutbox):
    paused = logged_request(received_on=date(2026, 3, 5))  # due 7 April before any pause
    services.request_ask_information(
        request=paused, reason=ClockPause.Reason.IDENTITY, actor=None, asked_on=date(2026, 3, 6)
    )
    late = logged_request(received_on=date(2026, 3, 5))

    assert due_soon_reminder_send(today=date(2026, 4, 20)) == 2
    deliver()

    lines = {line.split()[0]: line for line in mailoutbox[0].body.splitlines() if line.startswith("#")}
    assert "PAUSED since 2026-03-06" in lines[f"#{paused.pk}"]
    assert "OVERDUE" not in lines[f"#{paused.pk}"]
    assert "OVERDUE" in lines[f"#{late.pk}"]


def test_an_extension_during_an_open_pause_counts_the_pause_so_far():
    dpo = dpo_user()
    request = logged_request(received_on=date(2026, 3, 5), actor=dpo)  # first due 7 April
    services.request_ask_information(
        request=request, reason=ClockPause.Reason.CLARIFICATION, actor=dpo, asked_on=date(2026, 3, 6)
    )
    Request.objects.filter(pk=request.pk).update(state=State.AWAITING_INFO)

    # 10 April: 35 days paused so far, so the one-month date is 12 May, not 7 April.
    services.request_extend(
        request=request,
        reason=Extension.Reason.LARGE_VOLUME,
        explanation="Volume",
        actor=dpo,
        today=date(2026, 4, 10),
        send_notice=False,
    )

    assert Extension.objects.filter(request=request).exists()


def test_refusal_grounds_are_exactly_those_of_r1_6_5():
    g = RefusalGround
    assert GROUNDS_BY_RIGHT[Right.ACCESS] == {g.RIGHTS_OF_OTHERS, g.MANIFESTLY_UNFOUNDED, g.UNION_OR_MEMBER_LAW}
    assert GROUNDS_BY_RIGHT[Right.RECTIFICATION] == {g.MANIFESTLY_UNFOUNDED, g.UNION_OR_MEMBER_LAW}
    assert GROUNDS_BY_RIGHT[Right.ERASURE] == {
        g.ERASURE_EXPRESSION,
        g.ERASURE_LEGAL_OBLIGATION,
        g.ERASURE_PUBLIC_HEALTH,
        g.ERASURE_ARCHIVING,
        g.ERASURE_LEGAL_CLAIMS,
    }
    assert GROUNDS_BY_RIGHT[Right.RESTRICTION] == {g.MANIFESTLY_UNFOUNDED, g.UNION_OR_MEMBER_LAW}
    assert GROUNDS_BY_RIGHT[Right.PORTABILITY] == {
        g.PORTABILITY_CONDITIONS,
        g.PORTABILITY_PUBLIC_TASK,
        g.PORTABILITY_OTHERS,
    }
    assert GROUNDS_BY_RIGHT[Right.OBJECTION] == {g.OBJECTION_COMPELLING, g.OBJECTION_LEGAL_CLAIMS}
    assert GROUNDS_BY_RIGHT[Right.OBJECTION_MARKETING] == frozenset()


def test_erasure_cannot_be_refused_as_manifestly_unfounded():
    dpo = dpo_user()
    request = logged_request(rights=(Right.ERASURE,), actor=dpo)
    Request.objects.filter(pk=request.pk).update(state=State.AWAITING_DECISION)

    with pytest.raises(ValidationError):
        services.request_decide(
            request=request,
            refusals=[
                services.ItemRefusal(
                    item=request.items.get(), ground=RefusalGround.MANIFESTLY_UNFOUNDED, justification="x"
                )
            ],
            justification="x",
            actor=dpo,
        )
