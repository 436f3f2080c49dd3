"""Consent-proof import (all or nothing, row-level reasons), proof bundle and audience export."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import tablib
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from consents import imports, proofs, services
from consents.models import Channel, ConsentEvent, Suppression
from ijinus_privacy.models import AuditEvent
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, consent_notice, dpo_user, give, support_user, withdraw

pytestmark = pytest.mark.django_db

HEADERS = list(imports.COLUMNS)


def _dataset(*rows) -> tablib.Dataset:
    return tablib.Dataset(*rows, headers=HEADERS)


def _row(email, optin="2025-03-01 10:00:00", confirm="2025-03-01 10:05:00", ip="192.0.2.10"):
    return (email, "Camille", "Durand", optin, ip, confirm, "salon-pollutec")


def test_import_of_good_rows_creates_subjects_and_given_events_with_original_times():
    notice = consent_notice()
    report = imports.import_consent_proofs(
        dataset=_dataset(_row("a@example.fr"), _row("b@example.fr", confirm="")),
        notice=notice,
        batch_reference="brevo-2025-03",
        actor=dpo_user(),
    )
    assert report.errors == []
    assert (report.events, report.created_subjects) == (2, 2)
    event = ConsentEvent.objects.get(subject__email="a@example.fr")
    assert event.requested_at.isoformat() == "2025-03-01T10:00:00+00:00"
    assert event.occurred_at == event.confirmed_at
    assert (event.ip_address, event.mechanism) == ("192.0.2.10", "double_opt_in")
    again = imports.import_consent_proofs(
        dataset=_dataset(_row("a@example.fr")), notice=notice, batch_reference="x", actor=None
    )
    assert (again.events, again.skipped) == (0, 1)


def test_import_with_bad_rows_writes_nothing_and_names_each_row():
    suppressed = DataSubjectFactory(consumer=True, admitted=True, email="gone@example.fr")
    withdraw(suppressed)
    report = imports.import_consent_proofs(
        dataset=_dataset(
            _row("ok@example.fr"), _row("noproof@example.fr", optin="", confirm=""), _row("gone@example.fr")
        ),
        notice=consent_notice(),
        batch_reference="b",
        actor=None,
    )
    rows = {number for number, _reason in report.errors}
    assert rows == {2, 3}
    assert any("suppression list" in reason for number, reason in report.errors if number == 3)
    assert not DataSubject.objects.filter(email="ok@example.fr").exists()
    assert not ConsentEvent.objects.filter(action="given").exists()


def test_suppression_blocks_reimport_after_erasure():
    person = DataSubjectFactory(consumer=True, admitted=True, email="erased@example.fr")
    withdraw(person)
    from subjects import services as subject_services

    subject_services.subject_delete(subject_ids=[person.pk], actor=dpo_user())
    report = imports.import_consent_proofs(
        dataset=_dataset(_row("ERASED@example.fr")), notice=consent_notice(), batch_reference="b", actor=None
    )
    assert report.errors
    assert not DataSubject.objects.filter(email="erased@example.fr").exists()


def test_admin_import_is_dpo_only_and_shows_row_reasons(client):
    consent_notice()
    client.force_login(support_user())
    assert client.get(reverse("admin:consents_consentevent_import")).status_code == 403
    client.force_login(dpo_user())
    content = _dataset(_row("x@example.fr", optin="not a date")).export("csv").encode()
    response = client.post(
        reverse("admin:consents_consentevent_import"),
        {
            "file": SimpleUploadedFile("export.csv", content),
            "notice": consent_notice().pk,
            "batch_reference": "b",
        },
    )
    assert response.status_code == 200
    assert "optin_time: not a date and time" in response.content.decode()
    assert not ConsentEvent.objects.exists()


def test_proof_bundle_lists_each_event_and_the_text_shown():
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=3))
    withdraw(person)
    actor = dpo_user()
    csv_bytes, pdf_bytes = proofs.proof_bundle(
        events=proofs.proof_events(subject=person), actor=actor, title="Inspection CNIL"
    )
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)
    assert "Inspection CNIL" in text
    assert "Withdrawn" in text
    assert "Given" in text
    assert consent_notice().sha256 in text.replace("\n", "")
    assert csv_bytes.decode("utf-8-sig").count("\n") == 3
    assert AuditEvent.objects.filter(
        action="export", subject_id=person.pk, object_type="consents.consentevent"
    ).exists()


def test_audience_export_goes_through_marketable_and_escapes_formulas(today, client):
    kept = DataSubjectFactory(consumer=True, admitted=True, last_name="=HYPERLINK(1)")
    dropped = DataSubjectFactory(consumer=True, admitted=True)
    for person in (kept, dropped):
        give(person, at=timezone.now() - timedelta(days=1))
    withdraw(dropped)
    client.force_login(dpo_user())
    response = client.post(
        reverse("admin:consents_consentevent_audience"),
        {"channel": Channel.NEWSLETTER_EMAIL, "on": today.isoformat(), "product_family": ""},
    )
    body = response.content.decode("utf-8-sig")
    assert response["X-Audience-Count"] == "1"
    assert kept.email in body
    assert dropped.email not in body
    assert "'=HYPERLINK(1)" in body
    assert AuditEvent.objects.filter(action="export", subject_id=kept.pk).exists()
    assert Suppression.objects.exists()


def test_subject_page_shows_the_consent_history(admin_client):
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=timezone.now() - timedelta(days=3))
    withdraw(person)
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = admin_client.get(reverse("admin:subjects_datasubject_change", args=[person.pk]))
    assert response.status_code == 200
    assert "Consent history" in response.content.decode()


def test_withdraw_admin_action_records_the_staff_reference(admin_client):
    person = DataSubjectFactory(consumer=True, admitted=True)
    event = give(person, at=timezone.now() - timedelta(days=3))
    response = admin_client.post(
        reverse("admin:consents_consentevent_changelist"),
        {"action": "withdraw", "_selected_action": [event.pk], "staff_reference": "call 42"},
    )
    assert response.status_code == 302
    latest = services.current_event(subject=person, channel=Channel.NEWSLETTER_EMAIL)
    assert (latest.action, latest.staff_reference, latest.entered_by) == ("withdrawn", "call 42", "staff")


def _admin_import(client, content: bytes, name: str = "export.csv"):
    client.force_login(dpo_user())
    return client.post(
        reverse("admin:consents_consentevent_import"),
        {"file": SimpleUploadedFile(name, content), "notice": consent_notice().pk, "batch_reference": "b"},
    )


def _messages(response) -> str:
    assert response.status_code == 200
    assert "Traceback" not in response.content.decode()
    return " ".join(str(message) for message in response.context["messages"])


def test_admin_import_refuses_a_nul_byte_naming_its_line_and_writes_nothing(client):
    content = _dataset(_row("x@example.fr"), _row("y@example.fr")).export("csv").encode()
    content = content.replace(b"y@example.fr", b"y@exa\x00mple.fr")

    message = _messages(_admin_import(client, content))

    assert "Line 3 contains a NUL byte" in message
    assert not ConsentEvent.objects.exists()
    assert not DataSubject.objects.exists()


def test_admin_import_names_unknown_and_missing_columns_of_the_template(client):
    content = b"email,telephone,optin_ip\nx@example.fr,0102030405,192.0.2.1\n"

    message = _messages(_admin_import(client, content))

    assert "unknown columns: telephone" in message
    assert "missing columns: optin_time)" in message
    assert "Expected columns: email, first_names, last_name, optin_time" in message
    assert not ConsentEvent.objects.exists()


def test_admin_import_refuses_a_file_above_the_size_or_row_limit(client, settings):
    content = _dataset(_row("x@example.fr"), _row("y@example.fr"), _row("z@example.fr")).export("csv").encode()
    settings.IMPORT_MAX_ROWS = 2

    assert "more than 2 rows" in _messages(_admin_import(client, content))
    settings.IMPORT_MAX_BYTES = 100
    assert "imports take at most 100" in _messages(_admin_import(client, content))
    assert not ConsentEvent.objects.exists()
    assert not DataSubject.objects.exists()
