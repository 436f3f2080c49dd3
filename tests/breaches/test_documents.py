"""The CNIL notification content: every field of the CNIL online form in its order, on a printable
admin page and as a PDF; what IJINUS does not hold is listed to complete; no person's data in it."""

from __future__ import annotations

import pytest

from breaches import documents
from breaches.models import NotificationPhase, RiskAssessment
from consents.models import Controller
from ijinus_privacy.models import AuditEvent
from tests import factories as f

from .conftest_docs import affect, assess, make_breach, notify, paris, pdf_text

pytestmark = pytest.mark.django_db

CNIL_ORDER = [
    "notification",
    "organisation",
    "contacts",
    "chronology",
    "nature",
    "data",
    "people",
    "consequences",
    "measures",
    "information",
    "cross_border",
]


def fields_of(content: dict) -> dict[str, dict]:
    return {f"{section['key']}.{field['key']}": field for section in content["sections"] for field in section["fields"]}


def test_the_document_follows_the_cnil_form_section_by_section_with_the_breach_values():
    breach = make_breach()
    assess(breach, RiskAssessment.Outcome.RISK)

    content = documents.notification_content(breach, now=paris(2026, 3, 10, 10, 0), language="en")
    values = {key: field["value"] for key, field in fields_of(content).items()}

    assert [section["key"] for section in content["sections"]] == CNIL_ORDER
    assert content["reference"] == breach.reference
    assert values["notification.kind"].startswith("Initial notification")
    assert values["organisation.name"].startswith("IJINUS SAS")
    assert values["organisation.siren"] == "449152644"
    assert values["contacts.dpo_email"] == "gdpr@ijinus.com"
    assert values["chronology.aware_at"] == "09/03/2026 15:00"
    assert values["chronology.due_at"] == "12/03/2026 15:00 (CET)"
    assert values["nature.nature"] == "Loss of confidentiality (data disclosed or accessed without authorisation)"
    assert values["data.categories"] == "Contact details\nIdentity"
    assert values["data.sensitive"] == "no"
    assert values["data.records"] == "250"
    assert values["data.activities"] == "P03 — Gestion des clients (vente/location de capteurs)"
    assert values["people.people"] == "240"
    assert values["consequences.consequences"] == breach.consequences
    assert values["consequences.severity"].startswith("medium — ENISA score 2.50")
    assert values["measures.measures_taken"] == breach.measures_taken
    assert values["information.required"] == "No: the risk to the people is not high (Art. 34(1))"


def test_what_ijinus_does_not_hold_is_listed_to_complete_before_submitting():
    breach = make_breach()

    content = documents.notification_content(breach, now=paris(2026, 3, 10, 10, 0), language="en")

    assert "3. Contacts — Legal representative of the organisation (name, position)" in content["to_complete"]
    assert "2. Organisation (the controller) — Sector of activity" in content["to_complete"]
    assert "4. Chronology — Start of the breach (date and time, or 'unknown')" in content["to_complete"]
    assert "8. Likely consequences (Art. 33(3)(c)) — Estimated severity" in content["to_complete"]  # not assessed
    assert not [item for item in content["to_complete"] if "Measures taken" in item]


def test_the_dpo_contact_comes_from_the_controller_record():
    Controller.objects.filter(pk=1).update(dpo_name="Camille Martin", dpo_email="dpo@ijinus.example")
    breach = make_breach()

    values = fields_of(documents.notification_content(breach, language="en"))

    assert values["contacts.dpo_name"]["value"] == "Camille Martin"
    assert values["contacts.dpo_email"]["value"] == "dpo@ijinus.example"
    assert values["contacts.contact"]["value"] == "The data protection officer, above"


def test_the_reasons_for_the_delay_are_asked_only_when_the_72_hours_are_past():
    breach = make_breach(aware_at=paris(2026, 3, 9, 15, 0))

    in_time = fields_of(documents.notification_content(breach, now=paris(2026, 3, 12, 14, 59), language="en"))
    late = fields_of(documents.notification_content(breach, now=paris(2026, 3, 12, 15, 1), language="en"))

    assert "chronology.late_reasons" not in in_time
    assert late["chronology.late_reasons"]["missing"] is True


def test_a_late_first_notification_shows_its_reasons_and_the_phases_made():
    breach = make_breach(aware_at=paris(2026, 3, 2, 9, 0), late_reasons="Prestataire injoignable le week-end.")
    notify(breach, paris(2026, 3, 6, 11, 0), reference="NOTIF-0001")

    values = fields_of(documents.notification_content(breach, now=paris(2026, 3, 10, 10, 0), language="en"))

    assert values["chronology.late_reasons"]["value"] == "Prestataire injoignable le week-end."
    assert values["notification.kind"]["value"].startswith("Complementary notification (Art. 33(4))")
    assert values["notification.previous"]["value"] == (
        "initial notification — 06/03/2026 11:00 — CNIL reference NOTIF-0001"
    )


def test_sensitive_categories_and_people_in_other_member_states_are_shown_as_counts_only():
    breach = make_breach(categories=("identity", "contact"))
    breach.data_categories.filter(code="identity").update(sensitive=True)
    german = f.DataSubjectFactory(country="DE", last_name="Schneider")
    affect(breach, german, f.DataSubjectFactory(country="FR"))

    content = documents.notification_content(breach, language="en")
    values = fields_of(content)

    assert values["data.sensitive"]["value"] == "yes"
    assert "Identity (sensitive data, Art. 9/10)" in values["data.categories"]["value"]
    assert values["people.people_identified"]["value"] == "2"
    assert values["cross_border.other_countries"]["value"] == "DE: 1"
    assert values["cross_border.other_authorities"]["missing"] is True
    assert "Schneider" not in str(content)
    assert german.email not in str(content)


def test_the_french_document_uses_french_labels_and_category_names():
    breach = make_breach()

    content = documents.notification_content(breach, language="fr")
    values = fields_of(content)

    assert content["sections"][0]["title"] == "1. Notification"
    assert values["data.categories"]["label"] == "Catégories de données personnelles concernées"
    assert "Identité (nom, prénoms, date de naissance)" in values["data.categories"]["value"]


def test_the_dpo_reads_the_document_in_the_admin_and_prints_it(client):
    client.force_login(f.dpo_user())
    breach = make_breach()

    page = client.get(f"/admin/breaches/breach/{breach.pk}/cnil/?lang=en")

    assert page.status_code == 200
    html = page.content.decode()
    assert "5. Nature of the breach and circumstances (Art. 33(3)(a))" in html
    assert breach.description in html
    assert "to complete" in html
    assert f"/admin/breaches/breach/{breach.pk}/cnil/pdf/?lang=en" in html


def test_the_pdf_carries_every_section_and_the_export_is_audited(client):
    client.force_login(f.dpo_user())
    breach = make_breach()
    assess(breach)

    response = client.get(f"/admin/breaches/breach/{breach.pk}/cnil/pdf/?lang=en")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert breach.reference in text
    assert "Notification of a personal-data breach to the CNIL" in text
    assert "11. Cross-border aspects" in text
    assert "gdpr@ijinus.com" in text
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_id=str(breach.pk)).get()
    assert event.actor_username == "dpo"


def test_a_submitted_phase_prints_as_it_was_submitted(client):
    client.force_login(f.dpo_user())
    breach = make_breach()
    snapshot = documents.notification_content(breach, language="en")
    phase = notify(breach, paris(2026, 3, 10, 9, 0), content=snapshot)
    breach.description = "Description complétée après la notification initiale."
    breach.save()

    page = client.get(f"/admin/breaches/breach/{breach.pk}/cnil/?phase={phase.pk}").content.decode()
    now = client.get(f"/admin/breaches/breach/{breach.pk}/cnil/?lang=en").content.decode()

    assert "Un export du CRM a été envoyé par erreur" in page
    assert "Description complétée" not in page
    assert "Description complétée" in now


def test_r5_2_1_the_dpo_reads_the_document_customer_service_and_the_archivist_may_not(client):
    breach = make_breach()
    client.force_login(f.dpo_user())
    assert client.get(f"/admin/breaches/breach/{breach.pk}/cnil/").status_code == 200
    for user in (f.support_user(), f.archivist_user()):
        client.force_login(user)
        assert client.get(f"/admin/breaches/breach/{breach.pk}/cnil/").status_code == 403
        assert client.get(f"/admin/breaches/breach/{breach.pk}/cnil/pdf/").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_id=str(breach.pk)).exists()


def test_the_breach_page_offers_the_document_buttons_by_permission(client):
    breach = make_breach()
    client.force_login(f.dpo_user())
    dpo_tools = {
        str(title): url
        for url, title in client.get(f"/admin/breaches/breach/{breach.pk}/change/").context["breach_document_tools"]
    }

    assert list(dpo_tools) == ["CNIL notification", "Send the letters", "Public communication", "Letters"]
    assert dpo_tools["Send the letters"] == f"/admin/breaches/breach/{breach.pk}/letters/send/"


def test_an_unknown_phase_is_not_found(client):
    client.force_login(f.dpo_user())
    breach = make_breach()
    other = notify(make_breach(), paris(2026, 3, 10, 9, 0), kind=NotificationPhase.Kind.COMPLETE)

    assert client.get(f"/admin/breaches/breach/{breach.pk}/cnil/?phase={other.pk}").status_code == 404
