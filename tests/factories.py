"""Every test factory (factory_boy), synthetic data only (Faker ``fr_FR``).

One way to make a person: ``DataSubjectFactory``. Its e-mail and phone come from one sequence
(``personne<n>@exemple.fr``, ``07 …`` from the same ``n``), so two people made in one test, by whichever
factory or helper, never share either (the e-mail is unique in the table, and the admission gate matches
erased people by phone). Variants are parameters, not other factories:

- ``DataSubjectFactory(consumer=True)``: a consumer (B2C), no organisation; the default is a professional
  contact, as the model's.
- ``DataSubjectFactory(admitted=True)``: added through ``subject_create`` (admission gate, normalised
  e-mail, audit event), as the site's forms and imports add people; the default is a plain save.

The builders below (``logged_request``, ``give``, ``client_to_erase``…) go through the services, as staff
or the site would.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from consents import services as consent_services
from consents.models import ConsentEvent, LegalBasis, Notice, ProcessingActivity, Recipient
from ijinus_privacy import roles
from ijinus_privacy.choices import Channel, ContactChannel
from requests_dsar import services as request_services
from requests_dsar.erasure.notifications import disclosure_record
from requests_dsar.models import Right, State
from retention.models import RetentionRule
from retention.services import rule_approve
from subjects import models as m
from subjects import services as subject_services

factory.Faker._DEFAULT_LOCALE = "fr_FR"


# --- Staff ------------------------------------------------------------------------------------------------


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@ijinus.example")
    is_staff = True
    password = factory.django.Password("test-password-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            roles.roles_sync()
            self.groups.add(Group.objects.get(name=extracted))


def dpo_user(**kwargs):
    return UserFactory(username="dpo", role=roles.DPO, **kwargs)


def support_user(**kwargs):
    return UserFactory(username="support", role=roles.CUSTOMER_SERVICE, **kwargs)


def archivist_user(**kwargs):
    return UserFactory(username="archivist", role=roles.ARCHIVIST, **kwargs)


def sales_user(**kwargs):
    return UserFactory(username="sales", role=roles.SALES, **kwargs)


def administrator_user(**kwargs):
    return UserFactory(username="administrator", role=roles.ADMINISTRATOR, **kwargs)


# --- People and what the company holds about them ------------------------------------------------------------


def _phone(n: int) -> str:
    """A French mobile number from the sequence: ``07 00 00 00 42`` for 42 (no hand-written test number starts 07)."""
    digits = f"{n % 10**8:08d}"
    return " ".join(("07", digits[0:2], digits[2:4], digits[4:6], digits[6:8]))


class DataSubjectFactory(DjangoModelFactory[m.DataSubject]):
    class Meta:
        model = m.DataSubject

    class Params:
        consumer = factory.Trait(kind=m.DataSubject.Kind.CONSUMER, organisation="")

    kind = m.DataSubject.Kind.PROFESSIONAL
    last_name = factory.Faker("last_name")
    first_names = factory.Faker("first_name")
    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    phone = factory.Sequence(_phone)  # the same n as the e-mail's
    street_address = factory.Faker("street_address")
    postal_code = factory.Faker("postcode")
    city = factory.Faker("city")
    organisation = factory.Faker("company")
    admitted = False  # True: through subject_create (admission gate, audit event); not a model field

    @classmethod
    def _build(cls, model_class, *args, admitted=False, **kwargs):
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, admitted=False, **kwargs):
        if admitted:
            return subject_services.subject_create(fields=kwargs, actor=None)
        return super()._create(model_class, *args, **kwargs)


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


def subject_with_role(role: str, *, collected_on: dt.date = dt.date(2019, 1, 15), **dates) -> m.DataSubject:
    subject = DataSubjectFactory()
    m.SubjectRole.objects.create(subject=subject, role=role, collected_on=collected_on, **dates)
    return subject


def subject_with_data(*, tickets: int = 3, **subject_fields) -> m.DataSubject:
    """A client with a little of everything (≤ 50 rows): roles, contract, order, invoice, tickets,
    navigation, a device, an assumed interest (inferred) and data received from a third party."""
    subject = DataSubjectFactory(language=subject_fields.pop("language", "fr"), **subject_fields)
    SubjectRoleFactory(subject=subject, role=m.SubjectRole.Role.ACTIVE_CLIENT)
    ContractFactory(subject=subject, reference="C-424242")
    DeliveryFactory(subject=subject)
    PaymentFactory(subject=subject)
    TicketFactory.create_batch(tickets, subject=subject)
    NavigationFactory(subject=subject)
    DeviceFactory(subject=subject)
    InterestFactory(subject=subject)
    ThirdPartyFactory(subject=subject)
    return subject


# --- Register, notices and consents (through the services, as the DPO and the site would) ---------------------


def complete_activity(*, code: str = "T01", actor=None, **overrides) -> ProcessingActivity:
    """An entry with every mandatory Art. 30(1) field, using seeded categories, recipients and measures."""
    fields = {
        "name": "Supplier contacts",
        "subject_categories": ["client_contact"],
        "data_categories": [{"category": "identity", "retention": "3 years"}, {"category": "contact", "retention": ""}],
        "recipients": ["staff-sales"],
        "transfers_outside_eu": ProcessingActivity.Transfers.NONE,
        "retention": "3 years after the last contact",
        "security_measures": ["access_permissions"],
        "purposes": [{"description": "Managing supplier contacts", "legal_basis": LegalBasis.CONTRACT}],
        **overrides,
    }
    return consent_services.activity_create(code=code, actor=actor, reason="test", **fields)


# Every element of a consent wording confirmed by the DPO (Art. 7, Art. 13; consents.services.information).
CHECKED_CONSENT_TEXT = {
    "states_controller": True,
    "states_purpose": True,
    "states_data": True,
    "states_withdrawal": True,
    "transfers_relevant": True,
    "states_transfers": True,
}


def consent_notice(channel: str = Channel.NEWSLETTER_EMAIL, *, language: str = "fr", effective_on=None) -> Notice:
    kind = Notice.Kind.COOKIE_BANNER if channel.startswith("cookies_") else Notice.Kind.CONSENT_TEXT
    existing = Notice.objects.filter(kind=kind, language=language, channel="" if kind != "consent_text" else channel)
    if existing.exists():
        return existing.first()
    return consent_services.notice_create(
        kind=kind,
        channel=channel if kind == Notice.Kind.CONSENT_TEXT else "",
        language=language,
        effective_on=effective_on or dt.date(2020, 1, 1),
        title="Lettre d'information",
        text="IJINUS SAS vous envoie sa lettre d'information. Vous pouvez vous désinscrire à tout moment.",
        actor=None,
        checklist=CHECKED_CONSENT_TEXT if kind == Notice.Kind.CONSENT_TEXT else None,
    )


def give(
    person: m.DataSubject | None,
    channel: str = Channel.NEWSLETTER_EMAIL,
    *,
    at: dt.datetime | None = None,
    action: str = ConsentEvent.Action.GIVEN,
    visitor_id: str = "",
) -> ConsentEvent:
    return consent_services.consent_record(
        subject=person,
        visitor_id=visitor_id,
        channel=channel,
        action=action,
        notice=consent_notice(channel),
        collection_point=ConsentEvent.CollectionPoint.WEB_FORM,
        collection_detail="newsletter-footer-form",
        mechanism=ConsentEvent.Mechanism.UNTICKED_CHECKBOX,
        language="fr",
        entered_by=ConsentEvent.EnteredBy.SUBJECT,
        occurred_at=at or timezone.now(),
        actor=None,
    )


def withdraw(person: m.DataSubject, channel: str = Channel.NEWSLETTER_EMAIL):
    return consent_services.consent_withdraw(
        subject=person,
        channel=channel,
        collection_point=ConsentEvent.CollectionPoint.EMAIL_LINK,
        mechanism=ConsentEvent.Mechanism.ONE_CLICK,
        actor=None,
    )


# --- Requests and erasure -------------------------------------------------------------------------------------


def logged_request(
    *,
    received_on: dt.date = dt.date(2026, 3, 5),
    rights=(Right.ACCESS,),
    subject: m.DataSubject | None = None,
    channel: str = ContactChannel.EMAIL,
    actor=None,
    **kwargs,
):
    """A request logged through the service, as staff would."""
    if subject is None and "requester_name" not in kwargs:
        subject = DataSubjectFactory()
    return request_services.request_log(
        received_on=received_on,
        channel=channel,
        rights=[request_services.RightAsked(right=right) for right in rights],
        subject=subject,
        actor=actor,
        **kwargs,
    )


# A person with a little of everything, with identifiers distinctive enough to search a dump for.
IDENTIFIERS = {
    "last_name": "Quenehervé-Brunehaut",
    "first_names": "Mélisande",
    "email": "melisande.q-brunehaut@exemple.fr",
    "phone": "06 71 82 93 04",
}
PHONE_FORMS = ("06 71 82 93 04", "0671829304", "+33671829304")


def client_to_erase(**overrides) -> m.DataSubject:
    fields = {**IDENTIFIERS, **overrides}
    subject = DataSubjectFactory(**fields)
    name = f"{fields['first_names']} {fields['last_name']}"
    SubjectRoleFactory(subject=subject, role=m.SubjectRole.Role.INACTIVE_CLIENT, contract_end_on=dt.date(2023, 6, 30))
    ContractFactory(subject=subject, started_on=dt.date(2022, 1, 10), ended_on=dt.date(2023, 6, 30))
    DeliveryFactory(subject=subject, street_address="12 rue des Effacés")
    invoice = InvoiceFactory(
        subject=subject, issued_on=dt.date(2022, 2, 15), billing_name=name, billing_address="12 rue des Effacés"
    )
    PaymentFactory(subject=subject, invoice=invoice, paid_on=dt.date(2022, 3, 1))
    TicketFactory(subject=subject, summary=f"Appel de {name}", text=f"Rappeler au {fields['phone']}")
    NavigationFactory(subject=subject)
    DeviceFactory(subject=subject)
    InterestFactory(subject=subject)
    return subject


def erasure_request(subject: m.DataSubject, *, rights=(Right.ERASURE,), actor=None):
    request = logged_request(
        subject=subject,
        rights=rights,
        requester_name=f"{subject.first_names} {subject.last_name}",
        requester_email=subject.email,
        requester_phone=subject.phone,
        actor=actor,
    )
    return request_services.request_transition(request=request, to_state=State.IN_PROGRESS, reason="", actor=actor)


# As seeded by consents' migration; recreated when a transactional test flushed the seed before.
SEEDED_RECIPIENTS = {"crm": "CRM provider", "carriers": "Carriers", "emailing": "E-mailing tool"}


def recipient(code: str) -> Recipient:
    found, _created = Recipient.objects.get_or_create(
        code=code, defaults={"name": SEEDED_RECIPIENTS[code], "kind": Recipient.Kind.PROCESSOR}
    )
    return found


def disclose(subject: m.DataSubject, code: str, actor=None, on=dt.date(2024, 5, 2)):
    return disclosure_record(
        subject=subject,
        recipient=recipient(code),
        categories=["identity", "contact"],
        purpose="Hébergement du CRM",
        disclosed_on=on,
        actor=actor,
    )


# --- Retention ------------------------------------------------------------------------------------------------


def approve_all(actor) -> None:
    for rule in RetentionRule.objects.filter(requires_approval=True):
        rule_approve(rule=rule, actor=actor)


# --- Breaches -------------------------------------------------------------------------------------------------

# ENISA inputs giving each severity (breaches.risk): low 0.5, medium 2.5, high 3.5, very high 5.
ENISA_INPUTS = {
    "low": {"processing_context": 1, "ease_of_identification": "0.25", "loss_of_confidentiality": "0.25"},
    "medium": {"processing_context": 2, "ease_of_identification": "1.00", "loss_of_confidentiality": "0.50"},
    "high": {"processing_context": 4, "ease_of_identification": "0.75", "loss_of_confidentiality": "0.50"},
    "very_high": {
        "processing_context": 4,
        "ease_of_identification": "1.00",
        "loss_of_confidentiality": "0.50",
        "malicious_intent": True,
    },
}


def breach(*, actor=None, aware_at=None, **overrides):
    """A breach recorded through the service (the DPO e-mailed), aware two hours ago unless told."""
    from breaches.services import breach_record
    from ijinus_privacy import actors

    aware_at = aware_at or timezone.now() - dt.timedelta(hours=2)
    fields = {
        "title": "Ordinateur portable perdu",
        "discovered_at": aware_at - dt.timedelta(hours=1),
        "discovered_by": "Service informatique",
        "aware_at": aware_at,
        "nature_confidentiality": True,
        "description": "Un ordinateur portable non chiffré contenant un export du CRM a été perdu.",
        "people_estimate": 120,
        **overrides,
    }
    return breach_record(actor=actor or actors.system("tests"), **fields)


def breach_assessed(found, severity: str = "medium", *, actor=None, **overrides):
    from breaches.services import breach_assess
    from ijinus_privacy import actors

    inputs = {**ENISA_INPUTS[severity], "reasoning": "Données de contact, export non chiffré.", **overrides}
    return breach_assess(breach=found, actor=actor or actors.system("tests"), **inputs)
