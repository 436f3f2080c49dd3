"""Register admin: the DPO changes through the services and exports; customer service only views."""

import pytest
from django.urls import reverse

from consents.models import ProcessingActivity, RegisterVersion
from ijinus_privacy.models import AuditEvent
from tests.factories import dpo_user, support_user

pytestmark = pytest.mark.django_db


def change_url(activity):
    return reverse("admin:consents_processingactivity_change", args=[activity.pk])


def inline_management(activity) -> dict:
    data = {}
    purposes = list(activity.purposes.order_by("position", "id"))
    data.update({"purposes-TOTAL_FORMS": len(purposes), "purposes-INITIAL_FORMS": len(purposes)})
    for i, purpose in enumerate(purposes):
        data.update(
            {
                f"purposes-{i}-id": purpose.pk,
                f"purposes-{i}-activity": activity.pk,
                f"purposes-{i}-description": purpose.description,
                f"purposes-{i}-legal_basis": purpose.legal_basis,
                f"purposes-{i}-legal_basis_detail": purpose.legal_basis_detail,
                f"purposes-{i}-balancing_test_reference": purpose.balancing_test_reference,
            }
        )
    links = list(activity.data_category_links.order_by("category__code"))
    data.update({"data_category_links-TOTAL_FORMS": len(links), "data_category_links-INITIAL_FORMS": len(links)})
    for i, link in enumerate(links):
        data.update(
            {
                f"data_category_links-{i}-id": link.pk,
                f"data_category_links-{i}-activity": activity.pk,
                f"data_category_links-{i}-category": link.category_id,
                f"data_category_links-{i}-retention": link.retention,
            }
        )
    return data


def form_data(activity, **overrides) -> dict:
    data = {
        field: getattr(activity, field)
        for field in (
            "name",
            "name_fr",
            "description",
            "status",
            "controller_role",
            "joint_controllers",
            "transfers_outside_eu",
            "transfer_notes",
            "retention",
            "security_notes",
            "data_source",
            "software",
            "dpia_needed",
            "dpia_reference",
            "notice_reference",
            "open_questions",
        )
    }
    data["subject_categories"] = list(activity.subject_categories.values_list("pk", flat=True))
    data["recipients"] = list(activity.recipients.values_list("pk", flat=True))
    data["security_measures"] = list(activity.security_measures.values_list("pk", flat=True))
    data.update(inline_management(activity))
    data.update(overrides)
    return data


def test_changelist_shows_completeness_and_filters(client, django_assert_max_num_queries):
    client.force_login(dpo_user())

    with django_assert_max_num_queries(20):
        response = client.get(reverse("admin:consents_processingactivity_changelist"))
    incomplete = client.get(reverse("admin:consents_processingactivity_changelist"), {"complete": "no"})
    consent = client.get(reverse("admin:consents_processingactivity_changelist"), {"legal_basis": "a"})

    assert response.status_code == 200
    assert "Art. 30(1) complete" in response.text
    assert "Export register (PDF)" in response.text
    assert "Answers to authorities" in incomplete.text
    assert "Register of personal-data breaches" not in incomplete.text
    assert "Newsletter" in consent.text
    assert "Accounting and invoicing" not in consent.text


def test_change_page_shows_missing_fields_and_history(client):
    client.force_login(dpo_user())
    activity = ProcessingActivity.objects.get(code="P14")

    response = client.get(change_url(activity))

    assert response.status_code == 200
    assert "Missing mandatory Art. 30(1) fields" in response.text
    assert "retention (f)" in response.text
    assert "Seeded from the privacy policy" in response.text


def test_dpo_change_through_admin_creates_one_version_with_reason(client):
    client.force_login(dpo_user())
    activity = ProcessingActivity.objects.get(code="P07")

    seeded_software = activity.software
    before = activity.version

    response = client.post(change_url(activity), form_data(activity, software="Brevo", change_reason="Tool identified"))

    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.software == "Brevo"
    version = RegisterVersion.objects.for_object(activity).get(version=before + 1)
    assert version.reason == "Tool identified"
    assert version.changed_by_username == "dpo"
    assert version.previous_state["software"] == seeded_software
    assert version.changed_fields == ["software", "version"]


def test_admin_refuses_to_validate_an_incomplete_entry(client):
    client.force_login(dpo_user())
    activity = ProcessingActivity.objects.get(code="P14")
    versions = RegisterVersion.objects.for_object(activity).count()

    by_form = client.post(change_url(activity), form_data(activity, status="validated"), follow=True)
    by_action = client.post(
        reverse("admin:consents_processingactivity_changelist"),
        {"action": "validate_entries", "_selected_action": [activity.pk]},
        follow=True,
    )

    assert "Select a valid choice" in by_form.text  # the form no longer offers it: the DPO's step does
    assert "cannot be validated" in by_action.text
    activity.refresh_from_db()
    assert activity.status == ProcessingActivity.Status.TO_REVIEW
    assert RegisterVersion.objects.for_object(activity).count() == versions


def test_customer_service_views_the_register_but_cannot_change_or_export(client):
    client.force_login(support_user())
    activity = ProcessingActivity.objects.get(code="P07")

    assert client.get(reverse("admin:consents_processingactivity_changelist")).status_code == 200
    assert client.get(reverse("admin:consents_recipient_changelist")).status_code == 200
    software = activity.software
    page = client.get(change_url(activity))
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert client.post(change_url(activity), form_data(activity, software="X")).status_code == 403
    assert client.get(reverse("admin:consents_processingactivity_add")).status_code == 403
    assert client.get(reverse("admin:consents_processingactivity_export", args=["pdf"])).status_code == 403
    activity.refresh_from_db()
    assert activity.software == software


def test_dpo_exports_the_register_as_csv_from_the_admin_and_it_is_audited(client):
    client.force_login(dpo_user())

    response = client.get(reverse("admin:consents_processingactivity_export", args=["csv"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert b"P15" in response.content
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("id")
    assert event.actor_username == "dpo"


def test_dpo_adds_an_entry_with_purposes_as_version_one(client):
    from consents.models import DataCategory, SubjectCategory

    client.force_login(dpo_user())
    data = {
        "code": "P17",
        "name": "Trade-fair contacts",
        "status": "draft",
        "controller_role": "controller",
        "transfers_outside_eu": "none",
        "dpia_needed": "no",
        "retention": "3 years",
        "subject_categories": [SubjectCategory.objects.get(code="prospect").pk],
        "purposes-TOTAL_FORMS": 1,
        "purposes-INITIAL_FORMS": 0,
        "purposes-0-description": "Following up trade-fair contacts",
        "purposes-0-legal_basis": "f",
        "data_category_links-TOTAL_FORMS": 1,
        "data_category_links-INITIAL_FORMS": 0,
        "data_category_links-0-category": DataCategory.objects.get(code="contact").pk,
        "data_category_links-0-retention": "3 years",
        "change_reason": "New activity",
    }

    response = client.post(reverse("admin:consents_processingactivity_add"), data)

    assert response.status_code == 302
    activity = ProcessingActivity.objects.get(code="P17")
    assert activity.purposes.get().legal_basis == "f"
    assert activity.data_category_links.get().retention == "3 years"
    version = RegisterVersion.objects.for_object(activity).get()
    assert version.version == 1
    assert version.previous_state is None
    assert version.reason == "New activity"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(activity.pk)).exists()
