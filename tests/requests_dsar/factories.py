"""Factories for data-subject requests (synthetic data, Faker fr_FR)."""

from __future__ import annotations

from datetime import date

import factory
from factory.django import DjangoModelFactory

from ijinus_privacy.choices import ContactChannel
from requests_dsar import services
from requests_dsar.models import Right
from subjects.models import DataSubject


class DataSubjectFactory(DjangoModelFactory[DataSubject]):
    class Meta:
        model = DataSubject

    last_name = factory.Faker("last_name")
    first_names = factory.Faker("first_name")
    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    phone = factory.Faker("phone_number")


def logged_request(
    *,
    received_on: date = date(2026, 3, 5),
    rights=(Right.ACCESS,),
    subject: DataSubject | None = None,
    channel: str = ContactChannel.EMAIL,
    actor=None,
    **kwargs,
):
    """A request logged through the service, as staff would."""
    if subject is None and "requester_name" not in kwargs:
        subject = DataSubjectFactory()
    return services.request_log(
        received_on=received_on,
        channel=channel,
        rights=[services.RightAsked(right=right) for right in rights],
        subject=subject,
        actor=actor,
        **kwargs,
    )


def subject_with_data(*, tickets: int = 3, **subject_fields) -> DataSubject:
    """A client with a little of everything (≤ 50 rows): roles, contract, order, invoice, tickets,
    navigation, a device, an assumed interest (inferred) and data received from a third party."""
    from subjects.models import SubjectRole
    from tests.subjects import factories as sf

    subject = sf.DataSubjectFactory(language=subject_fields.pop("language", "fr"), **subject_fields)
    sf.SubjectRoleFactory(subject=subject, role=SubjectRole.Role.ACTIVE_CLIENT)
    sf.ContractFactory(subject=subject, reference="C-424242")
    sf.DeliveryFactory(subject=subject)
    sf.PaymentFactory(subject=subject)
    sf.TicketFactory.create_batch(tickets, subject=subject)
    sf.NavigationFactory(subject=subject)
    sf.DeviceFactory(subject=subject)
    sf.InterestFactory(subject=subject)
    sf.ThirdPartyFactory(subject=subject)
    return subject
