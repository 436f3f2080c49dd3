"""Erasure (Art. 17, R1.10): plan, refusal under a hold, atomicity, proofs, archive, letter, dump."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from unittest import mock

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from pypdf import PdfReader

from consents.models import ALL_CHANNELS, Suppression
from ijinus_privacy.identifiers import IdentifierKind, identifier_hash
from ijinus_privacy.models import AuditEvent
from ijinus_privacy.personal_data import Collect, registry
from requests_dsar.erasure.plan import PlanAction, erasure_plan
from requests_dsar.erasure.services import erasure_execute
from requests_dsar.models import (
    ErasureGround,
    ErasureKeep,
    ErasureRecord,
    ErasureTombstone,
    Letter,
    Request,
    Right,
    State,
)
from retention.models import ArchivedSubject, LegalHold
from retention.services import hold_place
from subjects.models import DataSubject, Invoice
from tests.factories import IDENTIFIERS, PHONE_FORMS, client_to_erase, dpo_user, erasure_request, support_user
from tests.mail import deliver, letter_pdf

pytestmark = pytest.mark.django_db

ARCHIVE_TABLES = {ErasureKeep, ArchivedSubject}
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _needles() -> list[str]:
    return [
        IDENTIFIERS["last_name"].lower(),
        IDENTIFIERS["first_names"].lower(),
        IDENTIFIERS["email"].lower(),
        *PHONE_FORMS,
    ]


def active_dump_hits() -> list[str]:
    """Every text column of every active table, searched for the person's identifiers."""
    hits = []
    needles = _needles()
    for model in apps.get_models():
        if model in ARCHIVE_TABLES or model._meta.proxy or not model._meta.managed:
            continue
        columns = [f.attname for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not columns:
            continue
        for row in model._base_manager.values_list(*columns):
            text = " ".join(str(value) for value in row if value is not None).lower()
            hits += [f"{model._meta.label_lower}:{needle}" for needle in needles if needle.lower() in text]
    return hits


def _erase(request, actor, ground=ErasureGround.NO_LONGER_NECESSARY):
    return erasure_execute(request=request, ground=ground, justification="Demande fondée", actor=actor)


def test_plan_lists_each_source_with_action_reason_and_end_date():
    subject = client_to_erase()

    plan = erasure_plan(subject_id=subject.pk, today=dt.date(2026, 3, 5))
    by_source = {(line.source, line.action): line for line in plan.lines}

    invoices = by_source[("subjects.invoices", PlanAction.KEEP)]
    assert (invoices.rows, invoices.until) == (2, dt.date(2032, 12, 31))  # close of fiscal year 2022 + 10 y
    assert "L.123-22" in invoices.reason
    contract = by_source[("subjects.contracts", PlanAction.KEEP)]
    assert (contract.rows, contract.until) == (1, dt.date(2028, 6, 30))
    assert "2224" in contract.reason
    assert by_source[("subjects.identity", PlanAction.DELETE)].rows == 1
    assert by_source[("subjects.tickets", PlanAction.DELETE)].rows == 1
    assert ("subjects.invoices", PlanAction.DELETE) not in by_source
    assert not plan.blocked


def test_plan_keeps_nothing_whose_period_has_ended():
    subject = client_to_erase()

    plan = erasure_plan(subject_id=subject.pk, today=dt.date(2033, 1, 1))

    assert [line for line in plan.lines if line.action == PlanAction.KEEP] == []
    assert plan.kept_records == []


@pytest.mark.parametrize(
    ("end_month", "invoice_on", "expected"),
    [
        (12, dt.date(2022, 2, 15), dt.date(2032, 12, 31)),
        (12, dt.date(2022, 12, 31), dt.date(2032, 12, 31)),
        (6, dt.date(2022, 2, 15), dt.date(2032, 6, 30)),
        (6, dt.date(2022, 7, 1), dt.date(2033, 6, 30)),
        (2, dt.date(2023, 3, 1), dt.date(2034, 2, 28)),  # closes 2024-02-29; ten years later, no 29th
    ],
)
def test_invoices_are_kept_ten_years_from_the_close_of_their_fiscal_year(settings, end_month, invoice_on, expected):
    settings.FISCAL_YEAR_END_MONTH = end_month
    subject = client_to_erase()
    Invoice.objects.filter(subject=subject).update(issued_on=invoice_on)

    plan = erasure_plan(subject_id=subject.pk, today=dt.date(2026, 3, 5))

    assert {r.keep_until for r in plan.kept_records if r.record_type == "subjects.invoice"} == {expected}


def test_erasure_leaves_no_identifier_in_active_tables_and_keeps_invoices_in_the_archive():
    dpo = dpo_user()
    subject = client_to_erase()
    request = erasure_request(subject, actor=dpo)
    assert active_dump_hits()  # the search finds the person before

    result = _erase(request, dpo)

    assert active_dump_hits() == []
    assert not DataSubject.objects.filter(pk=subject.pk).exists()
    assert not Invoice.objects.exists()
    kept = {(k.record_type, k.keep_until) for k in ErasureKeep.objects.filter(subject_ref=subject.pk)}
    assert kept == {
        ("subjects.invoice", dt.date(2032, 12, 31)),
        ("subjects.payment", dt.date(2032, 12, 31)),
        ("subjects.contract", dt.date(2028, 6, 30)),
    }
    invoice = ErasureKeep.objects.get(record_type="subjects.invoice")
    assert invoice.payload["billing_name"] == "Mélisande Quenehervé-Brunehaut"
    assert invoice.ground == "17_3_b"
    request.refresh_from_db()
    assert request.state == State.COMPLETED
    assert request.subject_id is None
    assert result.record.approved_by_username == "dpo"


def test_erasure_record_is_a_proof_without_personal_values():
    dpo = dpo_user()
    subject = client_to_erase()
    request = erasure_request(subject, actor=dpo)

    record = _erase(request, dpo).record

    record = ErasureRecord.objects.get(pk=record.pk)
    assert record.subject_ref == subject.pk
    assert record.counts["subjects.tickets"] == 1
    assert {item["source"]: item["until"] for item in record.kept} == {
        "subjects.invoices": "2032-12-31",
        "subjects.contracts": "2028-06-30",
    }
    events = AuditEvent.objects.filter(subject_id=subject.pk, action=AuditEvent.Action.DELETE)
    assert events.filter(reason__startswith=f"erasure {record.pk}").count() == 1


def test_report_letter_lists_kept_items_with_end_dates_and_goes_to_the_former_address():
    dpo = dpo_user()
    subject = client_to_erase()
    request = erasure_request(subject, actor=dpo)

    letter = _erase(request, dpo).letter

    assert letter.kind == Letter.Kind.ERASURE_REPORT
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(letter_pdf(letter))).pages)
    text = " ".join(text.split())
    assert "Données conservées" in text
    assert "31/12/2032" in text
    assert "30/06/2028" in text
    assert "123-22" in text
    assert "CNIL" in text
    assert "Quenehervé" not in text
    deliver()
    assert [message.to for message in mail.outbox] == [[IDENTIFIERS["email"].lower()]]


def test_report_letter_in_english():
    dpo = dpo_user()
    subject = client_to_erase(language="en")
    request = erasure_request(subject, actor=dpo)

    letter = _erase(request, dpo).letter

    text = " ".join("".join(p.extract_text() for p in PdfReader(BytesIO(letter_pdf(letter))).pages).split())
    assert "Data kept, why and until when" in text
    assert "31 Dec 2032" in text


def test_legal_hold_in_force_refuses_erasure_and_changes_nothing():
    dpo = dpo_user()
    subject = client_to_erase()
    request = erasure_request(subject, actor=dpo)
    hold_place(subject=subject, reason=LegalHold.Reason.DISPUTE, review_on=dt.date(2030, 1, 1), actor=dpo)

    with pytest.raises(ValidationError) as error:
        _erase(request, dpo)

    assert "legal hold" in " ".join(error.value.messages)
    assert DataSubject.objects.filter(pk=subject.pk, email=IDENTIFIERS["email"].lower()).exists()
    assert ErasureRecord.objects.count() == 0
    request.refresh_from_db()
    assert request.state == State.IN_PROGRESS


def test_failure_in_the_middle_leaves_the_subject_untouched():
    dpo = dpo_user()
    subject = client_to_erase()
    request = erasure_request(subject, actor=dpo)
    before = active_dump_hits()
    tickets = registry.get("subjects.tickets")
    real_steps = type(tickets).disposal_steps

    def steps_failing_once_written(self, subject_ids, *, disposal):
        # A Collect's ``then`` runs after the batch's statements have written: the failure comes
        # once rows of every source are already deleted or blanked inside the transaction.
        def fail(_values):
            raise RuntimeError("disk full")

        steps = real_steps(self, subject_ids, disposal=disposal)
        return [*steps, Collect(steps[0].queryset, "summary", then=fail)]

    with (
        mock.patch.object(type(tickets), "disposal_steps", steps_failing_once_written),
        pytest.raises(RuntimeError),
    ):
        _erase(request, dpo)

    assert active_dump_hits() == before
    assert Invoice.objects.filter(subject=subject).count() == 1
    assert ErasureRecord.objects.count() == ErasureKeep.objects.count() == ErasureTombstone.objects.count() == 0
    assert Letter.objects.count() == 0
    assert mail.outbox == []
    request.refresh_from_db()
    assert (request.state, request.requester_email) == (State.IN_PROGRESS, IDENTIFIERS["email"].lower())


def test_only_the_dpo_executes_an_erasure():
    support = support_user()
    subject = client_to_erase()
    request = erasure_request(subject, actor=support)

    with pytest.raises(PermissionDenied):
        _erase(request, support)

    assert DataSubject.objects.filter(pk=subject.pk).exists()


def test_a_request_without_erasure_cannot_erase():
    dpo = dpo_user()
    subject = client_to_erase()
    request = erasure_request(subject, rights=(Right.ACCESS,), actor=dpo)

    with pytest.raises(ValidationError):
        _erase(request, dpo)


def test_tombstone_holds_keyed_hashes_only():
    dpo = dpo_user()
    subject = client_to_erase()

    record = _erase(erasure_request(subject, actor=dpo), dpo).record

    tombstone = record.tombstone
    assert tombstone.email_hash == identifier_hash(IdentifierKind.EMAIL, IDENTIFIERS["email"])
    assert tombstone.phone_hash == identifier_hash(IdentifierKind.PHONE, "+33671829304")


@pytest.mark.parametrize("right", [Right.OBJECTION_MARKETING, Right.OBJECTION])
def test_erasure_after_objection_leaves_a_suppression_entry(right):
    dpo = dpo_user()
    subject = client_to_erase()
    request = erasure_request(subject, rights=(Right.ERASURE, right), actor=dpo)

    record = _erase(request, dpo, ground=ErasureGround.OBJECTION).record

    digest = identifier_hash(IdentifierKind.EMAIL, IDENTIFIERS["email"])
    entry = Suppression.objects.get(identifier_hash=digest, channel=ALL_CHANNELS)
    assert entry.reason == Suppression.Reason.OBJECTION
    assert record.suppression_added is True


def test_erasure_after_unsubscription_leaves_a_withdrawal_suppression():
    dpo = dpo_user()
    subject = client_to_erase()
    subject.roles.update(unsubscribed_on=dt.date(2025, 1, 1))

    _erase(erasure_request(subject, actor=dpo), dpo)

    digest = identifier_hash(IdentifierKind.PHONE, IDENTIFIERS["phone"])
    assert Suppression.objects.get(identifier_hash=digest).reason == Suppression.Reason.WITHDRAWAL


def test_plain_erasure_leaves_no_suppression_entry():
    dpo = dpo_user()
    subject = client_to_erase()

    record = _erase(erasure_request(subject, actor=dpo), dpo).record

    assert Suppression.objects.count() == 0
    assert record.suppression_added is False


def test_request_file_survives_without_requester_details():
    dpo = dpo_user()
    subject = client_to_erase()
    request = erasure_request(subject, actor=dpo)

    _erase(request, dpo)

    kept = Request.objects.get(pk=request.pk)
    assert (kept.requester_name, kept.requester_email, kept.requester_phone) == ("", "", "")
    assert kept.erasures.count() == 1


def test_no_identifier_reaches_the_logs_or_the_audit_trail(caplog):
    dpo = dpo_user()
    subject = client_to_erase()
    request = erasure_request(subject, actor=dpo)
    caplog.set_level("DEBUG")

    _erase(request, dpo)

    logged = caplog.text.lower()
    assert [needle for needle in _needles() if needle.lower() in logged] == []
    trail = " ".join(str(vars(event)) for event in AuditEvent.objects.all()).lower()
    assert [needle for needle in _needles() if needle.lower() in trail] == []


def test_earlier_letters_files_and_staff_notes_go_with_the_person():
    from django.core.files.storage import default_storage

    from requests_dsar import services
    from requests_dsar.letters import letter_send

    dpo = dpo_user()
    subject = client_to_erase()
    request = erasure_request(subject, actor=dpo)
    acknowledgement = letter_send(request=request, kind=Letter.Kind.ACKNOWLEDGEMENT, actor=dpo)
    deliver()
    path = acknowledgement.pdf.name
    services.request_add_note(request=request, text="Mme Quenehervé-Brunehaut a rappelé", actor=dpo)
    assert default_storage.exists(path)

    _erase(request, dpo)

    acknowledgement.refresh_from_db()
    assert not default_storage.exists(path)
    assert acknowledgement.pdf.name == ""
    assert acknowledgement.sent_at is not None
    assert request.events.filter(kind="note").get().reason == ""
    assert active_dump_hits() == []
