"""Texts written by staff are shown as written, marked with their language when the page is in
another one (issue 16): a decision written in the French admin, read in the English one."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from requests_dsar import services
from requests_dsar.models import Decision, Request, RequestEvent, State
from tests.factories import dpo_user, logged_request

pytestmark = pytest.mark.django_db


def _page(client, request, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("admin:requests_dsar_request_change", args=[request.pk]))
    assert response.status_code == 200
    return response.text


def _refused_in_french():
    request = logged_request()
    Request.objects.filter(pk=request.pk).update(state=State.IN_PROGRESS)
    request.refresh_from_db()
    with translation.override("fr"):  # the DPO's admin is in French
        services.request_decide(
            request=request,
            refusals=[services.ItemRefusal(item=request.items.get(), ground="12_5", justification="Cinquième demande")],
            justification="Demande manifestement excessive",
            actor=dpo_user(),
        )
    return request


def test_a_decision_written_in_french_is_marked_fr_on_the_english_page(client):
    request = _refused_in_french()
    client.force_login(dpo_user())

    english = _page(client, request, "en")

    assert Decision.objects.filter(request=request).values_list("written_in", flat=True).distinct().get() == "fr"
    assert '<span lang="fr">Cinquième demande</span> <abbr class="ij-lang" title="Written in French">FR</abbr>' in (
        english
    )


def test_on_a_page_in_the_same_language_the_text_carries_no_mark(client):
    request = _refused_in_french()
    client.force_login(dpo_user())

    french = _page(client, request, "fr")

    assert "Cinquième demande" in french
    assert 'class="ij-lang"' not in french


def test_a_note_added_in_the_english_admin_is_marked_en_on_the_french_page(client):
    request = logged_request()
    client.force_login(dpo_user())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(
        reverse("admin:requests_dsar_request_act", args=[request.pk, "note"]),
        {"text": "Called back the requester: no answer.\nWill try again tomorrow."},
    )

    assert response.status_code == 302
    note = RequestEvent.objects.get(request=request, kind=RequestEvent.Kind.NOTE)
    assert note.written_in == "en"
    french = _page(client, request, "fr")
    assert (
        '<span lang="en">Called back the requester: no answer.<br>Will try again tomorrow.</span> '
        '<abbr class="ij-lang" title="Rédigé en anglais">EN</abbr>'
    ) in french
