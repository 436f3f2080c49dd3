"""The request's page as a case file (issue 16): the summary and the one next step, closed requests
read-only, decisions without changing the state by hand, refusals that say what to do first, the
identity check by channel, action pages with their context, the list's name column and search."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ijinus_privacy.models import AuditEvent
from requests_dsar import services
from requests_dsar.models import ErasureRecord, ExportJob, IdentityCheck, Request, RequestEvent, Right, State
from tests.factories import DataSubjectFactory, dpo_user, logged_request, support_user
from tests.requests_dsar.documented import search_register_systems

pytestmark = pytest.mark.django_db

FR = {"accept-language": "fr"}
EN = {"accept-language": "en"}


def _page(client, request, headers=EN) -> str:
    response = client.get(reverse("admin:requests_dsar_request_change", args=[request.pk]), headers=headers)
    assert response.status_code == 200
    return response.text


def _next_step(text: str) -> str:
    return text.split('id="next-step"')[1].split("</div>")[0]


def _force_state(request, state):
    Request.objects.filter(pk=request.pk).update(state=state)
    request.refresh_from_db()


def _with_exports(request, **fields):
    for kind in (ExportJob.Kind.ACCESS_PDF, ExportJob.Kind.ACCESS_JSON):
        ExportJob.objects.create(request=request, subject=request.subject, kind=kind, **fields)


def test_r1_2_the_person_box_names_the_person_as_the_picker_does(client):
    person = DataSubjectFactory(first_names="Claire", last_name="Bouchet", email="claire@exemple.fr", city="Lyon")
    request = logged_request(subject=person)
    client.force_login(support_user())

    page = _page(client, request)

    assert (
        f'<option value="{person.pk}" selected>Claire Bouchet · claire@exemple.fr · Lyon · no role · n° {person.pk}'
        in page
    )


def test_a_received_request_offers_to_verify_identity(client):
    request = logged_request()
    client.force_login(dpo_user())

    step = _next_step(_page(client, request))

    assert 'id="next-step-button"' in step
    assert f"/{request.pk}/act/identity/" in step
    assert "Verify identity" in step


def test_a_callback_waiting_offers_to_record_it(client):
    support = support_user()
    request = logged_request(channel="phone", oral_summary="Demande d'accès par téléphone")
    services.identity_check_start(
        request=request, method=IdentityCheck.Method.PHONE_CALLBACK, doubt_reason="Appel entrant", actor=support
    )
    client.force_login(support)

    step = _next_step(_page(client, request))

    assert f"/{request.pk}/act/identity-callback/" in step
    assert "Record the callback" in step


def test_an_access_request_in_progress_offers_the_exports_then_sending_them_then_closing(client):
    request = logged_request()
    _force_state(request, State.IN_PROGRESS)
    client.force_login(dpo_user())

    assert f"/{request.pk}/act/exports/" in _next_step(_page(client, request))

    _with_exports(request, status=ExportJob.Status.DONE)
    assert f"/{request.pk}/act/sources/" in _next_step(_page(client, request))  # every source searched first

    search_register_systems(request)
    assert f"/{request.pk}/act/send-exports/" in _next_step(_page(client, request))

    now = timezone.now()
    ExportJob.objects.filter(request=request).update(approved_at=now, sent_at=now)
    step = _next_step(_page(client, request))
    assert f"/{request.pk}/act/decide/" in step
    assert "Close: record the decision" in step


def test_an_erasure_awaiting_decision_offers_the_erasure_plan(client):
    request = logged_request(rights=(Right.ERASURE,))
    _force_state(request, State.AWAITING_DECISION)
    client.force_login(dpo_user())

    step = _next_step(_page(client, request))

    assert reverse("admin:requests_dsar_request_erasure_plan", args=[request.pk]) in step


def test_customer_service_sees_the_dpo_step_without_a_button(client):
    request = logged_request(rights=(Right.OTHER,))
    _force_state(request, State.AWAITING_DECISION)
    client.force_login(support_user())

    step = _next_step(_page(client, request))

    assert "Decide" in step
    assert "next-step-button" not in step
    assert "/act/decide/" not in step


def test_a_closed_request_has_no_inputs_but_a_note_and_a_letter_can_be_added(client):
    dpo = dpo_user()
    request = logged_request()
    _force_state(request, State.IN_PROGRESS)
    services.request_decide(
        request=request,
        refusals=[services.ItemRefusal(item=request.items.get(), ground="12_5", justification="Cinquième demande")],
        justification="Demande manifestement excessive",
        actor=dpo,
    )
    client.force_login(dpo)

    text = _page(client, request)

    form = text.split('id="request_form"')[1].split("</form>")[0]
    assert "<textarea" not in form
    assert "<select" not in form
    assert not re.search(r'<input(?![^>]*type="hidden")', form)
    assert "read-only" in text
    assert f"/{request.pk}/act/note/" in text
    assert f"/{request.pk}/act/letter/" in text
    assert f"/{request.pk}/act/decide/" not in text
    response = client.post(
        reverse("admin:requests_dsar_request_change", args=[request.pk]), {"requester_name": "Autre"}
    )
    assert response.status_code == 403


def test_the_dpo_decides_from_in_progress_and_the_steps_are_on_the_timeline(client):
    dpo = dpo_user()
    request = logged_request()
    _force_state(request, State.IN_PROGRESS)
    now = timezone.now()
    _with_exports(request, status=ExportJob.Status.DONE, approved_at=now, sent_at=now)
    client.force_login(dpo)

    response = client.post(
        reverse("admin:requests_dsar_request_act", args=[request.pk, "decide"]),
        {"outcome": "grant", "justification": ""},
        headers=EN,
        follow=True,
    )

    request.refresh_from_db()
    assert request.state == State.COMPLETED
    steps = list(request.events.filter(kind=RequestEvent.Kind.TRANSITION).values_list("from_state", "to_state"))
    assert steps == [(State.IN_PROGRESS, State.AWAITING_DECISION), (State.AWAITING_DECISION, State.COMPLETED)]
    assert AuditEvent.objects.filter(reason=f"{State.IN_PROGRESS}>{State.AWAITING_DECISION}").exists()
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [f"Decision recorded for request #{request.pk}: Completed."]


def test_a_refusal_needs_its_reasons_and_a_ground_but_a_grant_does_not(client):
    request = logged_request(rights=(Right.ACCESS, Right.PORTABILITY))
    _force_state(request, State.AWAITING_DECISION)
    access = request.items.get(right=Right.ACCESS)
    client.force_login(dpo_user())
    url = reverse("admin:requests_dsar_request_act", args=[request.pk, "decide"])

    page = client.get(url, headers=EN).text
    assert "Grant in part: refuse some of the rights asked" in page
    assert "Refuse “" not in page  # the old form read as a refusal of every right
    refused = client.post(url, {"outcome": "refuse", "justification": ""}, headers=EN)
    assert "Write the reasons for the refusal" in refused.text
    assert "Choose the ground for refusing this right." in refused.text

    client.post(
        url,
        {"outcome": "part", "justification": "Données de tiers", f"ground_{access.pk}": "15_4", f"why_{access.pk}": ""},
        headers=EN,
    )
    request.refresh_from_db()
    assert request.state == State.AWAITING_DECISION  # the portability export was never sent: nothing granted
    assert request.decisions.count() == 0


def test_deciding_while_the_clock_is_paused_says_what_to_do_first(client):
    dpo = dpo_user()
    request = logged_request(channel="phone", oral_summary="Appel")
    services.identity_check_start(
        request=request, method=IdentityCheck.Method.PHONE_CALLBACK, doubt_reason="Appel entrant", actor=dpo
    )
    client.force_login(dpo)
    url = reverse("admin:requests_dsar_request_act", args=[request.pk, "decide"])

    page = client.get(url, headers=EN).text
    first = page.split('id="first-step"')[1].split("</p>")[0]
    assert "Record the callback" in first
    assert reverse("admin:requests_dsar_request_act", args=[request.pk, "identity-callback"]) in first

    refused = client.post(url, {"outcome": "refuse", "justification": "x", f"ground_{request.items.get().pk}": "12_5"})
    assert "record the outcome of the identity check or the information received first" in refused.text
    request.refresh_from_db()
    assert request.state == State.AWAITING_INFO


def test_an_erasure_approved_before_identity_is_verified_says_verify_identity_first(client):
    request = logged_request(rights=(Right.ERASURE,))
    client.force_login(dpo_user())
    url = reverse("admin:requests_dsar_request_erasure_plan", args=[request.pk])

    response = client.post(
        url, {"ground": "no_longer_necessary", "justification": "Demande", "confirm": "on"}, headers=EN, follow=True
    )

    messages = [str(message) for message in response.context["messages"]]
    assert any("Verify identity first" in text for text in messages)
    identity = reverse("admin:requests_dsar_request_act", args=[request.pk, "identity"])
    assert any(f'href="{identity}"' in text for text in messages)
    request.refresh_from_db()
    assert request.state == State.RECEIVED
    assert not ErasureRecord.objects.filter(request=request).exists()


def test_a_phone_request_defaults_to_a_callback_and_a_platform_ticket_to_the_session(client):
    phone = logged_request(channel="phone", oral_summary="Appel")
    ticket = logged_request(channel="platform_ticket")
    email = logged_request(channel="email")
    client.force_login(support_user())

    def checked(request) -> str:
        page = client.get(reverse("admin:requests_dsar_request_act", args=[request.pk, "identity"])).text
        return re.search(r'<input[^>]*value="(\w+)"[^>]*checked', page).group(1)

    assert checked(phone) == IdentityCheck.Method.PHONE_CALLBACK
    assert checked(ticket) == IdentityCheck.Method.PLATFORM_SESSION
    assert checked(email) == IdentityCheck.Method.EMAIL_LINK


def test_the_callback_form_shows_the_number_on_file_and_the_person(client):
    support = support_user()
    person = DataSubjectFactory(last_name="Bouchet", first_names="Ginette", phone="06 12 34 56 78")
    request = logged_request(subject=person, channel="phone", oral_summary="Appel")
    services.identity_check_start(
        request=request, method=IdentityCheck.Method.PHONE_CALLBACK, doubt_reason="Appel entrant", actor=support
    )
    client.force_login(support)

    page = client.get(reverse("admin:requests_dsar_request_act", args=[request.pk, "identity-callback"]), headers=EN)

    context = page.text.split('id="action-context"')[1].split("</dl>")[0]
    assert "Number to call (on file)" in context
    assert "06 12 34 56 78" in context
    assert f"Request #{request.pk}" in context
    assert "Ginette BOUCHET" in context
    assert "admin/css/forms.css" in page.text  # the admin's styling


def test_success_messages_say_what_was_done_on_which_request(client):
    support = support_user()
    request = logged_request(channel="phone", oral_summary="Appel")
    started = services.identity_check_start(
        request=request, method=IdentityCheck.Method.PHONE_CALLBACK, doubt_reason="Appel entrant", actor=support
    )
    client.force_login(support)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # the admin's language is the user's, not the browser's

    response = client.post(
        reverse("admin:requests_dsar_request_act", args=[request.pk, "identity-callback"]),
        {"check": started.check.pk, "confirmed": "1"},
        headers=FR,
        follow=True,
    )

    messages = [str(message) for message in response.context["messages"]]
    assert messages == [f"Identité vérifiée pour la demande n° {request.pk} par rappel ; le délai reprend."]
    assert "C'est fait" not in response.text


def test_the_identity_method_column_is_not_a_payment_method_in_french(client):
    dpo = dpo_user()
    request = logged_request()
    services.identity_check_start(
        request=request, method=IdentityCheck.Method.EMAIL_LINK, doubt_reason="Adresse différente", actor=dpo
    )
    client.force_login(dpo)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # the admin's language is the user's, not the browser's

    text = _page(client, request, headers=FR).lower()

    assert "moyen de paiement" not in text
    assert "méthode de vérification" in text


def test_the_list_shows_the_person_and_finds_a_request_by_name(client):
    bouchet = logged_request(subject=DataSubjectFactory(last_name="Bouchet", first_names="Ginette"))
    other = logged_request(subject=DataSubjectFactory(last_name="Lemoine", first_names="Agathe"))
    by_requester = logged_request(requester_name="Paul Bouchetière", requester_email="paul@exemple.fr")
    client.force_login(support_user())
    url = reverse("admin:requests_dsar_request_changelist")

    listed = client.get(url, headers=EN).text
    found = client.get(url, {"q": "bouchet"}, headers=EN).text

    assert "Ginette BOUCHET" in listed
    assert "Agathe LEMOINE" in listed
    assert f"/{bouchet.pk}/change/" in found
    assert f"/{by_requester.pk}/change/" in found
    assert f"/{other.pk}/change/" not in found
