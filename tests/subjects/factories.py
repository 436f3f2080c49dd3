"""Factories for the subjects app (synthetic data only, Faker fr_FR)."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from ijinus_privacy.choices import ContactChannel
from subjects import models as m

factory.Faker._DEFAULT_LOCALE = "fr_FR"


class DataSubjectFactory(DjangoModelFactory):
    class Meta:
        model = m.DataSubject

    kind = m.DataSubject.Kind.PROFESSIONAL
    last_name = factory.Faker("last_name")
    first_names = factory.Faker("first_name")
    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    phone = factory.Faker("phone_number")
    street_address = factory.Faker("street_address")
    postal_code = factory.Faker("postcode")
    city = factory.Faker("city")
    organisation = factory.Faker("company")


class SubjectRoleFactory(DjangoModelFactory):
    class Meta:
        model = m.SubjectRole

    subject = factory.SubFactory(DataSubjectFactory)
    role = m.SubjectRole.Role.PROSPECT
    collected_on = dt.date(2024, 3, 1)


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = m.Contract

    subject = factory.SubFactory(DataSubjectFactory)
    kind = m.Contract.Kind.RENTAL
    reference = factory.Sequence(lambda n: f"C-{n:06d}")
    product_family = m.ProductFamily.FLOW
    started_on = dt.date(2022, 1, 10)


class OrderFactory(DjangoModelFactory):
    class Meta:
        model = m.Order

    subject = factory.SubFactory(DataSubjectFactory)
    reference = factory.Sequence(lambda n: f"CMD-{n:06d}")
    ordered_on = dt.date(2022, 2, 1)
    product_family = m.ProductFamily.LEVEL


class DeliveryFactory(DjangoModelFactory):
    class Meta:
        model = m.Delivery

    subject = factory.SubFactory(DataSubjectFactory)
    order = factory.SubFactory(OrderFactory, subject=factory.SelfAttribute("..subject"))
    delivered_on = dt.date(2022, 2, 10)
    carrier = "Chronopost"
    tracking_number = "TRK0001"
    street_address = factory.Faker("street_address")
    postal_code = factory.Faker("postcode")
    city = factory.Faker("city")


class InvoiceFactory(DjangoModelFactory):
    class Meta:
        model = m.Invoice

    subject = factory.SubFactory(DataSubjectFactory)
    number = factory.Sequence(lambda n: f"F{n:08d}")
    issued_on = dt.date(2022, 2, 15)
    amount = "1250.00"
    billing_name = factory.Faker("company")
    billing_address = factory.Faker("street_address")


class PaymentFactory(DjangoModelFactory):
    class Meta:
        model = m.Payment

    subject = factory.SubFactory(DataSubjectFactory)
    invoice = factory.SubFactory(InvoiceFactory, subject=factory.SelfAttribute("..subject"))
    paid_on = dt.date(2022, 3, 1)
    amount = "1250.00"
    method = m.Payment.Method.TRANSFER
    payer_reference = "****1234"


class PromotionFactory(DjangoModelFactory):
    class Meta:
        model = m.PromotionParticipation

    subject = factory.SubFactory(DataSubjectFactory)
    kind = m.PromotionParticipation.Kind.EVENT
    name = "Salon Pollutec"
    participated_on = dt.date(2023, 10, 12)


class TicketFactory(DjangoModelFactory):
    class Meta:
        model = m.SupportTicket

    subject = factory.SubFactory(DataSubjectFactory)
    opened_on = dt.date(2024, 5, 2)
    channel = ContactChannel.PHONE
    summary = "Capteur muet"
    text = "Le capteur n'envoie plus de mesures."


class NavigationFactory(DjangoModelFactory):
    class Meta:
        model = m.NavigationRecord

    subject = factory.SubFactory(DataSubjectFactory)
    occurred_at = dt.datetime(2025, 6, 1, 10, 0, tzinfo=dt.UTC)
    purpose = m.NavigationRecord.Purpose.ANALYSIS
    cookie_id = "a1b2c3d4e5f60718"
    page = "/ijitrack/"
    ip_address = "203.0.113.7"


class DeviceFactory(DjangoModelFactory):
    class Meta:
        model = m.MobileDevice

    subject = factory.SubFactory(DataSubjectFactory)
    registered_on = dt.date(2024, 1, 5)
    device_type = m.MobileDevice.DeviceType.IPHONE
    os_version = "iOS 19.1"
    connectivity = m.MobileDevice.Connectivity.CELL_5G
    app_version = "3.2.1"
    push_token = "f" * 32
    geolocation_consent = True


class InterestFactory(DjangoModelFactory):
    class Meta:
        model = m.AssumedInterest

    subject = factory.SubFactory(DataSubjectFactory)
    product_family = m.ProductFamily.RAIN
    inferred_on = dt.date(2024, 4, 1)
    review_due_on = dt.date(2025, 4, 1)


class ThirdPartyFactory(DjangoModelFactory):
    class Meta:
        model = m.ThirdPartyData

    subject = factory.SubFactory(DataSubjectFactory)
    received_on = dt.date(2024, 9, 9)
    provided_by_name = factory.Faker("name")
    provided_by_email = "apporteur@exemple.fr"
    declaration = "La personne a accepté la transmission."
    accepted_on = dt.date(2024, 9, 1)
