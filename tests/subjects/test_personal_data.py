"""The personal-data source registry: coverage (R3.2.1) and every subjects source's collect/dispose."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation

from ijinus_privacy.personal_data import NOT_PERSONAL_DATA, Disposal, registry
from subjects import models as m
from subjects.sources import SOURCES
from tests import factories as f

pytestmark = pytest.mark.django_db

PERSONAL_DATA_APPS = ("subjects", "consents", "requests_dsar", "retention", "breaches")
DATA_CATEGORIES = {
    "identity",
    "contact",
    "professional",
    "contract",
    "order",
    "billing",
    "payment",
    "promotion",
    "support",
    "navigation",
    "device",
    "geolocation",
    "interests",
    "third_party",
    "request_file",
    "post_mortem",
}


def _holds_subject_data(model) -> bool:
    if model is m.DataSubject:
        return True
    return any(field.many_to_one and field.related_model is m.DataSubject for field in model._meta.concrete_fields)


def test_every_model_linked_to_a_subject_is_covered_by_a_source():
    covered = registry.covered_models()
    uncovered = [
        model._meta.label_lower
        for app_label in PERSONAL_DATA_APPS
        for model in apps.get_app_config(app_label).get_models()
        if not model._meta.proxy
        and _holds_subject_data(model)
        and model not in covered
        and model._meta.label_lower not in NOT_PERSONAL_DATA
    ]

    assert uncovered == [], f"No personal-data source covers {uncovered}; add one or justify in NOT_PERSONAL_DATA"


def test_the_allowlist_names_real_models_with_a_reason():
    for label, reason in NOT_PERSONAL_DATA.items():
        assert apps.get_model(label) is not None
        assert reason.strip()


def test_every_subjects_source_is_registered_with_categories_and_register_entries():
    for source_class in SOURCES:
        source = registry.get(source_class.name)

        assert set(source.categories) <= DATA_CATEGORIES
        assert source.categories
        assert source.register_entries
        assert all(code in {f"P{n:02d}" for n in range(1, 16)} for code in source.register_entries)


def test_interests_are_inferred_and_not_portable():
    source = registry.get("subjects.interests")

    assert source.inferred is True
    assert source.provided_by_subject is False


# --- collect ----------------------------------------------------------------------------------

FACTORY_FOR = {
    "subjects.roles": f.SubjectRoleFactory,
    "subjects.contracts": f.ContractFactory,
    "subjects.orders": f.DeliveryFactory,
    "subjects.invoices": f.PaymentFactory,
    "subjects.promotions": f.PromotionFactory,
    "subjects.tickets": f.TicketFactory,
    "subjects.navigation": f.NavigationFactory,
    "subjects.devices": f.DeviceFactory,
    "subjects.interests": f.InterestFactory,
    "subjects.third_party": f.ThirdPartyFactory,
}


@pytest.mark.parametrize("name", sorted(FACTORY_FOR))
def test_collect_returns_this_subjects_rows_with_labels_and_iso_dates(name):
    subject = f.DataSubjectFactory()
    FACTORY_FOR[name](subject=subject)
    FACTORY_FOR[name]()  # another person's row, never collected

    collected = registry.get(name).collect(subject.pk)

    assert collected.source == name
    assert collected.records
    model_count = len(registry.get(name).models)
    assert len(collected.records) == model_count
    for record in collected.records:
        for key, value in record.items():
            assert key == "record" or key in collected.field_labels
            assert not hasattr(value, "isoformat"), f"{key} is not serialised"


def test_identity_collect_shows_readable_values():
    subject = f.DataSubjectFactory(last_name="Le Goff", kind=m.DataSubject.Kind.CONSUMER)

    with translation.override("en"):
        collected = registry.get("subjects.identity").collect(subject.pk)

    assert collected.records[0]["last_name"] == "Le Goff"
    assert collected.records[0]["kind"] == "Consumer"
    assert collected.field_labels["last_name"] == "last name"


def test_navigation_dates_are_iso_strings():
    record = f.NavigationFactory()

    collected = registry.get("subjects.navigation").collect(record.subject_id)

    assert collected.records[0]["occurred_at"] == "2025-06-01T10:00:00+00:00"


# --- dispose ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FACTORY_FOR))
def test_delete_removes_only_the_given_subjects_rows(name):
    kept = FACTORY_FOR[name]()
    gone = FACTORY_FOR[name]()
    source = registry.get(name)

    changed = source.dispose([gone.subject_id], disposal=Disposal.DELETE)

    assert changed == len(source.models)
    for model in source.models:
        assert not model.objects.filter(subject_id=gone.subject_id).exists()
        assert model.objects.filter(subject_id=kept.subject_id).exists()


def test_anonymise_identity_blanks_every_personal_field_and_keeps_the_row():
    subject = f.DataSubjectFactory(notes="Rappeler mardi", date_of_birth="1980-02-03")
    other = f.DataSubjectFactory()

    changed = registry.get("subjects.identity").dispose([subject.pk], disposal=Disposal.ANONYMISE)

    subject.refresh_from_db()
    assert changed == 1
    for name in ("last_name", "first_names", "email", "phone", "street_address", "city", "organisation", "notes"):
        assert getattr(subject, name) == ""
    assert subject.date_of_birth is None
    other.refresh_from_db()
    assert other.last_name


def test_anonymise_invoices_keeps_the_accounting_figures_but_no_identifier():
    payment = f.PaymentFactory()
    invoice = payment.invoice

    changed = registry.get("subjects.invoices").dispose([invoice.subject_id], disposal=Disposal.ANONYMISE)

    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert changed == 2
    assert invoice.number == f"ANON-{invoice.pk}"
    assert invoice.billing_name == ""
    assert invoice.billing_address == ""
    assert str(invoice.amount) == "1250.00"
    assert payment.payer_reference == ""


def test_anonymise_deliveries_tickets_and_third_party_overwrites_free_text_and_addresses():
    delivery = f.DeliveryFactory()
    ticket = f.TicketFactory(subject=delivery.subject)
    third = f.ThirdPartyFactory(subject=delivery.subject)
    ids = [delivery.subject_id]

    for name in ("subjects.orders", "subjects.tickets", "subjects.third_party"):
        registry.get(name).dispose(ids, disposal=Disposal.ANONYMISE)

    delivery.refresh_from_db()
    ticket.refresh_from_db()
    third.refresh_from_db()
    assert (delivery.street_address, delivery.city, delivery.tracking_number) == ("", "", "")
    assert (ticket.text, ticket.summary) == ("", "")
    assert (third.provided_by_name, third.provided_by_email, third.declaration) == ("", "", "")


def test_anonymise_deletes_rows_that_are_personal_through_and_through():
    record = f.NavigationFactory()
    interest = f.InterestFactory(subject=record.subject)

    registry.get("subjects.navigation").dispose([record.subject_id], disposal=Disposal.ANONYMISE)
    registry.get("subjects.interests").dispose([record.subject_id], disposal=Disposal.ANONYMISE)

    assert not m.NavigationRecord.objects.filter(pk=record.pk).exists()
    assert not m.AssumedInterest.objects.filter(pk=interest.pk).exists()


def test_second_anonymisation_is_harmless():
    subject = f.DataSubjectFactory()
    source = registry.get("subjects.identity")
    source.dispose([subject.pk], disposal=Disposal.ANONYMISE)

    source.dispose([subject.pk], disposal=Disposal.ANONYMISE)

    subject.refresh_from_db()
    assert subject.email == ""


def test_identity_delete_removes_the_subject_and_everything_hanging_on_it():
    delivery = f.DeliveryFactory()

    changed = registry.get("subjects.identity").dispose([delivery.subject_id], disposal=Disposal.DELETE)

    assert changed >= 3
    assert not m.DataSubject.objects.filter(pk=delivery.subject_id).exists()
    assert not m.Order.objects.exists()


def test_dispose_runs_one_statement_per_model(django_assert_max_num_queries):
    payments = [f.PaymentFactory() for _ in range(5)]
    ids = [payment.subject_id for payment in payments]

    with django_assert_max_num_queries(2):
        registry.get("subjects.invoices").dispose(ids, disposal=Disposal.ANONYMISE)
    with django_assert_max_num_queries(2):
        changed = registry.get("subjects.invoices").dispose(ids, disposal=Disposal.DELETE)

    assert changed == 10
