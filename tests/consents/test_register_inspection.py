"""The register ready for an inspection (Art. 30(1), R3.1): validation, processors, transfers, measures, PDF."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from consents import services
from consents.export import register_csv, register_pdf
from consents.models import ProcessingActivity, Recipient, RegisterVersion, TransferMechanism
from consents.public_text import without_internal_references
from consents.transfers import activities_missing_transfer_safeguards, missing_transfer_safeguards_count
from ijinus_privacy.models import AuditEvent
from tests.factories import complete_activity, dpo_user, sales_user, support_user

pytestmark = pytest.mark.django_db

PARIS = dt.timezone(dt.timedelta(hours=1))


def pdf_text(activities=None) -> str:
    reader = PdfReader(io.BytesIO(register_pdf(activities)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_r3_1_1_the_dpo_validates_an_entry_with_name_date_version_and_audit_event():
    activity = complete_activity()
    dpo = dpo_user(first_name="Anne", last_name="Kerouac")

    with time_machine.travel(dt.datetime(2026, 12, 5, 10, 0, tzinfo=PARIS), tick=False):
        services.activity_validate(activity=activity, actor=dpo)

    activity.refresh_from_db()
    assert activity.status == ProcessingActivity.Status.VALIDATED
    assert (activity.validated_by, activity.validated_by_name) == (dpo, "Anne Kerouac")
    assert activity.validated_at == dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    version = RegisterVersion.objects.for_object(activity).get(version=activity.version)
    assert version.reason == "Validated by the DPO (Anne Kerouac)"
    assert version.changed_by_username == "dpo"
    event = (
        AuditEvent.objects.filter(object_type="consents.processingactivity", object_id=str(activity.pk))
        .order_by("-id")
        .first()
    )
    assert (event.action, event.actor_username) == (AuditEvent.Action.CHANGE, "dpo")
    assert "validated_by_name" in event.fields


@pytest.mark.parametrize("make_user", [support_user, sales_user])
def test_r3_1_1_only_the_dpo_validates(make_user):
    activity = complete_activity()

    with pytest.raises(PermissionDenied):
        services.activity_validate(activity=activity, actor=make_user())

    activity.refresh_from_db()
    assert activity.status == ProcessingActivity.Status.DRAFT


def test_r3_1_1_validation_is_a_step_of_its_own_not_a_status_edit():
    activity = complete_activity()

    with pytest.raises(ValidationError, match="DPO's validation step"):
        services.activity_update(activity=activity, changes={"status": "validated"}, actor=dpo_user())


def test_r3_1_1_a_validated_entry_that_changes_goes_back_to_review():
    activity = services.activity_validate(activity=complete_activity(), actor=dpo_user())

    services.activity_update(activity=activity, changes={"retention": "2 years after the last contact"}, actor=None)

    activity.refresh_from_db()
    assert activity.status == ProcessingActivity.Status.TO_REVIEW
    assert (activity.validated_by_name, activity.validated_at) == ("", None)
    previous = RegisterVersion.objects.for_object(activity).get(version=activity.version).previous_state
    assert previous["validated_by_name"] == "dpo"


def test_r3_1_1_a_change_of_a_recipient_re_opens_the_validated_entries_using_it():
    activity = services.activity_validate(
        activity=complete_activity(recipients=["staff-sales", "crm"], transfers_outside_eu="yes"), actor=dpo_user()
    )
    crm = Recipient.objects.get(code="crm")
    crm.country = "US"
    crm.transfer_mechanism = TransferMechanism.SCC

    services.recipient_save(recipient=crm, actor=dpo_user(), reason="CRM identified")

    activity.refresh_from_db()
    assert activity.status == ProcessingActivity.Status.TO_REVIEW
    assert RegisterVersion.objects.for_object(activity).get(version=activity.version).reason == (
        "Re-opened: recipient CRM provider changed"
    )


def test_r3_1_2_processors_are_named_per_activity():
    emailing = Recipient.objects.get(code="emailing")
    emailing.company_name = "Brevo SAS"
    emailing.country = "FR"
    emailing.transfer_mechanism = TransferMechanism.NONE
    services.recipient_save(recipient=emailing, actor=None)
    newsletter = ProcessingActivity.objects.get(code="P07")

    assert [(r.name, r.company_name) for r in newsletter.processors()] == [("E-mailing tool", "Brevo SAS")]
    prospects = ProcessingActivity.objects.get(code="P01")
    assert "processor not named: CRM provider (Art. 28)" in prospects.accountability_gaps()
    text = pdf_text(ProcessingActivity.objects.with_register().filter(code="P07"))
    assert "Processors (Art. 28) E-mailing tool — Brevo SAS — FR" in text


def test_r3_1_2_transfers_missing_a_country_safeguard_or_impact_assessment_are_listed():
    crm = Recipient.objects.get(code="crm")
    crm.country = "US"
    crm.transfer_mechanism = TransferMechanism.SCC
    services.recipient_save(recipient=crm, actor=None)

    gaps = {gap.activity.code: gap.missing for gap in activities_missing_transfer_safeguards()}

    assert gaps["P01"]["CRM provider"] == ["transfer impact assessment (date and reference)"]
    assert gaps["P07"]["E-mailing tool"] == ["country", "safeguard"]
    assert "P02" not in gaps  # quotations stay with internal staff
    assert "External accountant and auditors" in gaps["P04"]  # its location is not known yet
    crm.tia_reference = "TIA-2026-01"
    crm.tia_date = dt.date(2026, 11, 2)
    services.recipient_save(recipient=crm, actor=None)
    gaps = {gap.activity.code: gap.missing for gap in activities_missing_transfer_safeguards()}
    assert "P01" not in gaps  # its only transfer is now documented
    assert missing_transfer_safeguards_count() == len(gaps)


def test_r3_1_2_an_adequacy_decision_needs_no_impact_assessment():
    crm = Recipient.objects.get(code="crm")
    crm.country = "CH"
    crm.transfer_mechanism = TransferMechanism.ADEQUACY

    assert crm.transfer_gaps() == []


def test_r3_1_2_the_transfer_shows_country_safeguard_and_tia_in_the_pdf_and_csv():
    crm = Recipient.objects.get(code="crm")
    crm.country, crm.transfer_mechanism = "US", TransferMechanism.SCC
    crm.tia_reference, crm.tia_date = "TIA-2026-01", dt.date(2026, 11, 2)
    services.recipient_save(recipient=crm, actor=None)
    activities = ProcessingActivity.objects.with_register().filter(code="P01")

    text = pdf_text(activities)
    csv_text = register_csv(activities)

    assert "Country: US — Safeguard: Standard contractual clauses" in text
    assert "Transfer impact assessment: TIA-2026-01 (2026-11-02)" in text
    assert "TIA: TIA-2026-01 (2026-11-02)" in csv_text


def test_r5_2_5_security_measures_differ_per_activity():
    measures = {
        activity.code: frozenset(activity.security_measures.values_list("code", flat=True))
        for activity in ProcessingActivity.objects.all()
    }

    assert len(set(measures.values())) > 5
    assert "archive_separation" in measures["P04"]
    assert "archive_separation" not in measures["P09"]
    assert "password_encryption" in measures["P05"]
    assert "password_encryption" not in measures["P12"]
    assert all({"dpo", "access_permissions"} <= codes for codes in measures.values())


def test_r3_1_2_every_activity_states_its_software_or_systems():
    assert list(ProcessingActivity.objects.filter(software="").values_list("code", flat=True)) == []
    assert ProcessingActivity.objects.get(code="P05").software.startswith("v2.ijitrack.com")


def test_r3_3_the_careers_site_candidates_are_an_activity():
    careers = ProcessingActivity.objects.get(code="P16")

    assert careers.name == "Recruitment: candidates of the careers site"
    assert list(careers.subject_categories.values_list("code", flat=True)) == ["candidate"]
    assert {p.legal_basis for p in careers.purposes.all()} == {"a", "b"}
    assert "application" in careers.data_category_links.values_list("category__code", flat=True)
    assert "2 years after the last contact" in careers.retention
    assert careers.status == ProcessingActivity.Status.TO_REVIEW
    assert RegisterVersion.objects.for_object(careers).get(version=1).reason.startswith("Careers-site candidates")


def test_r3_1_4_the_register_pdf_carries_no_internal_reference():
    text = pdf_text()

    assert "Recruitment: candidates of the careers site" in text
    assert "Not yet validated by the DPO" in text
    for internal in (r"\bP\d{2}\b", r"\bR\d+\.\d", "LEGAL", "§", "⚑"):
        assert re.search(internal, text) is None, internal


def test_r3_1_4_the_pdf_names_the_dpo_who_validated_the_entry():
    activity = services.activity_validate(
        activity=complete_activity(), actor=dpo_user(first_name="Anne", last_name="Kerouac")
    )

    text = pdf_text(ProcessingActivity.objects.with_register().filter(pk=activity.pk))

    assert "Validated by Anne Kerouac, Data Protection Officer, on" in text


def test_internal_references_are_taken_out_and_the_law_kept():
    text = "Answering quotation requests (policy §9.2; LEGAL.md R3.3 #2) under Art. 6(1)(b) ⚑; see R5.4.2."

    assert without_internal_references(text) == "Answering quotation requests under Art. 6(1)(b); see."


def test_r3_1_4_policy_references_leave_readable_sentences():
    assert without_internal_references("Policy §4.1: customer relations by letter.") == "Customer relations by letter."
    assert without_internal_references("Partners not named; policy §7 mentions partners abroad.") == (
        "Partners not named; the policy mentions partners abroad."
    )
    assert without_internal_references("Policy §8.") == ""
    assert without_internal_references("Delivery (policy §6.2: subcontractors).") == "Delivery."


def test_r3_1_4_no_seeded_open_question_reads_garbled_once_cleaned():
    technical = Recipient.objects.get(code="staff-technical")

    assert "technical staff" in without_internal_references(technical.open_questions)
    assert "Named in, not in" not in pdf_text()
