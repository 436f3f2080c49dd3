"""Import and export of subjects and roles (django-import-export): validated, all-or-nothing, audited."""

from __future__ import annotations

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ijinus_privacy.models import AuditEvent
from ijinus_privacy.spreadsheets import escape_formula
from subjects.models import DataSubject, SubjectRole
from subjects.resources import DataSubjectResource, SubjectRoleResource
from tests import factories as f
from tests.factories import dpo_user, support_user

pytestmark = pytest.mark.django_db

HEADERS = ("email", "kind", "last_name", "first_names", "date_of_birth", "phone", "language")


def _dataset(*rows) -> tablib.Dataset:
    return tablib.Dataset(*rows, headers=HEADERS)


def test_import_creates_and_upserts_on_the_normalised_email():
    existing = f.DataSubjectFactory(email="claire.morvan@exemple.fr", last_name="Morvan")
    dataset = _dataset(
        (" Claire.MORVAN@exemple.fr ", "professional", "Morvan-Le Bris", "Claire", "", "0298000000", "fr"),
        ("yann.kervella@exemple.fr", "consumer", "Kervella", "Yann", "1975-04-02", "", "en"),
    )

    result = DataSubjectResource(actor=dpo_user()).import_data(dataset)

    assert not result.has_errors()
    assert not result.has_validation_errors()
    existing.refresh_from_db()
    assert existing.last_name == "Morvan-Le Bris"
    assert DataSubject.objects.count() == 2
    created = DataSubject.objects.get(email="yann.kervella@exemple.fr")
    assert created.date_of_birth.isoformat() == "1975-04-02"
    assert AuditEvent.objects.filter(subject_id=created.pk, action=AuditEvent.Action.CREATE).exists()


def test_an_upsert_writes_each_persons_own_changes_and_the_preview_writes_none():
    anne = f.DataSubjectFactory(email="anne.le-goff@exemple.fr", last_name="Le Goff", first_names="Anne", phone="")
    paul = f.DataSubjectFactory(email="paul.riou@exemple.fr", last_name="Riou", first_names="Paul", phone="")
    dataset = _dataset(
        ("anne.le-goff@exemple.fr", "", "Le Goff-Tanguy", "", "", "", ""),
        ("paul.riou@exemple.fr", "", "", "Paul-Marie", "", "0298112233", ""),
    )

    preview = DataSubjectResource(actor=dpo_user()).import_data(dataset, dry_run=True)
    anne.refresh_from_db()
    assert not preview.has_errors()
    assert anne.last_name == "Le Goff"

    DataSubjectResource(actor=dpo_user()).import_data(dataset)

    anne.refresh_from_db()
    paul.refresh_from_db()
    assert (anne.last_name, anne.first_names, anne.phone) == ("Le Goff-Tanguy", "Anne", "")
    assert (paul.last_name, paul.first_names, paul.phone) == ("Riou", "Paul-Marie", "0298112233")
    changed = {
        event.subject_id: set(event.fields) for event in AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE)
    }
    assert changed == {anne.pk: {"last_name"}, paul.pk: {"first_names", "phone"}}


def test_one_bad_row_writes_nothing_and_reports_the_row_field_and_reason():
    f.DataSubjectFactory(email="claire.morvan@exemple.fr", last_name="Morvan")
    dataset = _dataset(
        ("claire.morvan@exemple.fr", "professional", "Changed", "Claire", "", "", "fr"),
        ("yann.kervella@exemple.fr", "consumer", "Kervella", "Yann", "", "", "fr"),
        ("pas-un-email", "consumer", "Guével", "Anne", "", "", "fr"),
        ("gwen@exemple.fr", "alien", "Le Du", "Gwen", "", "", "fr"),
    )
    audit_before = AuditEvent.objects.count()

    result = DataSubjectResource(actor=dpo_user()).import_data(dataset)

    assert result.has_validation_errors()
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(invalid) == {3, 4}
    assert "email" in invalid[3]
    assert "kind" in invalid[4]
    assert DataSubject.objects.count() == 1
    assert DataSubject.objects.get().last_name == "Morvan"
    assert AuditEvent.objects.count() == audit_before


def test_the_same_person_twice_in_a_file_is_refused():
    dataset = _dataset(
        ("anne@exemple.fr", "consumer", "Guével", "Anne", "", "", "fr"),
        ("ANNE@exemple.fr", "consumer", "Guevel", "Anne", "", "", "fr"),
    )

    result = DataSubjectResource().import_data(dataset)

    assert [row.number for row in result.invalid_rows] == [2]
    assert "row 1" in str(result.invalid_rows[0].error_dict["email"])
    assert not DataSubject.objects.exists()


def test_unknown_columns_are_ignored_by_the_allowlist():
    dataset = tablib.Dataset(("anne@exemple.fr", "Guével", "2020-01-01"), headers=("email", "last_name", "deceased_on"))

    DataSubjectResource().import_data(dataset)

    assert DataSubject.objects.get().deceased_on is None


def test_roles_import_links_by_email_and_reports_unknown_people():
    subject = f.DataSubjectFactory(email="anne@exemple.fr")
    headers = ("email", "role", "collected_on", "last_inbound_contact_on")
    good = tablib.Dataset(("ANNE@exemple.fr", "prospect", "2023-02-01", "2024-06-01"), headers=headers)
    bad = tablib.Dataset(
        ("anne@exemple.fr", "newsletter", "2023-02-01", ""),
        ("nobody@exemple.fr", "prospect", "2023-02-01", ""),
        headers=headers,
    )

    SubjectRoleResource().import_data(good)
    result = SubjectRoleResource().import_data(bad)

    role = SubjectRole.objects.get()
    assert (role.subject, role.role, role.last_inbound_contact_on.isoformat()) == (subject, "prospect", "2024-06-01")
    assert [row.number for row in result.invalid_rows] == [2]
    assert "email" in result.invalid_rows[0].error_dict


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 2 98 00 00 00", "'+33 2 98 00 00 00"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Morvan", "Morvan"),
        (None, None),
    ],
)
def test_formula_escaping(value, expected):
    assert escape_formula(value) == expected


def test_export_escapes_formulas_and_audits_each_subject():
    subject = f.DataSubjectFactory(last_name="=cmd|' /C calc'!A0", phone="+33298000000")

    dataset = DataSubjectResource(actor=dpo_user()).export(DataSubject.objects.all())

    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["last_name"] == "'=cmd|' /C calc'!A0"
    assert row["phone"] == "'+33298000000"
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.subject_id == subject.pk
    assert "last_name" in event.fields
    assert "calc" not in str(vars(event))


def test_only_the_dpo_imports_and_exports_in_the_admin(client):
    client.force_login(support_user())
    assert client.get(reverse("admin:subjects_datasubject_import")).status_code == 403
    assert client.get(reverse("admin:subjects_datasubject_export")).status_code == 403

    client.force_login(dpo_user())
    assert client.get(reverse("admin:subjects_datasubject_import")).status_code == 200
    assert client.get(reverse("admin:subjects_datasubject_export")).status_code == 200


def test_admin_import_with_a_bad_row_writes_nothing_and_keeps_no_file(client, settings, tmp_path):
    from pathlib import Path

    client.force_login(dpo_user())
    csv = b"email,kind,last_name\nanne@exemple.fr,consumer,Guevel\nbad-address,consumer,Le Du\n"

    response = client.post(
        reverse("admin:subjects_datasubject_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("people.csv", csv, content_type="text/csv"),
        },
    )

    assert response.status_code == 200
    invalid = response.context["result"].invalid_rows
    assert [(row.number, list(row.error_dict)) for row in invalid] == [(2, ["email"])]
    assert not DataSubject.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_admin_import_happy_path(client, settings):
    from pathlib import Path

    client.force_login(dpo_user())
    csv = b"email,kind,last_name\nAnne@Exemple.fr,consumer,Guevel\nyann@exemple.fr,professional,Kervella\n"

    response = client.post(
        reverse("admin:subjects_datasubject_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("people.csv", csv, content_type="text/csv"),
        },
    )

    assert response.status_code == 200  # the preview: nothing written before the DPO confirms
    assert not DataSubject.objects.exists()
    confirm = response.context["confirm_form"].initial
    response = client.post(reverse("admin:subjects_datasubject_process_import"), confirm)

    assert response.status_code == 302
    assert sorted(DataSubject.objects.values_list("email", flat=True)) == ["anne@exemple.fr", "yann@exemple.fr"]
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))
