"""The breach register in the admin: record as customer service, assess, notify and close as the DPO;
the list and the dashboard show the hours left, red when overdue."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from breaches.models import Breach, NotificationPhase
from tests import factories as f

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _record_form(**overrides) -> dict:
    return {
        "title": "Courriel envoyé au mauvais destinataire",
        "discovered_at_0": "10/03/2026",
        "discovered_at_1": "08:00:00",
        "discovered_by": "Service client",
        "aware_at_0": "10/03/2026",
        "aware_at_1": "09:00:00",
        "nature_confidentiality": "on",
        "description": "Une facture a été envoyée à un autre client.",
        "people_estimate": "1",
        **overrides,
    }


def test_r5_2_1_customer_service_records_a_suspected_breach_but_cannot_read_the_register(client):
    client.force_login(f.support_user())

    response = client.post(reverse("admin:breaches_breach_add"), _record_form(), headers={"accept-language": "fr"})

    breach = Breach.objects.get()
    assert response.status_code == 302
    assert (breach.status, breach.created_by_username) == (Breach.Status.OPEN, "support")
    assert breach.aware_at == dt.datetime(2026, 3, 10, 9, 0, tzinfo=PARIS)
    assert breach.reference in client.get(response.url).text  # the confirmation names the breach
    assert client.get(reverse("admin:breaches_breach_changelist")).status_code == 403
    assert client.get(reverse("admin:breaches_breach_change", args=[breach.pk])).status_code == 403
    assert client.get(reverse("admin:breaches_breach_act", args=[breach.pk, "assess"])).status_code == 403


def test_a_breach_without_nature_is_refused_on_the_form(client):
    client.force_login(f.support_user())

    response = client.post(reverse("admin:breaches_breach_add"), _record_form(nature_confidentiality=""))

    assert response.status_code == 200
    assert "at least one" in response.text
    assert not Breach.objects.exists()


def test_the_dpo_assesses_notifies_and_sees_what_is_due(client):
    breach = f.breach(aware_at=NOW - dt.timedelta(hours=5))
    client.force_login(f.dpo_user())
    act = lambda slug: reverse("admin:breaches_breach_act", args=[breach.pk, slug])  # noqa: E731

    page = client.get(reverse("admin:breaches_breach_change", args=[breach.pk]))
    assessed = client.post(
        act("assess"),
        {
            "processing_context": "4",
            "ease_of_identification": "0.75",
            "loss_of_confidentiality": "0.50",
            "loss_of_integrity": "0.00",
            "loss_of_availability": "0.00",
            "reasoning": "Données de santé exposées.",
        },
    )
    after_assessment = client.get(reverse("admin:breaches_breach_change", args=[breach.pk]))
    notified = client.post(
        act("notify"),
        {"kind": "initial", "submitted_at_0": "2026-03-10", "submitted_at_1": "09:30:00", "cnil_reference": "N-1"},
    )

    assert page.status_code == 200
    assert "67 h left" in page.text  # 72 - 5
    assert "/act/assess/" in page.text
    assert assessed.status_code == 302
    assert "CNIL notification and communication to the people (Art. 34)" in after_assessment.text
    assert notified.status_code == 302
    breach.refresh_from_db()
    assert breach.status == Breach.Status.NOTIFIED
    assert breach.phases.get().cnil_reference == "N-1"


def test_a_late_notification_form_asks_for_the_reasons(client):
    breach = f.breach(aware_at=NOW - dt.timedelta(hours=80))
    client.force_login(f.dpo_user())
    url = reverse("admin:breaches_breach_act", args=[breach.pk, "notify"])
    form = {"kind": "initial", "submitted_at_0": "2026-03-10", "submitted_at_1": "09:30:00"}

    refused = client.post(url, form)
    accepted = client.post(url, {**form, "late_reasons": "Prestataire injoignable pendant le week-end."})

    assert refused.status_code == 200
    assert "reasons for the delay" in refused.text
    assert accepted.status_code == 302
    assert NotificationPhase.objects.filter(breach=breach).count() == 1


def test_the_list_shows_overdue_breaches_in_red_and_the_dashboard_too(client):
    overdue = f.breach(aware_at=NOW - dt.timedelta(hours=75))
    running = f.breach(aware_at=NOW - dt.timedelta(hours=10))
    closed = f.breach(aware_at=NOW - dt.timedelta(hours=200))
    dpo = f.dpo_user()
    f.breach_assessed(closed, "low", actor=dpo)
    from breaches.services import breach_close

    breach_close(breach=closed, closure_note="Rien.", actor=dpo)
    client.force_login(dpo)

    listing = client.get(reverse("admin:breaches_breach_changelist"))
    only_overdue = client.get(reverse("admin:breaches_breach_changelist") + "?clock=overdue")
    index = client.get(reverse("admin:index"))

    assert 'class="ij-bad breach-overdue">3 h overdue' in listing.text
    assert "62 h left" in listing.text
    assert overdue.reference in only_overdue.text
    assert running.reference not in only_overdue.text
    assert 'id="dash-breaches"' in index.text
    assert index.text.count('class="breach-row breach-overdue"') == 1
    assert closed.reference not in index.text.split('id="dash-breaches"')[1].split("</table>")[0]


def test_r5_2_1_the_dashboard_panel_is_the_dpos_not_customer_services_nor_the_archivists(client):
    f.breach()
    pages = {}
    for user in (f.dpo_user(), f.support_user(), f.archivist_user()):
        client.force_login(user)
        pages[user.username] = client.get(reverse("admin:index")).text

    assert 'id="dash-breaches"' in pages["dpo"]
    assert 'id="dash-breaches"' not in pages["support"]
    assert 'id="dash-breaches"' not in pages["archivist"]


def test_people_are_added_by_import_on_the_breach_page(client):
    breach = f.breach()
    person = f.DataSubjectFactory(email="paul.durand@exemple.fr")
    client.force_login(f.dpo_user())

    response = client.post(
        reverse("admin:breaches_breach_act", args=[breach.pk, "affected-import"]),
        {"emails": "paul.durand@exemple.fr\ninconnu@exemple.fr"},
        follow=True,
    )

    assert "1 person(s) added, 0 already linked, 1 address(es) matching nobody" in response.text
    assert list(breach.affected.values_list("subject_id", flat=True)) == [person.pk]


def test_the_breach_register_is_never_deleted_in_the_admin(client):
    breach = f.breach()
    client.force_login(f.dpo_user())

    assert client.get(reverse("admin:breaches_breach_delete", args=[breach.pk])).status_code == 403
