"""Subject admin per role: customer service views, adds and changes; only the DPO deletes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ijinus_privacy.models import AuditEvent
from subjects.models import Contract, DataSubject, Invoice, Payment, SubjectRole
from tests import factories as f
from tests.factories import dpo_user, support_user

pytestmark = pytest.mark.django_db


def test_customer_service_opens_the_subject_page_with_its_sections(client):
    ticket = f.TicketFactory()
    f.PaymentFactory(subject=ticket.subject)
    f.SubjectRoleFactory(subject=ticket.subject)
    client.force_login(support_user())

    response = client.get(reverse("admin:subjects_datasubject_change", args=[ticket.subject_id]))

    assert response.status_code == 200
    assert "Customer-service tickets" in response.text
    assert "Invoices (kept 10 years" in response.text
    assert "Roles held at once" in response.text


def test_customer_service_cannot_delete_a_subject(client):
    subject = f.DataSubjectFactory()
    client.force_login(support_user())

    page = client.get(reverse("admin:subjects_datasubject_delete", args=[subject.pk]))
    action = client.post(
        reverse("admin:subjects_datasubject_changelist"),
        {"action": "delete_subjects", "_selected_action": [subject.pk]},
    )
    changelist = client.get(reverse("admin:subjects_datasubject_changelist"))

    assert page.status_code == 403
    assert action.status_code in (200, 302)
    assert DataSubject.objects.filter(pk=subject.pk).exists()
    assert "delete_selected" not in changelist.text
    assert "delete_subjects" not in changelist.text


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (DataSubject, SubjectRole, Contract, Invoice, Payment)}


def test_dpo_cannot_hard_delete_a_person_single_or_bulk(client):
    """A person goes only through the erasure workflow (Art. 17): invoices kept, proof written."""
    invoice = f.InvoiceFactory()
    subject = invoice.subject
    f.PaymentFactory(subject=subject, invoice=invoice)
    f.ContractFactory(subject=subject)
    f.SubjectRoleFactory(subject=subject)
    client.force_login(dpo_user())
    before = _counts()

    page = client.get(reverse("admin:subjects_datasubject_delete", args=[subject.pk]))
    confirmed = client.post(reverse("admin:subjects_datasubject_delete", args=[subject.pk]), {"post": "yes"})
    bulk = client.post(
        reverse("admin:subjects_datasubject_changelist"),
        {"action": "delete_selected", "_selected_action": [subject.pk], "post": "yes"},
    )
    change = client.get(reverse("admin:subjects_datasubject_change", args=[subject.pk]))
    changelist = client.get(reverse("admin:subjects_datasubject_changelist"))

    assert (page.status_code, confirmed.status_code) == (403, 403)
    assert bulk.status_code in (200, 302)
    assert _counts() == before
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DELETE).exists()
    assert "delete_selected" not in changelist.text
    assert reverse("admin:subjects_datasubject_delete", args=[subject.pk]) not in change.text
    assert "Erase through a request" in change.text
    assert reverse("admin:requests_dsar_request_add") + f"?subject={subject.pk}" in change.text


@pytest.mark.parametrize("model", [DataSubject, SubjectRole, Contract, Invoice, Payment], ids=lambda m: m.__name__)
def test_records_under_a_legal_keep_have_no_delete_page_for_the_dpo(client, model):
    invoice = f.InvoiceFactory()
    f.PaymentFactory(subject=invoice.subject, invoice=invoice)
    f.ContractFactory(subject=invoice.subject)
    f.SubjectRoleFactory(subject=invoice.subject)
    row = model.objects.first()
    client.force_login(dpo_user())
    before = model.objects.count()

    response = client.post(reverse(f"admin:subjects_{model._meta.model_name}_delete", args=[row.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert model.objects.count() == before


def test_roles_and_contracts_cannot_be_deleted_from_the_subject_page(client):
    role = f.SubjectRoleFactory()
    client.force_login(dpo_user())

    page = client.get(reverse("admin:subjects_datasubject_change", args=[role.subject_id]))

    assert page.status_code == 200
    inlines = {formset.formset.prefix: formset.formset.can_delete for formset in page.context["inline_admin_formsets"]}
    assert inlines["roles"] is False
    assert inlines["contracts"] is False


def test_customer_service_adds_a_subject_through_the_service(client):
    client.force_login(support_user())

    response = client.post(
        reverse("admin:subjects_datasubject_add"),
        {
            "kind": "consumer",
            "last_name": "Guével",
            "email": "Anne.Guevel@Exemple.fr",
            "language": "fr",
            "country": "FR",
            "notes": "Client en arrêt maladie.",
            **{f"{prefix}-TOTAL_FORMS": "0" for prefix in _inline_prefixes()},
            **{f"{prefix}-INITIAL_FORMS": "0" for prefix in _inline_prefixes()},
        },
    )

    assert response.status_code == 302, response.text[-2000:]
    subject = DataSubject.objects.get()
    assert subject.email == "anne.guevel@exemple.fr"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, subject_id=subject.pk).exists()
    assert subject.sensitive_flags.filter(field_name="notes").exists()


def _inline_prefixes() -> list[str]:
    return [
        "roles",
        "contracts",
        "orders",
        "deliveries",
        "invoices",
        "payments",
        "promotions",
        "tickets",
        "devices",
        "interests",
        "third_party_data",
    ]


def test_search_by_exact_email_is_case_insensitive(client):
    subject = f.DataSubjectFactory(email="anne@exemple.fr")
    f.DataSubjectFactory(email="other@exemple.fr")
    client.force_login(support_user())

    response = client.get(reverse("admin:subjects_datasubject_changelist"), {"q": "ANNE@exemple.fr"})

    assert list(response.context["cl"].result_list) == [subject]


def test_role_filter(client):
    prospect = f.SubjectRoleFactory(role=SubjectRole.Role.PROSPECT).subject
    f.SubjectRoleFactory(role=SubjectRole.Role.NEWSLETTER)
    client.force_login(support_user())

    response = client.get(reverse("admin:subjects_datasubject_changelist"), {"role": "prospect"})

    assert list(response.context["cl"].result_list) == [prospect]


def test_changelist_query_budget(client, django_assert_max_num_queries):
    for _ in range(5):
        f.SubjectRoleFactory()
    client.force_login(dpo_user())
    client.get(reverse("admin:subjects_datasubject_changelist"))

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:subjects_datasubject_changelist"))

    assert response.status_code == 200
