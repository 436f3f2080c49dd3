"""Intermediate archive (R4.4.2): out of operational queries, Archivist only, each access with a reason."""

from datetime import date

import pytest
from django.urls import reverse

from ijinus_privacy.models import AuditEvent
from retention.models import ArchivedSubject, active_subjects, exclude_archived
from retention.services import sweep
from subjects.models import DataSubject, SubjectRole
from tests.factories import archivist_user, dpo_user, subject_with_role, support_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived():
    subject = subject_with_role("inactive_client", collected_on=date(2010, 1, 1), contract_end_on=date(2020, 1, 1))
    sweep(now=date(2026, 11, 26), commit=True)
    return ArchivedSubject.objects.get(subject=subject)


def test_archived_subject_leaves_operational_queries(archived):
    active = subject_with_role("prospect", collected_on=date(2026, 1, 1))

    assert list(active_subjects()) == [active]
    assert list(exclude_archived(SubjectRole.objects.all()).values_list("subject_id", flat=True)) == [active.pk]
    assert DataSubject.objects.count() == 2


@pytest.mark.parametrize("make_user", [support_user, dpo_user], ids=["customer service", "DPO"])
def test_customer_service_and_dpo_cannot_see_the_archive(client, archived, make_user):
    client.force_login(make_user())

    listing = client.get(reverse("admin:retention_archivedsubject_changelist"))
    consult = client.post(
        reverse("admin:retention_archivedsubject_consult", args=[archived.pk]), {"reason": "accounting"}
    )

    assert listing.status_code == 403
    assert consult.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ARCHIVE_ACCESS).exists()


def test_archivist_sees_archived_data_only_after_giving_a_reason(client, archived):
    client.force_login(archivist_user())
    url = reverse("admin:retention_archivedsubject_consult", args=[archived.pk])
    subject = archived.subject

    listing = client.get(reverse("admin:retention_archivedsubject_changelist"))
    form = client.get(url)
    refused = client.post(url, {"reason": "curiosity"})
    opened = client.post(url, {"reason": "accounting", "reference": "EXO-2024"})

    assert listing.status_code == 200
    assert form.status_code == 200
    assert subject.email not in form.text
    assert subject.email not in refused.text
    assert subject.email in opened.text
    event = AuditEvent.objects.get(action=AuditEvent.Action.ARCHIVE_ACCESS)
    assert (event.subject_id, event.actor_username, event.reason) == (subject.pk, "archivist", "accounting EXO-2024")
    assert subject.email not in str(vars(event))


def test_archive_rows_cannot_be_added_changed_or_deleted_in_the_admin(admin_client, archived):
    page = admin_client.get(reverse("admin:retention_archivedsubject_change", args=[archived.pk]))

    assert page.status_code == 200
    assert admin_client.post(reverse("admin:retention_archivedsubject_delete", args=[archived.pk])).status_code == 403


@pytest.mark.parametrize("make_user", [support_user, dpo_user], ids=["customer service", "DPO"])
def test_archived_subject_is_gone_from_the_subjects_admin(client, archived, make_user):
    active = subject_with_role("prospect", collected_on=date(2026, 1, 1))
    client.force_login(make_user())

    listing = client.get(reverse("admin:subjects_datasubject_changelist"))
    search = client.get(reverse("admin:subjects_datasubject_changelist"), {"q": archived.subject.email})
    page = client.get(reverse("admin:subjects_datasubject_change", args=[archived.subject_id]))

    assert listing.status_code == 200
    assert active.email in listing.text
    assert archived.subject.email not in listing.text
    assert list(search.context["cl"].result_list) == []
    assert page.status_code == 302  # "does not exist": redirected to the admin index


# --- Opening the archive needs a reason chosen on purpose (issue 12, item 19) --------------------


def test_consult_form_preselects_no_reason_and_refuses_a_missing_one(client, archived):
    client.force_login(archivist_user())
    url = reverse("admin:retention_archivedsubject_consult", args=[archived.pk])

    form = client.get(url)
    refused = client.post(url, {"reason": "", "reference": ""})

    assert form.context["form"]["reason"].value() in (None, "")
    assert '<option value="" selected>— choose a reason —</option>' in form.text
    assert refused.status_code == 200
    assert "reason" in refused.context["form"].errors
    assert archived.subject.email not in refused.text
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ARCHIVE_ACCESS).exists()


@pytest.mark.parametrize("reason", ["dispute", "authority", "subject_request"])
def test_reasons_that_name_a_file_need_its_number(client, archived, reason):
    client.force_login(archivist_user())
    url = reverse("admin:retention_archivedsubject_consult", args=[archived.pk])

    refused = client.post(url, {"reason": reason, "reference": ""})
    opened = client.post(url, {"reason": reason, "reference": "RG-24/0815"})

    assert "reference" in refused.context["form"].errors
    assert archived.subject.email not in refused.text
    assert archived.subject.email in opened.text
    event = AuditEvent.objects.get(action=AuditEvent.Action.ARCHIVE_ACCESS)
    assert event.reason == f"{reason} RG-24/0815"


def test_the_service_refuses_a_missing_reason_or_file_number_too(archived):
    from django.core.exceptions import ValidationError

    from retention.services import archive_consult

    archivist = archivist_user()
    with pytest.raises(ValidationError):
        archive_consult(archived=archived, reason="", reference="", actor=archivist)
    with pytest.raises(ValidationError):
        archive_consult(archived=archived, reason="dispute", reference="", actor=archivist)

    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ARCHIVE_ACCESS).exists()


def test_records_kept_after_an_erasure_open_only_with_a_reason(client):
    from requests_dsar.erasure.services import erasure_execute
    from requests_dsar.models import ErasureKeep
    from tests.factories import client_to_erase, erasure_request

    dpo = dpo_user()
    erasure_execute(
        request=erasure_request(client_to_erase(), actor=dpo), ground="17_1_a", justification="ok", actor=dpo
    )
    kept = ErasureKeep.objects.filter(record_type="subjects.invoice").first() or ErasureKeep.objects.first()
    secret = next(value for value in kept.payload.values() if isinstance(value, str) and len(value) > 4)
    url = reverse("admin:requests_dsar_erasurekeep_change", args=[kept.pk])
    client.force_login(dpo)
    dpo_status = client.get(url).status_code
    client.force_login(archivist_user())

    form = client.get(url)
    refused = client.post(url, {"reason": ""})
    opened = client.post(url, {"reason": "accounting", "reference": ""})

    assert dpo_status == 403
    assert form.status_code == 200
    assert secret not in form.text
    assert secret not in refused.text
    assert secret in opened.text
    event = AuditEvent.objects.get(action=AuditEvent.Action.ARCHIVE_ACCESS)
    assert (event.object_type, event.object_id, event.actor_username, event.reason) == (
        "requests_dsar.erasurekeep",
        str(kept.pk),
        "archivist",
        "accounting",
    )


# --- Archived people are visible to the archivist only, through the archive (items 14, 19) -------


@pytest.fixture
def archived_with_data(archived):
    from tests import factories as sf

    subject = archived.subject
    invoice = sf.InvoiceFactory(subject=subject, number="F-ARCH-0001")
    sf.PaymentFactory(subject=subject, invoice=invoice)
    sf.ContractFactory(subject=subject, reference="C-ARCH-01")
    sf.DeliveryFactory(subject=subject, street_address="7 impasse des Archives")
    sf.TicketFactory(subject=subject, summary="Ticket archivé")
    sf.NavigationFactory(subject=subject, ip_address="198.51.100.77")
    sf.DeviceFactory(subject=subject)
    return archived


ACTIVE_ADMIN_LISTS = [
    "subjectrole",
    "contract",
    "order",
    "delivery",
    "invoice",
    "payment",
    "supportticket",
    "navigationrecord",
    "mobiledevice",
]


@pytest.mark.parametrize("make_user", [support_user, dpo_user], ids=["customer service", "DPO"])
def test_an_archived_persons_data_is_gone_from_the_active_admin(client, archived_with_data, make_user):
    from tests import factories as sf

    active_invoice = sf.InvoiceFactory(number="F-ACTIVE-01")
    archived_invoice = archived_with_data.subject.invoices.get()
    client.force_login(make_user())

    for model_name in ACTIVE_ADMIN_LISTS:
        listing = client.get(reverse(f"admin:subjects_{model_name}_changelist"))
        shown = {row.subject_id for row in listing.context["cl"].result_list}
        assert archived_with_data.subject_id not in shown, model_name
    invoices = client.get(reverse("admin:subjects_invoice_changelist"))
    page = client.get(reverse("admin:subjects_invoice_change", args=[archived_invoice.pk]))
    deliveries = client.get(reverse("admin:subjects_delivery_changelist"))

    assert active_invoice.number in invoices.text
    assert "F-ARCH-0001" not in invoices.text
    assert page.status_code == 302  # "does not exist": nothing read, no view event
    assert "7 impasse des Archives" not in deliveries.text
    assert not AuditEvent.objects.filter(subject_id=archived_with_data.subject_id, action="view").exists()


def test_the_archivist_reaches_an_archived_persons_data_through_the_archive_only(client, archived_with_data):
    client.force_login(archivist_user())
    subject = archived_with_data.subject

    people = client.get(reverse("admin:subjects_datasubject_changelist"))
    invoices = client.get(reverse("admin:subjects_invoice_changelist"))
    opened = client.post(
        reverse("admin:retention_archivedsubject_consult", args=[archived_with_data.pk]),
        {"reason": "accounting", "reference": "EXO-2024"},
    )

    assert (people.status_code, invoices.status_code) == (403, 403)
    assert "F-ARCH-0001" in opened.text
    assert "7 impasse des Archives" in opened.text
    assert "198.51.100.77" in opened.text
    event = AuditEvent.objects.get(action=AuditEvent.Action.ARCHIVE_ACCESS)
    assert (event.subject_id, event.actor_username) == (subject.pk, "archivist")


def test_every_admin_of_data_hanging_on_a_person_leaves_archived_people_out():
    """A new model linked to a person must get ActiveSubjectsOnlyMixin on its admin (or a reason here)."""
    from django.contrib import admin

    from ijinus_privacy.admin import ActiveSubjectsOnlyMixin

    # The archive itself; legal holds (the DPO keeps a hold on an archived person under review, the
    # list shows ids only); requests (a request from an archived person is still answered on time).
    exempt = {"retention.archivedsubject", "retention.legalhold", "requests_dsar.request", "requests_dsar.exportjob"}
    missing = [
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if any(
            field.is_relation and field.related_model is DataSubject and not field.auto_created
            for field in model._meta.get_fields()
        )
        and model._meta.label_lower not in exempt
        and not isinstance(model_admin, ActiveSubjectsOnlyMixin)
    ]

    assert missing == []
