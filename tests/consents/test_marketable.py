"""marketable(): every basis, every exclusion (R2.6, R1.13.3, R1.15.3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from consents import selectors, services
from consents.models import Channel, MarketingBasis, ProductFamilyAnalogy, Suppression
from ijinus_privacy import conditions
from subjects import services as subject_services
from subjects.models import DataSubject, ProductFamily
from tests.factories import DataSubjectFactory, give, withdraw

pytestmark = pytest.mark.django_db

EMAIL = Channel.NEWSLETTER_EMAIL


def marketable(channel=EMAIL, **kwargs) -> set[int]:
    return set(selectors.marketable(channel=channel, **kwargs).values_list("pk", flat=True))


def soft_opt_in(person, family=ProductFamily.LEVEL):
    contract = subject_services.contract_create(
        subject=person, kind="sale", product_family=family, started_on=date(2025, 3, 1), actor=None
    )
    return services.marketing_basis_record(
        subject=person,
        channel=EMAIL,
        basis=MarketingBasis.Basis.SOFT_OPT_IN,
        contract=contract,
        informed_on=date(2025, 3, 1),
        opt_out_offered=True,
        actor=None,
    )


def test_consent_is_a_basis_and_no_basis_is_none():
    consenting, nobody = (
        DataSubjectFactory(consumer=True, admitted=True),
        DataSubjectFactory(consumer=True, admitted=True),
    )
    give(consenting, at=timezone.now() - timedelta(days=1))
    assert marketable() == {consenting.pk}
    assert nobody.pk not in marketable()


def test_consent_on_one_channel_does_not_cover_another():
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person)
    assert marketable(Channel.MARKETING_PUSH) == set()
    assert marketable(Channel.PARTNER_SHARING) == set()


def test_withdrawn_subject_is_absent_from_every_send_scheduled_after_the_withdrawal(today):
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=10))
    assert marketable(on=today + timedelta(days=30)) == {person.pk}
    withdraw(person)
    assert marketable() == set()
    assert marketable(on=today + timedelta(days=30)) == set()  # R1.13.3


def test_objection_overrides_every_basis():
    person = DataSubjectFactory(kind=DataSubject.Kind.PROFESSIONAL, admitted=True, job_title="Responsable réseau")
    give(person, at=timezone.now() - timedelta(days=1))
    soft_opt_in(person)
    services.marketing_objection_record(
        subject=person, actor=None, staff_reference="call 2026-03-02", collection_point="phone_script"
    )
    for channel in selectors.OTHER_BASES:
        assert marketable(channel, product_family=ProductFamily.LEVEL) == set()


def test_refused_and_expired_are_not_a_basis():
    refused = DataSubjectFactory(consumer=True, admitted=True)
    give(refused, action="refused")
    assert marketable() == set()


def test_deceased_subject_is_excluded():
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=1))
    subject_services.subject_update(subject=person, fields={"deceased_on": date(2026, 1, 2)}, actor=None)
    assert marketable() == set()


def test_another_apps_block_excludes_a_subject(monkeypatch):
    blocked, free = DataSubjectFactory(consumer=True, admitted=True), DataSubjectFactory(consumer=True, admitted=True)
    for person in (blocked, free):
        give(person, at=timezone.now() - timedelta(days=1))

    def restricted(subject_ref="pk"):
        return Exists(DataSubject.objects.filter(pk=OuterRef(subject_ref), pk__in=[blocked.pk]))

    monkeypatch.setitem(conditions._registered, conditions.MARKETING_BLOCKED, [restricted])
    assert marketable() == {free.pk}


def test_suppressed_address_is_excluded_even_with_a_consent_on_record():
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=1))
    services.suppression_add(
        kind="email", value=person.email.upper(), channels=[EMAIL], reason=Suppression.Reason.OBJECTION, actor=None
    )
    assert marketable() == set()


def test_soft_opt_in_covers_the_same_and_analogous_families_only():
    client = DataSubjectFactory(consumer=True, admitted=True)
    soft_opt_in(client, ProductFamily.LEVEL)
    assert marketable(product_family=ProductFamily.LEVEL) == {client.pk}
    assert marketable(product_family=ProductFamily.PLATFORM) == set()
    assert marketable() == set()  # a campaign without a product family cannot rely on the soft opt-in
    ProductFamilyAnalogy.objects.create(
        family=ProductFamily.FLOW, analogous_family=ProductFamily.LEVEL, justification="Both measure water networks"
    )
    assert marketable(product_family=ProductFamily.FLOW) == {client.pk}
    assert marketable(Channel.MARKETING_PUSH, product_family=ProductFamily.LEVEL) == set()


def test_soft_opt_in_requires_the_opt_out_offer_and_a_contract():
    from django.core.exceptions import ValidationError

    person = DataSubjectFactory(consumer=True, admitted=True)
    with pytest.raises(ValidationError) as error:
        services.marketing_basis_record(
            subject=person,
            channel=EMAIL,
            basis=MarketingBasis.Basis.SOFT_OPT_IN,
            informed_on=date(2025, 1, 1),
            opt_out_offered=False,
            actor=None,
        )
    assert {"contract", "opt_out_offered"} <= set(error.value.message_dict)


def test_b2b_professional_basis_covers_professional_contacts_on_email_and_phone():
    pro = DataSubjectFactory(kind=DataSubject.Kind.PROFESSIONAL, admitted=True, job_title="Chef de service eau")
    for channel in (EMAIL, Channel.PHONE_MARKETING):
        services.marketing_basis_record(
            subject=pro,
            channel=channel,
            basis=MarketingBasis.Basis.B2B_PROFESSIONAL,
            informed_on=date(2025, 1, 1),
            opt_out_offered=True,
            job_function="Exploitation des réseaux",
            actor=None,
        )
    assert marketable() == {pro.pk}
    assert marketable(Channel.PHONE_MARKETING) == {pro.pk}
    assert marketable(Channel.MARKETING_PUSH) == set()


def test_b2b_basis_is_refused_for_a_consumer():
    from django.core.exceptions import ValidationError

    consumer = DataSubjectFactory(consumer=True, admitted=True)
    with pytest.raises(ValidationError):
        services.marketing_basis_record(
            subject=consumer,
            channel=EMAIL,
            basis=MarketingBasis.Basis.B2B_PROFESSIONAL,
            informed_on=date(2025, 1, 1),
            opt_out_offered=True,
            job_function="Particulier",
            actor=None,
        )


def test_suppression_survives_erasure_and_a_recreated_subject_is_not_marketable(dpo):
    person = DataSubjectFactory(consumer=True, admitted=True)
    email = person.email
    give(person, at=timezone.now() - timedelta(days=2))
    withdraw(person)
    subject_services.subject_delete(subject_ids=[person.pk], actor=dpo)
    assert Suppression.objects.filter(channel=EMAIL).exists()

    with pytest.raises(ValidationError, match="suppression list"):
        DataSubjectFactory(
            consumer=True, admitted=True, email=email
        )  # the admission gate refuses to create them again (subjects.admission)
    again = DataSubject.objects.create(email=email, kind=DataSubject.Kind.CONSUMER, last_name="Restored")  # a restore
    soft_opt_in(again)
    assert marketable(product_family=ProductFamily.LEVEL) == set()
    assert again.pk not in marketable(product_family=ProductFamily.LEVEL)


def test_unknown_channel_is_an_error():
    with pytest.raises(ValueError, match="not a marketing channel"):
        selectors.marketable(channel=Channel.COOKIES_AUDIENCE)


@pytest.fixture
def dpo():
    from tests.factories import dpo_user

    return dpo_user()
