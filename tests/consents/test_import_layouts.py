"""The consent-proof import takes the e-mailing tool's own export as it comes (issue 15).

Synthetic Mailchimp ("subscribed members") and Brevo contact exports, CSV and XLSX, built with
Faker fr_FR in the tools' own column layouts; an unknown layout gets the list of expected columns.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from faker import Faker
from openpyxl import Workbook

from consents import imports
from consents.models import ConsentEvent
from ijinus_privacy.models import AuditEvent
from subjects.models import DataSubject
from tests.factories import consent_notice, dpo_user

pytestmark = pytest.mark.django_db

fake = Faker("fr_FR")

MAILCHIMP_HEADER = [*imports.MAILCHIMP_COLUMNS[:3], "Phone Number", *imports.MAILCHIMP_COLUMNS[3:]]


def _mailchimp_member(email=None, *, optin="2025-03-01 10:00:00", confirm="2025-03-01 10:05:12", **cells):
    """One row of a Mailchimp audience export, with a custom merge field (Phone Number)."""
    row = {
        "Email Address": email or fake.unique.email(),
        "First Name": fake.first_name(),
        "Last Name": fake.last_name(),
        "Phone Number": fake.phone_number(),
        "MEMBER_RATING": "2",
        "OPTIN_TIME": optin,
        "OPTIN_IP": fake.ipv4_public(),
        "CONFIRM_TIME": confirm,
        "CONFIRM_IP": fake.ipv4_public(),
        "LATITUDE": str(fake.latitude()),
        "LONGITUDE": str(fake.longitude()),
        "GMTOFF": "1",
        "DSTOFF": "2",
        "TIMEZONE": "Europe/Paris",
        "CC": "FR",
        "REGION": "IDF",
        "LAST_CHANGED": "2025-03-02 08:00:00",
        "LEID": str(random.randint(10**8, 10**9)),
        "EUID": fake.hexify("^^^^^^^^^^"),
        "NOTES": "",
        "TAGS": '"Salon Pollutec"',
    }
    row.update(cells)
    return row


def _brevo_contact(email=None, *, added="01-03-2025 11:00:00", double="1", french=True, **cells):
    row = {
        "CONTACT ID": str(random.randint(1, 99999)),
        "EMAIL": email or fake.unique.email(),
        "NOM" if french else "LASTNAME": fake.last_name(),
        "PRENOM" if french else "FIRSTNAME": fake.first_name(),
        "SMS": fake.phone_number(),
        "DOUBLE_OPT-IN": double,
        "OPT_IN": "Yes",
        "ADDED_TIME": added,
        "MODIFIED_TIME": added,
        "EMAIL_BLACKLISTED": "No",
    }
    row.update(cells)
    return row


def _csv(rows: list[dict], *, delimiter: str = ",", header=None) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header or list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(rows: list[dict]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, content: bytes, name: str):
    client.force_login(dpo_user())
    response = client.post(
        reverse("admin:consents_consentevent_import"),
        {"file": SimpleUploadedFile(name, content), "notice": consent_notice().pk, "batch_reference": "mc-2025-03"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Traceback" not in response.content.decode()
    return response


def _messages(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


@pytest.mark.parametrize("name", ["subscribed_members_export_1a2b3c.csv", "subscribed_members.xlsx"])
def test_a_mailchimp_export_as_it_comes_is_imported_with_its_member_ids_times_and_ips(client, name):
    members = [_mailchimp_member("camille.durand@example.fr"), _mailchimp_member(), _mailchimp_member()]
    content = _xlsx(members) if name.endswith(".xlsx") else _csv(members)

    response = _upload(client, content, name)

    assert "Layout recognised: Mailchimp audience export." in _messages(response)
    assert "3 consents imported, 3 new subjects" in _messages(response)
    page = response.content.decode()
    assert "Columns ignored (never stored): phone number, MEMBER_RATING" in page
    first = members[0]
    event = ConsentEvent.objects.get(subject__email="camille.durand@example.fr")
    assert event.tool_reference == f"EUID {first['EUID']} LEID {first['LEID']}"
    assert event.requested_at == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)  # Mailchimp times are UTC
    assert event.confirmed_at == event.occurred_at == datetime(2025, 3, 1, 10, 5, 12, tzinfo=UTC)
    assert (event.ip_address, event.confirmation_ip_address) == (first["OPTIN_IP"], first["CONFIRM_IP"])
    assert (event.mechanism, event.entered_by, event.staff_reference) == ("double_opt_in", "staff", "mc-2025-03")
    person = DataSubject.objects.get(email="camille.durand@example.fr")
    assert (person.first_names, person.last_name) == (first["First Name"], first["Last Name"])
    assert person.phone == ""
    assert AuditEvent.objects.filter(reason__contains="(mailchimp layout): 3 events").exists()


def test_a_mailchimp_export_with_bad_rows_writes_nothing_and_names_each_row_and_column(client):
    members = [
        _mailchimp_member(),
        _mailchimp_member("not-an-address"),
        _mailchimp_member(optin="", confirm="2025-03-04 09:00:00"),  # added by import: no consent proof
        _mailchimp_member(**{"First Name": '=HYPERLINK("http://example.com","x")'}),
        _mailchimp_member(**{"EUID": "@SUM(A1)"}),
        _mailchimp_member(optin="01/03/2025 pm"),
    ]

    response = _upload(client, _csv(members), "members.csv")

    errors = {(number, reason) for number, reason in response.context["report"].errors}
    assert (2, "e-mail: missing or not an e-mail address") in errors
    assert (3, "OPTIN_TIME: no consent time, so no proof of consent (EDPB Guidelines 05/2020, ¶108)") in errors
    assert (4, "First Name: looks like a spreadsheet formula; not imported") in errors
    assert (5, "EUID: looks like a spreadsheet formula; not imported") in errors
    assert (6, "OPTIN_TIME: not a date and time") in errors
    assert 1 not in {number for number, _reason in errors}
    assert "Layout recognised: Mailchimp audience export. Nothing was imported" in _messages(response)
    assert not ConsentEvent.objects.exists()
    assert not DataSubject.objects.exists()


def test_a_french_brevo_export_with_semicolons_is_imported_in_the_account_time_zone(client):
    contacts = [
        _brevo_contact("doi@example.fr", double="1"),
        _brevo_contact("simple@example.fr", double="2", added="2025-03-02 09:30:00"),
    ]

    response = _upload(client, _csv(contacts, delimiter=";"), "export_contacts.csv")

    assert "Layout recognised: Brevo contacts export." in _messages(response)
    doi = ConsentEvent.objects.get(subject__email="doi@example.fr")
    assert doi.tool_reference == f"CONTACT ID {contacts[0]['CONTACT ID']}"
    assert doi.occurred_at == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)  # 11:00 Paris time
    assert (doi.mechanism, doi.confirmed_at) == ("double_opt_in", doi.occurred_at)
    single = ConsentEvent.objects.get(subject__email="simple@example.fr")
    assert (single.mechanism, single.confirmed_at, single.ip_address) == ("unticked_checkbox", None, None)
    assert single.occurred_at == datetime(2025, 3, 2, 8, 30, tzinfo=UTC)
    assert DataSubject.objects.get(email="doi@example.fr").last_name == contacts[0]["NOM"]


def test_a_brevo_workbook_with_english_attributes_refuses_a_contact_without_opt_in(client):
    contacts = [
        _brevo_contact(french=False),
        _brevo_contact(french=False, OPT_IN="No"),
        _brevo_contact(french=False, added=""),
    ]

    response = _upload(client, _xlsx(contacts), "contacts.xlsx")

    errors = response.context["report"].errors
    assert (2, "OPT_IN: the e-mailing tool records no opt-in for this contact") in errors
    assert (3, "ADDED_TIME: no consent time, so no proof of consent (EDPB Guidelines 05/2020, ¶108)") in errors
    assert not ConsentEvent.objects.exists()
    contacts = [contacts[0]]
    response = _upload(client, _xlsx(contacts), "contacts.xlsx")
    assert "1 consents imported, 1 new subjects" in _messages(response)
    assert DataSubject.objects.get().first_names == contacts[0]["FIRSTNAME"]


def test_an_unknown_layout_is_refused_with_the_expected_columns_of_each_layout(client):
    content = b"Courriel,Date inscription\nx@example.fr,2025-03-01 10:00:00\n"

    message = _messages(_upload(client, content, "export.csv"))

    assert "The file's columns match none of the layouts this import knows" in message
    assert "IJINUS template: email, first_names, last_name, optin_time" in message
    assert "Mailchimp audience export: Email Address, First Name, Last Name, OPTIN_TIME, OPTIN_IP" in message
    assert "Brevo contacts export: EMAIL, FIRSTNAME or PRENOM" in message
    assert not ConsentEvent.objects.exists()


def test_a_mailchimp_export_without_its_opt_in_time_column_says_so(client):
    content = b"Email Address,First Name,EUID\nx@example.fr,Camille,abc\n"

    message = _messages(_upload(client, content, "export.csv"))

    assert "looks like a Mailchimp audience export, but it has no opt-in time column" in message
    assert not DataSubject.objects.exists()


def test_the_same_mailchimp_export_twice_changes_nothing_the_second_time(client):
    content = _csv([_mailchimp_member(), _mailchimp_member()])
    _upload(client, content, "members.csv")

    message = _messages(_upload(client, content, "members.csv"))

    assert "0 consents imported, 0 new subjects, 2 already on record" in message
    assert ConsentEvent.objects.count() == 2


@pytest.mark.parametrize(
    ("headers", "layout"),
    [
        (["email", "optin_time"], imports.NATIVE),
        (["email", "optin_time", "telephone"], imports.NATIVE),
        (["email address", "optin_time", "euid"], imports.MAILCHIMP),
        (["email", "prenom", "nom", "added_time"], imports.BREVO),
    ],
)
def test_layouts_are_recognised_by_their_header_row(headers, layout):
    assert imports.recognise(headers) is layout
