"""The register seeded by migration from the policy and LEGAL.md R3.3."""

import pytest

from consents.models import Controller, LegalBasis, ProcessingActivity, Recipient, TransferMechanism

pytestmark = pytest.mark.django_db

EXPECTED_ORDER = {
    "P01": "Prospect management",
    "P02": "Quotation requests",
    "P03": "Customer management (sale and rental of sensors)",
    "P04": "Accounting and invoicing",
    "P05": "Monitoring platform v2.ijitrack.com",
    "P07": "Newsletter",
    "P09": "Cookies and audience measurement",
    "P11": "Handling data-subject rights requests",
    "P15": "Post-mortem directives",
}


def bases(code: str) -> set[str]:
    return set(ProcessingActivity.objects.get(code=code).purposes.values_list("legal_basis", flat=True))


def test_the_fifteen_entries_of_r33_are_seeded_in_order():
    codes = list(ProcessingActivity.objects.values_list("code", flat=True))

    assert codes[:15] == [f"P{n:02d}" for n in range(1, 16)]
    for code, name in EXPECTED_ORDER.items():
        assert ProcessingActivity.objects.get(code=code).name == name


def test_legal_bases_follow_r33():
    assert bases("P01") == {LegalBasis.LEGITIMATE_INTEREST, LegalBasis.CONSENT}
    assert bases("P03") >= {LegalBasis.CONTRACT}
    assert bases("P04") >= {LegalBasis.LEGAL_OBLIGATION}
    assert bases("P07") == {LegalBasis.CONSENT}
    assert bases("P11") == bases("P12") == bases("P14") == bases("P15") == {LegalBasis.LEGAL_OBLIGATION}
    accounting = ProcessingActivity.objects.get(code="P04").purposes.get(legal_basis=LegalBasis.LEGAL_OBLIGATION)
    assert "L.123-22" in accounting.legal_basis_detail


def test_every_entry_has_purposes_subjects_data_recipients_and_measures():
    for activity in ProcessingActivity.objects.with_register():
        assert activity.purposes.all(), activity.code
        assert activity.subject_categories.all(), activity.code
        assert activity.data_category_links.all(), activity.code
        assert activity.recipients.all(), activity.code
        assert activity.security_measures.count() >= 6, activity.code


def test_recipients_and_transfers_are_recorded_without_invented_facts():
    kinds = set(Recipient.objects.values_list("kind", flat=True))
    assert kinds == {k.value for k in Recipient.Kind}
    crm = Recipient.objects.get(code="crm")
    assert crm.country == ""
    assert crm.transfer_mechanism == TransferMechanism.TO_ASSESS
    assert crm.open_questions
    assert Recipient.objects.get(code="staff-sales").transfer_mechanism == TransferMechanism.NONE
    p01 = ProcessingActivity.objects.get(code="P01")
    assert [r.code for r in p01.transfer_recipients()] == ["crm"]
    assert ProcessingActivity.objects.get(code="P04").transfers_outside_eu == ProcessingActivity.Transfers.NONE


def test_dpo_questions_stay_visible():
    quotation = ProcessingActivity.objects.get(code="P02")

    assert "⚑" in quotation.open_questions
    assert set(ProcessingActivity.objects.exclude(code="P04").values_list("code", flat=True)) == set(
        ProcessingActivity.objects.with_open_questions().values_list("code", flat=True)
    )
    assert "rgpd@ijinus.fr" in Controller.current().open_questions


def test_controller_details_come_from_policy_section_2():
    controller = Controller.current()

    assert controller.name == "IJINUS SAS"
    assert "449 152 644" in controller.registration
    assert "MELLAC" in controller.address
    assert controller.dpo_email == "gdpr@ijinus.com"


def test_seeded_entries_carry_a_first_version():
    from consents.models import RegisterVersion

    versions = RegisterVersion.objects.filter(object_type="consents.processingactivity", version=1)

    assert versions.count() == 16  # P16 (careers site) joined in consents 0009
    assert versions.get(object_code="P07").previous_state is None


def test_completeness_flags_unknown_transfers_and_missing_retention():
    register = {a.code: a.missing_fields() for a in ProcessingActivity.objects.with_register()}

    assert register["P11"] == []
    assert any("(e)" in item for item in register["P01"])
    assert any("(f)" in item for item in register["P14"])


def test_running_the_seed_again_changes_nothing():
    import importlib

    from django.apps import apps

    from consents.models import RegisterVersion

    seed = importlib.import_module("consents.migrations.0002_seed_register").seed
    activity = ProcessingActivity.objects.get(code="P07")
    activity.retention = "Edited by the DPO"
    activity.save()
    counts = (ProcessingActivity.objects.count(), Recipient.objects.count(), RegisterVersion.objects.count())

    seed(apps, None)

    assert (ProcessingActivity.objects.count(), Recipient.objects.count(), RegisterVersion.objects.count()) == counts
    assert ProcessingActivity.objects.get(code="P07").retention == "Edited by the DPO"


def test_retention_texts_shown_to_data_subjects_carry_no_internal_references():
    from consents.models import ActivityDataCategory

    texts = [*ProcessingActivity.objects.values_list("retention", flat=True)]
    texts += ActivityDataCategory.objects.values_list("retention", flat=True)

    assert [text for text in texts if "LEGAL.md" in text or "⚑" in text] == []
