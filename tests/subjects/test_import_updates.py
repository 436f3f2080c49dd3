"""Issue 12, item 5: a subjects import previews each person's changes, keeps values on empty cells,
clears only on the explicit marker, and audits the names of the fields that changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import tablib
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ijinus_privacy.models import AuditEvent
from subjects.models import DataSubject, SubjectRole
from subjects.resources import DataSubjectResource, SubjectRoleResource
from tests import factories as f
from tests.factories import dpo_user

pytestmark = pytest.mark.django_db


def _person() -> DataSubject:
    return f.DataSubjectFactory(
        email="claire.morvan@exemple.fr",
        last_name="Morvan",
        first_names="Claire",
        phone="0298000000",
        city="Quimper",
        job_title="Acheteuse",
    )


def _upload(client, csv: bytes):
    return client.post(
        reverse("admin:subjects_datasubject_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("people.csv", csv, content_type="text/csv")},
    )


def test_the_preview_shows_old_and_new_per_person_and_writes_nothing_until_confirmed(client, settings):
    person = _person()
    client.force_login(dpo_user())
    csv = (
        b"email,last_name,city,phone\n"
        b"claire.morvan@exemple.fr,Morvan-Le Bris,Brest,\n"
        b"yann.kervella@exemple.fr,Kervella,Lorient,\n"
    )

    preview = _upload(client, csv)

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "last_name: Morvan → Morvan-Le Bris" in page
    assert "city: Quimper → Brest" in page
    assert "phone:" not in page.split('id="import-changes"')[1]  # empty cell: no change shown
    assert "yann.kervella@exemple.fr" in page
    person.refresh_from_db()
    assert (person.last_name, person.city) == ("Morvan", "Quimper")
    assert not DataSubject.objects.filter(email="yann.kervella@exemple.fr").exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))

    done = client.post(reverse("admin:subjects_datasubject_process_import"), preview.context["confirm_form"].initial)

    assert done.status_code == 302
    person.refresh_from_db()
    assert (person.last_name, person.city, person.phone) == ("Morvan-Le Bris", "Brest", "0298000000")
    assert DataSubject.objects.filter(email="yann.kervella@exemple.fr").exists()


def test_an_expired_or_altered_preview_is_refused_and_nothing_is_written(client):
    person = _person()
    client.force_login(dpo_user())
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        preview = _upload(client, b"email,city\nclaire.morvan@exemple.fr,Brest\n")
    confirm = preview.context["confirm_form"].initial

    with time_machine.travel(dt.datetime(2026, 11, 2, 11, 0, tzinfo=dt.UTC), tick=False):
        expired = client.post(reverse("admin:subjects_datasubject_process_import"), confirm, follow=True)
    altered = client.post(
        reverse("admin:subjects_datasubject_process_import"),
        {**confirm, "import_file_name": confirm["import_file_name"][:-8] + "AAAAAAAA"},
        follow=True,
    )

    for response in (expired, altered):
        assert response.status_code == 200
        assert "This preview has expired or was altered" in response.content.decode()
    person.refresh_from_db()
    assert person.city == "Quimper"


def test_an_empty_cell_keeps_the_stored_value():
    person = _person()
    dataset = tablib.Dataset(
        ("claire.morvan@exemple.fr", "", "", "Brest", ""), headers=("email", "last_name", "phone", "city", "job_title")
    )

    result = DataSubjectResource(actor=dpo_user()).import_data(dataset)

    assert not result.has_validation_errors()
    person.refresh_from_db()
    assert (person.last_name, person.phone, person.city, person.job_title) == (
        "Morvan",
        "0298000000",
        "Brest",
        "Acheteuse",
    )


def test_the_clear_marker_empties_the_field():
    person = _person()
    dataset = tablib.Dataset(
        ("claire.morvan@exemple.fr", "<clear>", " <CLEAR> "), headers=("email", "job_title", "phone")
    )

    result = DataSubjectResource(actor=dpo_user()).import_data(dataset)

    assert not result.has_validation_errors()
    person.refresh_from_db()
    assert (person.job_title, person.phone, person.last_name) == ("", "", "Morvan")


def test_clearing_a_required_field_is_refused_with_the_row_and_field():
    person = _person()
    dataset = tablib.Dataset(("claire.morvan@exemple.fr", "<clear>"), headers=("email", "kind"))

    result = DataSubjectResource(actor=dpo_user()).import_data(dataset)

    assert [(row.number, list(row.error_dict)) for row in result.invalid_rows] == [(1, ["kind"])]
    person.refresh_from_db()
    assert person.kind


def test_an_empty_date_cell_keeps_a_roles_contract_end():
    person = _person()
    role = f.SubjectRoleFactory(
        subject=person, role=SubjectRole.Role.INACTIVE_CLIENT, contract_end_on=dt.date(2024, 6, 30)
    )
    dataset = tablib.Dataset(
        ("claire.morvan@exemple.fr", "inactive_client", "", ""),
        headers=("email", "role", "collected_on", "contract_end_on"),
    )

    result = SubjectRoleResource(actor=dpo_user()).import_data(dataset)

    assert not result.has_validation_errors()
    role.refresh_from_db()
    assert role.contract_end_on == dt.date(2024, 6, 30)


def test_the_audit_event_of_an_update_lists_the_changed_fields_only_and_unchanged_rows_are_not_audited():
    person = _person()
    other = f.DataSubjectFactory(email="anne@exemple.fr", last_name="Guével", city="Brest")
    dataset = tablib.Dataset(
        ("claire.morvan@exemple.fr", "Morvan", "Brest", "<clear>"),
        ("anne@exemple.fr", "Guével", "Brest", ""),
        headers=("email", "last_name", "city", "job_title"),
    )
    before = AuditEvent.objects.count()

    DataSubjectResource(actor=dpo_user()).import_data(dataset)

    events = list(AuditEvent.objects.filter(pk__gt=before, action=AuditEvent.Action.CHANGE))
    assert [(event.subject_id, sorted(event.fields)) for event in events] == [(person.pk, ["city", "job_title"])]
    assert "Brest" not in str(vars(events[0]))
    assert not AuditEvent.objects.filter(pk__gt=before, subject_id=other.pk).exists()
