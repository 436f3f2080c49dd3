"""Restriction in the admin: the banner on every page of the subject (R1.11.2), refused saves, lifting."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from subjects.models import DataSubject, Rectification, Restriction
from subjects.services.restriction import is_restricted, restriction_place
from tests import factories as f
from tests.factories import dpo_user, support_user

pytestmark = pytest.mark.django_db

BANNER = 'id="restriction-banner"'


def test_the_banner_shows_on_the_subject_page_and_on_a_child_record_page(client):
    ticket = f.TicketFactory()
    other = f.TicketFactory()
    restriction_place(subject=ticket.subject, ground=Restriction.Ground.UNLAWFUL, actor=None)
    client.force_login(support_user())

    subject_page = client.get(reverse("admin:subjects_datasubject_change", args=[ticket.subject_id]))
    ticket_page = client.get(reverse("admin:subjects_supportticket_change", args=[ticket.pk]))
    other_page = client.get(reverse("admin:subjects_supportticket_change", args=[other.pk]))

    assert subject_page.status_code == ticket_page.status_code == 200
    assert BANNER in subject_page.text
    assert "Art. 18(1)(b)" in subject_page.text
    assert BANNER in ticket_page.text
    assert BANNER not in other_page.text


def test_saving_a_restricted_subject_in_the_admin_is_refused_with_a_message(client):
    subject = f.DataSubjectFactory(city="Lorient")
    restriction_place(subject=subject, ground=Restriction.Ground.UNLAWFUL, actor=None)
    client.force_login(support_user())
    url = reverse("admin:subjects_datasubject_change", args=[subject.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"city": "Brest", "kind": subject.kind, "language": subject.language, "country": "FR"})
    for prefix in ("roles", "contracts", "orders", "deliveries", "invoices", "payments", "promotions", "tickets",
                   "devices", "interests", "third_party_data"):  # fmt: skip
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})

    response = client.post(url, data, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert "Record an Art. 18(2) override for changes" in response.text
    assert DataSubject.objects.get(pk=subject.pk).city == "Lorient"


def test_dpo_places_and_lifts_a_restriction_in_the_admin_only_with_a_notice(client):
    subject = f.DataSubjectFactory()
    client.force_login(dpo_user())

    client.post(
        reverse("admin:subjects_restriction_add"),
        {"subject": subject.pk, "ground": Restriction.Ground.LEGAL_CLAIMS, "scope": "subject", "categories": "[]",
         "records": "[]", "requested_by_subject": "on"},
    )  # fmt: skip
    restriction = Restriction.objects.get(subject=subject)
    url = reverse("admin:subjects_restriction_change", args=[restriction.pk])
    inline = {"overrides-TOTAL_FORMS": 0, "overrides-INITIAL_FORMS": 0}
    refused = client.post(url, {"lift_notice": "Levée annoncée.", "lift_notice_sent_on": "", **inline})
    still = is_restricted(subject.pk)
    client.post(url, {"lift_notice": "Levée annoncée par courrier.", "lift_notice_sent_on": "2026-11-20", **inline})

    assert refused.status_code == 200  # the form comes back with its error
    assert still
    assert not is_restricted(subject.pk)
    assert Restriction.objects.get(pk=restriction.pk).lift_notice_sent_on == date(2026, 11, 20)


def test_a_contested_rectification_offers_the_restriction_in_the_admin(client):
    subject = f.DataSubjectFactory()
    client.force_login(dpo_user())

    response = client.post(
        reverse("admin:subjects_rectification_add"),
        {"subject": subject.pk, "field_name": "city", "proposed_value": "Brest", "accuracy_contested": "on"},
        follow=True,
    )
    proposal = Rectification.objects.get(subject=subject)
    client.post(
        reverse("admin:subjects_rectification_changelist"),
        {"action": "restrict", "_selected_action": [proposal.pk]},
    )

    assert "Art. 18(1)(a)" in response.text
    assert Restriction.objects.get(subject=subject).ground == Restriction.Ground.ACCURACY_CONTESTED
