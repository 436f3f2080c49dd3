"""Workflow, pauses, extension, decisions, permissions and letters of a request."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from ijinus_privacy.models import AuditEvent
from requests_dsar import services
from requests_dsar.letters import letter_send
from requests_dsar.models import (
    TRANSITIONS,
    ClockPause,
    Extension,
    IdentityCheck,
    Letter,
    RefusalGround,
    RequestEvent,
    Right,
    State,
)
from tests.factories import dpo_user, logged_request, support_user
from tests.mail import deliver, letter_pdf

pytestmark = pytest.mark.django_db

ALL_PAIRS = [(a, b) for a in State for b in State if a != b]
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in TRANSITIONS[a]]
FORBIDDEN = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a]]


def _force_state(request, state):
    type(request).objects.filter(pk=request.pk).update(state=state)
    request.refresh_from_db()


@pytest.mark.parametrize(("from_state", "to_state"), ALLOWED)
def test_every_allowed_transition_is_a_timeline_and_audit_event(from_state, to_state):
    dpo = dpo_user()
    request = logged_request(actor=dpo)
    _force_state(request, from_state)

    services.request_transition(request=request, to_state=to_state, reason="motif", actor=dpo)

    request.refresh_from_db()
    assert request.state == to_state
    event = request.events.get(kind=RequestEvent.Kind.TRANSITION)
    assert (event.from_state, event.to_state, event.actor_username) == (from_state, to_state, "dpo")
    assert AuditEvent.objects.filter(object_type="requests_dsar.request", reason=f"{from_state}>{to_state}").exists()


@pytest.mark.parametrize(("from_state", "to_state"), FORBIDDEN)
def test_every_forbidden_transition_is_refused_with_a_clear_message(from_state, to_state):
    dpo = dpo_user()
    request = logged_request(actor=dpo)
    _force_state(request, from_state)

    with pytest.raises(ValidationError, match="cannot go from"):
        services.request_transition(request=request, to_state=to_state, reason="motif", actor=dpo)

    request.refresh_from_db()
    assert request.state == from_state


def test_receipt_date_not_entry_date_starts_the_clock():
    request = logged_request(received_on=date(2026, 3, 3))

    assert request.due_on == date(2026, 4, 3)


def test_oral_request_needs_a_written_summary():
    with pytest.raises(ValidationError, match="written summary"):
        logged_request(channel="phone")


def test_pause_pushes_the_due_date_by_the_paused_days():
    user = support_user()
    request = logged_request(received_on=date(2026, 3, 5), actor=user)

    services.request_ask_information(
        request=request, reason=ClockPause.Reason.CLARIFICATION, actor=user, asked_on=date(2026, 3, 6)
    )
    request = services.request_information_received(request=request, actor=user, received_on=date(2026, 3, 16))

    assert request.paused_days == 10
    assert request.due_on == date(2026, 4, 15)
    assert request.state == State.IN_PROGRESS
    assert not request.identity_request_late


def test_late_identity_request_is_flagged():
    user = support_user()
    request = logged_request(received_on=date(2026, 4, 2), actor=user)

    result = services.request_ask_information(
        request=request, reason=ClockPause.Reason.IDENTITY, actor=user, asked_on=date(2026, 4, 9)
    )

    request.refresh_from_db()
    assert result.late
    assert request.identity_request_late
    assert request.events.filter(kind=RequestEvent.Kind.WARNING).exists()


def test_extension_before_the_due_date_moves_it_and_sends_the_notice(mailoutbox):
    dpo = dpo_user()
    request = logged_request(received_on=date(2026, 1, 31), actor=dpo)

    services.request_extend(
        request=request,
        reason=Extension.Reason.LARGE_VOLUME,
        explanation="Volume important",
        actor=dpo,
        today=date(2026, 2, 20),
    )

    deliver()

    request.refresh_from_db()
    assert request.due_on == date(2026, 4, 28)
    assert request.letters.get().kind == Letter.Kind.EXTENSION_NOTICE
    assert "28 avril 2026" in mailoutbox[0].body


def test_extension_after_the_first_due_date_is_refused():
    dpo = dpo_user()
    request = logged_request(received_on=date(2026, 1, 31), actor=dpo)

    with pytest.raises(ValidationError, match="has passed"):
        services.request_extend(
            request=request, reason=Extension.Reason.LARGE_VOLUME, explanation="x", actor=dpo, today=date(2026, 3, 3)
        )
    assert not Extension.objects.exists()


def test_customer_service_cannot_decide_extend_or_charge():
    user = support_user()
    request = logged_request(actor=user)
    _force_state(request, State.AWAITING_DECISION)

    with pytest.raises(PermissionDenied):
        services.request_decide(request=request, justification="ok", actor=user)
    with pytest.raises(PermissionDenied):
        services.request_transition(request=request, to_state=State.COMPLETED, reason="ok", actor=user)
    with pytest.raises(PermissionDenied):
        services.request_extend(request=request, reason=Extension.Reason.LARGE_VOLUME, explanation="x", actor=user)
    with pytest.raises(PermissionDenied):
        services.request_charge_fee(
            request=request, amount=Decimal(5), further_copy=True, justification="x", actor=user
        )
    assert user.has_perm("requests_dsar.add_request")
    assert user.has_perm("requests_dsar.verify_identity")
    assert user.has_perm("requests_dsar.send_letter")
    assert not user.has_perm("requests_dsar.decide_request")


def test_objection_to_direct_marketing_cannot_be_refused():
    dpo = dpo_user()
    request = logged_request(rights=(Right.OBJECTION_MARKETING,), actor=dpo)
    _force_state(request, State.AWAITING_DECISION)
    item = request.items.get()

    with pytest.raises(ValidationError, match="cannot be refused"):
        services.request_decide(
            request=request,
            refusals=[services.ItemRefusal(item=item, ground=RefusalGround.MANIFESTLY_UNFOUNDED, justification="x")],
            justification="x",
            actor=dpo,
        )


def test_erasure_refusal_on_a_ground_of_another_right_is_rejected():
    dpo = dpo_user()
    request = logged_request(rights=(Right.ERASURE,), actor=dpo)
    _force_state(request, State.AWAITING_DECISION)

    with pytest.raises(ValidationError):
        services.request_decide(
            request=request,
            refusals=[
                services.ItemRefusal(
                    item=request.items.get(), ground=RefusalGround.PORTABILITY_CONDITIONS, justification="x"
                )
            ],
            justification="x",
            actor=dpo,
        )
    request.refresh_from_db()
    assert request.state == State.AWAITING_DECISION


@pytest.mark.parametrize(
    ("language", "cnil", "judicial"), [("fr", "CNIL", "recours juridictionnel"), ("en", "CNIL", "judicial remedy")]
)
def test_refusal_letter_states_grounds_cnil_and_judicial_remedy(mailoutbox, language, cnil, judicial):
    dpo = dpo_user()
    request = logged_request(rights=(Right.OTHER, Right.ERASURE), actor=dpo, language=language)
    _force_state(request, State.AWAITING_DECISION)
    erasure = request.items.get(right=Right.ERASURE)

    services.request_decide(
        request=request,
        refusals=[
            services.ItemRefusal(
                item=erasure, ground=RefusalGround.ERASURE_LEGAL_OBLIGATION, justification="Factures 10 ans"
            )
        ],
        justification="Décision",
        actor=dpo,
    )
    deliver()

    request.refresh_from_db()
    assert request.state == State.PARTLY_REFUSED
    letter = request.letters.get(kind=Letter.Kind.REFUSAL)
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(letter_pdf(letter))).pages)
    for expected in (cnil, judicial, "Factures 10 ans", "17(3)(b)"):
        assert expected in text
        assert expected in mailoutbox[0].body
    assert str(request.subject.last_name) not in mailoutbox[0].subject


def test_identity_link_is_single_use_and_resumes_the_clock(mailoutbox, django_capture_on_commit_callbacks):
    user = support_user()
    request = logged_request(received_on=date(2026, 3, 5), actor=user)

    with django_capture_on_commit_callbacks(execute=True):
        started = services.identity_check_start(
            request=request,
            method=IdentityCheck.Method.EMAIL_LINK,
            doubt_reason="Adresse différente",
            actor=user,
            asked_on=date(2026, 3, 5),
        )
    assert started.token in mailoutbox[0].body
    assert started.token not in str(vars(started.check))

    services.identity_check_confirm_token(check_id=started.check.pk, token=started.token)

    request.refresh_from_db()
    assert request.state == State.IN_PROGRESS
    started.check.refresh_from_db()
    assert started.check.status == IdentityCheck.Status.VERIFIED
    with pytest.raises(ValidationError, match="already been used"):
        services.identity_check_confirm_token(check_id=started.check.pk, token=started.token)


def test_identity_link_attempts_are_limited():
    user = support_user()
    request = logged_request(actor=user)
    started = services.identity_check_start(
        request=request, method=IdentityCheck.Method.EMAIL_LINK, doubt_reason="doute", actor=user
    )

    for _attempt in range(services.IDENTITY_TOKEN_MAX_ATTEMPTS):
        with pytest.raises(ValidationError):
            services.identity_check_confirm_token(check_id=started.check.pk, token="wrong")

    started.check.refresh_from_db()
    assert started.check.status == IdentityCheck.Status.FAILED
    with pytest.raises(ValidationError):
        services.identity_check_confirm_token(check_id=started.check.pk, token=started.token)


def test_document_check_needs_dpo_justification_and_records_only_the_type():
    dpo = dpo_user()
    request = logged_request(actor=dpo)
    with pytest.raises(ValidationError, match="justification"):
        services.identity_check_start(
            request=request, method=IdentityCheck.Method.DOCUMENT, doubt_reason="doute", actor=dpo
        )

    started = services.identity_check_start(
        request=request,
        method=IdentityCheck.Method.DOCUMENT,
        doubt_reason="doute",
        document_justification="Risque de divulgation",
        actor=dpo,
    )
    services.identity_check_record_document(
        check=started.check,
        document_type=IdentityCheck.DocumentType.PASSPORT,
        copy_received_and_deleted=True,
        actor=dpo,
    )

    started.check.refresh_from_db()
    assert started.check.document_type == "passport"
    assert started.check.copy_deleted_on is not None
    assert AuditEvent.objects.filter(action="delete", object_type="requests_dsar.identity_document_copy").exists()
    assert started.check.checked_by_username == "dpo"
    assert not [f for f in IdentityCheck._meta.fields if f.get_internal_type() in ("FileField", "ImageField")]


def test_fee_only_for_further_copies_and_dpo_approved():
    dpo = dpo_user()
    request = logged_request(actor=dpo)
    assert request.fee_amount == 0

    with pytest.raises(ValidationError, match="further copies"):
        services.request_charge_fee(
            request=request, amount=Decimal(5), further_copy=False, justification="x", actor=dpo
        )
    services.request_charge_fee(request=request, amount=Decimal(5), further_copy=True, justification="coûts", actor=dpo)

    request.refresh_from_db()
    assert request.fee_amount == Decimal(5)


def test_acknowledgement_states_the_response_window(mailoutbox):
    user = support_user()
    request = logged_request(received_on=date(2026, 3, 5), actor=user, language="en")

    letter_send(request=request, kind=Letter.Kind.ACKNOWLEDGEMENT, actor=user)
    deliver()

    assert "from 5 Mar 2026 to 7 Apr 2026" in mailoutbox[0].body
    assert mailoutbox[0].to == [request.subject.email]


def test_timeline_events_are_append_only():
    request = logged_request()
    event = request.events.get()
    event.reason = "changed"

    with pytest.raises(ValidationError):
        event.save()


def test_fee_notice_tells_the_amount_and_the_right_to_withdraw(mailoutbox):
    dpo = dpo_user()
    request = logged_request(actor=dpo, language="fr")

    services.request_charge_fee(
        request=request, amount=Decimal("12.50"), further_copy=True, justification="coûts", actor=dpo
    )
    deliver()

    letter = request.letters.get()
    assert letter.kind == Letter.Kind.FEE_NOTICE
    assert "12,50" in mailoutbox[0].body or "12.50" in mailoutbox[0].body
    assert "retirer" in mailoutbox[0].body


def test_a_failing_step_leaves_nothing_half_written():
    from unittest import mock

    from requests_dsar.models import Request

    with (
        mock.patch("ijinus_privacy.audit.record", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        logged_request(rights=(Right.ACCESS, Right.ERASURE))

    assert not Request.objects.exists()
    assert not RequestEvent.objects.exists()


def test_a_failing_letter_rolls_back_the_extension():
    from unittest import mock

    dpo = dpo_user()
    request = logged_request(received_on=date(2026, 1, 31), actor=dpo)

    with (
        mock.patch("requests_dsar.letters.render_pdf", side_effect=OSError("disk")),
        pytest.raises(OSError, match="disk"),
    ):
        services.request_extend(
            request=request, reason=Extension.Reason.LARGE_VOLUME, explanation="x", actor=dpo, today=date(2026, 2, 2)
        )

    request.refresh_from_db()
    assert request.due_on == date(2026, 3, 2)
    assert not Extension.objects.exists()


def test_only_the_dpo_closes_a_request_as_withdrawn(client):
    request = logged_request(actor=support_user())
    client.force_login(support_user())

    with pytest.raises(PermissionDenied):
        services.request_transition(request=request, to_state=State.WITHDRAWN, reason="retrait", actor=support_user())
    transition = client.get(reverse("admin:requests_dsar_request_act", args=[request.pk, "transition"]))
    assert State.WITHDRAWN.value not in [
        value for value, _label in transition.context["form"].fields["to_state"].choices
    ]
    assert (
        client.get(reverse("admin:requests_dsar_request_act", args=[request.pk, "close-withdrawn"])).status_code == 403
    )

    client.force_login(dpo_user())
    client.post(
        reverse("admin:requests_dsar_request_act", args=[request.pk, "close-withdrawn"]),
        {"reason": "Retrait par téléphone le 6 mars"},
    )

    request.refresh_from_db()
    assert request.state == State.WITHDRAWN
    assert request.events.get(to_state=State.WITHDRAWN).actor_username == "dpo"


def test_identity_callback_to_the_number_on_file_is_recorded_with_who_and_when(client):
    user = support_user()
    request = logged_request(actor=user)
    started = services.identity_check_start(
        request=request, method=IdentityCheck.Method.PHONE_CALLBACK, doubt_reason="doute", actor=user
    )
    assert started.token == ""
    assert started.check.token_hash == ""
    request.refresh_from_db()
    assert request.state == State.AWAITING_INFO
    client.force_login(user)

    response = client.post(
        reverse("admin:requests_dsar_request_act", args=[request.pk, "identity-callback"]),
        {"check": started.check.pk, "confirmed": "1"},
    )

    assert response.status_code == 302
    started.check.refresh_from_db()
    assert started.check.status == IdentityCheck.Status.VERIFIED
    assert started.check.checked_by_username == "support"
    assert started.check.checked_on is not None
    request.refresh_from_db()
    assert request.state == State.IN_PROGRESS
    assert request.events.filter(reason__startswith="Called back on the number on file").exists()


def test_identity_callback_needs_a_number_on_file_and_can_fail():
    user = support_user()
    request = logged_request(actor=user, subject=None, requester_name="Jeanne Roux", requester_phone="0611223344")
    with pytest.raises(ValidationError, match="number already on file"):
        services.identity_check_start(
            request=request, method=IdentityCheck.Method.PHONE_CALLBACK, doubt_reason="doute", actor=user
        )

    other = logged_request(actor=user)
    started = services.identity_check_start(
        request=other, method=IdentityCheck.Method.PHONE_CALLBACK, doubt_reason="doute", actor=user
    )
    services.identity_check_record_callback(check=started.check, confirmed=False, actor=user)

    started.check.refresh_from_db()
    assert started.check.status == IdentityCheck.Status.FAILED
    with pytest.raises(ValidationError, match="already closed"):
        services.identity_check_record_callback(check=started.check, confirmed=True, actor=user)
