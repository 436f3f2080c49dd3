"""Carrying a request out from its page: rectification, restriction, objection, withdrawal, post-mortem."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from consents.models import ConsentEvent
from requests_dsar import fulfilment
from requests_dsar.models import Request, RequestEvent, Right, State
from subjects.models import Objection, PostMortemDirective, Rectification, Restriction
from tests.factories import dpo_user, logged_request, support_user

pytestmark = pytest.mark.django_db


def _act(request: Request, action: str) -> str:
    return reverse("admin:requests_dsar_request_act", args=[request.pk, action])


def _notes(request: Request) -> list[str]:
    return list(request.events.filter(kind=RequestEvent.Kind.NOTE).values_list("reason", flat=True))


def test_the_request_page_offers_only_the_actions_of_the_rights_asked(client):
    client.force_login(dpo_user())
    request = logged_request(rights=(Right.RECTIFICATION,))

    page = client.get(reverse("admin:requests_dsar_request_change", args=[request.pk]))

    assert _act(request, "rectification") in page.text
    assert _act(request, "restriction") in page.text  # accuracy contested: Art. 18(1)(a)
    assert _act(request, "withdrawal") not in page.text
    assert _act(request, "objection") not in page.text
    assert client.get(_act(request, "withdrawal")).status_code == 404


def test_customer_service_proposes_a_rectification_from_the_request(client):
    client.force_login(support_user())
    request = logged_request(rights=(Right.RECTIFICATION,))

    response = client.post(_act(request, "rectification"), {"field_name": "last_name", "proposed_value": "Martin"})

    assert response.status_code == 302
    proposal = Rectification.objects.get(request=request)
    assert (proposal.field_name, proposal.status) == ("last_name", Rectification.Status.PROPOSED)
    assert _notes(request) == ["Rectification proposed for: last_name."]


def test_only_the_dpo_places_a_restriction(client):
    request = logged_request(rights=(Right.RESTRICTION,))
    client.force_login(support_user())

    assert client.get(_act(request, "restriction")).status_code == 403
    with pytest.raises(PermissionDenied):
        fulfilment.restriction_from_request(request=request, ground="18_1_b", actor=support_user())

    client.force_login(dpo_user())
    response = client.post(_act(request, "restriction"), {"ground": Restriction.Ground.UNLAWFUL})

    assert response.status_code == 302
    assert Restriction.objects.get(request=request).ground == Restriction.Ground.UNLAWFUL
    assert _notes(request) == [f"Restriction #{Restriction.objects.get().pk} placed."]


def test_objection_recorded_then_upheld_by_the_dpo_then_granted(client):
    request = logged_request(rights=(Right.OBJECTION,))
    client.force_login(support_user())
    client.post(_act(request, "objection"), {"processing": "P08"})
    objection = Objection.objects.get(request=request)
    assert objection.status == Objection.Status.PENDING
    assert client.get(_act(request, "objection-decide")).status_code == 403

    client.force_login(dpo_user())
    client.post(_act(request, "objection-decide"), {"objection": objection.pk, "upheld": "1"})
    Request.objects.filter(pk=request.pk).update(state=State.AWAITING_DECISION)
    client.post(_act(request, "decide"), {"justification": "Opposition accueillie"})

    objection.refresh_from_db()
    request.refresh_from_db()
    assert objection.status == Objection.Status.UPHELD
    assert request.state == State.COMPLETED
    assert f"Objection #{objection.pk} upheld." in _notes(request)


def test_withdrawal_recorded_from_the_request(client):
    request = logged_request(rights=(Right.CONSENT_WITHDRAWAL,))
    client.force_login(support_user())

    response = client.post(_act(request, "withdrawal"), {"channel": "newsletter_email"})

    assert response.status_code == 302
    event = ConsentEvent.objects.get(subject=request.subject)
    assert (event.action, event.staff_reference) == (ConsentEvent.Action.WITHDRAWN, f"request #{request.pk}")


def test_post_mortem_directive_registered_from_the_request(client):
    request = logged_request(rights=(Right.POST_MORTEM,))
    client.force_login(support_user())

    response = client.post(
        _act(request, "post-mortem"),
        {
            "kind": PostMortemDirective.Kind.PARTICULAR,
            "instruction": PostMortemDirective.Instruction.ERASE,
            "content_summary": "Effacer le compte",
            "specific_consent": "on",
        },
    )

    assert response.status_code == 302
    assert PostMortemDirective.objects.get(request=request).instruction == PostMortemDirective.Instruction.ERASE


def test_the_request_page_shows_the_subjects_restriction_banner(client):
    dpo = dpo_user()
    client.force_login(dpo)
    request = logged_request(rights=(Right.RESTRICTION,))
    url = reverse("admin:requests_dsar_request_change", args=[request.pk])
    assert 'id="restriction-banner"' not in client.get(url).text

    fulfilment.restriction_from_request(request=request, ground=Restriction.Ground.UNLAWFUL, actor=dpo)

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert 'id="restriction-banner"' in page.text
    assert "Restricted (Art. 18)" in page.text
