"""A person with a little of everything, with identifiers distinctive enough to search a dump for."""

from __future__ import annotations

import datetime as dt

from consents.models import Recipient
from requests_dsar import services
from requests_dsar.erasure.notifications import disclosure_record
from requests_dsar.models import Right, State
from subjects.models import DataSubject, SubjectRole
from tests.requests_dsar.factories import logged_request
from tests.subjects import factories as sf

IDENTIFIERS = {
    "last_name": "Quenehervé-Brunehaut",
    "first_names": "Mélisande",
    "email": "melisande.q-brunehaut@exemple.fr",
    "phone": "06 71 82 93 04",
}
PHONE_FORMS = ("06 71 82 93 04", "0671829304", "+33671829304")


def client_to_erase(**overrides) -> DataSubject:
    fields = {**IDENTIFIERS, **overrides}
    subject = sf.DataSubjectFactory(**fields)
    name = f"{fields['first_names']} {fields['last_name']}"
    sf.SubjectRoleFactory(subject=subject, role=SubjectRole.Role.INACTIVE_CLIENT, contract_end_on=dt.date(2023, 6, 30))
    sf.ContractFactory(subject=subject, started_on=dt.date(2022, 1, 10), ended_on=dt.date(2023, 6, 30))
    sf.DeliveryFactory(subject=subject, street_address="12 rue des Effacés")
    invoice = sf.InvoiceFactory(
        subject=subject, issued_on=dt.date(2022, 2, 15), billing_name=name, billing_address="12 rue des Effacés"
    )
    sf.PaymentFactory(subject=subject, invoice=invoice, paid_on=dt.date(2022, 3, 1))
    sf.TicketFactory(subject=subject, summary=f"Appel de {name}", text=f"Rappeler au {fields['phone']}")
    sf.NavigationFactory(subject=subject)
    sf.DeviceFactory(subject=subject)
    sf.InterestFactory(subject=subject)
    return subject


def erasure_request(subject: DataSubject, *, rights=(Right.ERASURE,), actor=None):
    request = logged_request(
        subject=subject,
        rights=rights,
        requester_name=f"{subject.first_names} {subject.last_name}",
        requester_email=subject.email,
        requester_phone=subject.phone,
        actor=actor,
    )
    return services.request_transition(request=request, to_state=State.IN_PROGRESS, reason="", actor=actor)


# As seeded by consents' migration; recreated when a transactional test flushed the seed before.
SEEDED_RECIPIENTS = {"crm": "CRM provider", "carriers": "Carriers", "emailing": "E-mailing tool"}


def recipient(code: str) -> Recipient:
    found, _created = Recipient.objects.get_or_create(
        code=code, defaults={"name": SEEDED_RECIPIENTS[code], "kind": Recipient.Kind.PROCESSOR}
    )
    return found


def disclose(subject: DataSubject, code: str, actor=None, on=dt.date(2024, 5, 2)):
    return disclosure_record(
        subject=subject,
        recipient=recipient(code),
        categories=["identity", "contact"],
        purpose="Hébergement du CRM",
        disclosed_on=on,
        actor=actor,
    )
