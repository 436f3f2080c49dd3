"""A large file that changes people on file (issue 13, imports at scale; issue 12, item 5): the worker
works out every change without writing, the DPO reads them on the job page and confirms or cancels;
the confirmed write makes exactly the previewed changes, all or nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ijinus_privacy import audit
from ijinus_privacy.models import AuditEvent
from subjects.import_jobs import import_uploads_sweep
from subjects.models import DataSubject, ImportJob, SubjectRole
from tests import factories as f
from tests.factories import dpo_user, support_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_thresholds(settings):
    settings.IMPORT_SYNC_MAX_ROWS = 0  # every file below is "large"
    settings.IMPORT_BATCH_ROWS = 2  # several batches even in a small file


@pytest.fixture
def people():
    return [
        f.DataSubjectFactory(email="anne.morvan@exemple.fr", last_name="Morvan", city="Brest", consumer=True),
        f.DataSubjectFactory(email="yann.le-goff@exemple.fr", last_name="Le Goff", city="Quimper", consumer=True),
        f.DataSubjectFactory(email="nolwenn.guevel@exemple.fr", last_name="Guevel", city="Lorient", consumer=True),
    ]


# Anne moves to Rennes, Yann is unchanged, Nolwenn moves to Vannes, Gwen is new.
FILE = (
    b"email,kind,last_name,city\n"
    b"anne.morvan@exemple.fr,consumer,Morvan,Rennes\n"
    b"yann.le-goff@exemple.fr,consumer,Le Goff,Quimper\n"
    b"nolwenn.guevel@exemple.fr,consumer,Guevel,Vannes\n"
    b"gwen.riou@exemple.fr,consumer,Riou,Morlaix\n"
)


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    def send(content: bytes = FILE, *, resource: str = "0"):
        client.force_login(dpo_user())
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse(
                    "admin:subjects_datasubject_import" if resource == "0" else "admin:subjects_subjectrole_import"
                ),
                {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("people.csv", content)},
            )
        assert response.status_code == 302
        return ImportJob.objects.get()

    return send


def _files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return sorted(path for path in media.rglob("*") if path.is_file()) if media.exists() else []


def _cities() -> dict[str, str]:
    return dict(DataSubject.objects.values_list("email", "city"))


def _post(client, job: ImportJob, action: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse(f"admin:subjects_importjob_{action}", args=[job.pk]))


def test_a_file_changing_people_on_file_waits_for_the_dpo_with_every_change_counted_and_nothing_written(
    people, upload, settings
):
    job = upload()

    assert job.status == ImportJob.Status.AWAITING
    assert job.stage == ImportJob.Stage.PREVIEW
    assert job.column_changes == {"new": 1, "changed": 2, "unchanged": 1, "columns": {"city": 2}}
    assert _cities() == {
        "anne.morvan@exemple.fr": "Brest",
        "yann.le-goff@exemple.fr": "Quimper",
        "nolwenn.guevel@exemple.fr": "Lorient",
    }  # nothing written, Gwen not created
    stored = _files(settings)
    assert [path.name for path in stored] == [f"{job.pk}-preview.enc", f"{job.pk}.enc"]
    assert all(b"Rennes" not in path.read_bytes() and b"Brest" not in path.read_bytes() for path in stored)


def test_the_job_page_shows_each_change_old_and_new_and_offers_confirm_and_cancel(client, people, upload):
    job = upload()

    html = client.get(reverse("admin:subjects_importjob_change", args=[job.pk])).text

    assert "Changes to confirm: nothing has been written yet" in html
    assert "This file adds 1 new and changes 2 on file; 1 rows change nothing." in html
    assert "<strong>city</strong> (2)" in html
    assert "<td>city</td><td>Brest</td><td>Rennes</td>" in html
    assert "<td>city</td><td>Lorient</td><td>Vannes</td>" in html
    assert 'id="import-confirm"' in html
    assert 'id="import-cancel"' in html
    assert 'http-equiv="refresh"' not in html  # nothing runs: the DPO reads at leisure


def test_confirming_writes_exactly_the_previewed_changes_audited_per_person_and_deletes_the_files(
    client, people, upload, settings, django_capture_on_commit_callbacks
):
    job = upload()

    response = _post(client, job, "confirm", django_capture_on_commit_callbacks)

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.stage, job.rows_created, job.rows_updated, job.rows_unchanged) == ("done", "write", 1, 2, 1)
    assert job.confirmed_by_username == "dpo"
    assert _cities() == {
        "anne.morvan@exemple.fr": "Rennes",
        "yann.le-goff@exemple.fr": "Quimper",
        "nolwenn.guevel@exemple.fr": "Vannes",
        "gwen.riou@exemple.fr": "Morlaix",
    }
    changes = AuditEvent.objects.filter(action=audit.Action.CHANGE, object_type="subjects.datasubject")
    assert sorted(changes.values_list("subject_id", flat=True)) == sorted([people[0].pk, people[2].pk])
    assert all(event.fields == ["city"] for event in changes)
    assert _files(settings) == []
    page = client.get(reverse("admin:subjects_importjob_change", args=[job.pk])).text
    assert "Imported: 1 new, 2 changed." in page


def test_a_person_changed_after_the_preview_makes_the_confirmed_write_fail_and_write_nothing(
    client, people, upload, settings, django_capture_on_commit_callbacks
):
    job = upload()
    DataSubject.objects.filter(pk=people[0].pk).update(city="Rennes")  # someone edited Anne meanwhile

    _post(client, job, "confirm", django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [
        "The people on file changed after the preview: nothing was written. Upload the file again to see "
        "the changes as they are now."
    ]
    assert _cities()["nolwenn.guevel@exemple.fr"] == "Lorient"
    assert "gwen.riou@exemple.fr" not in _cities()
    assert _files(settings) == []


def test_cancelling_writes_nothing_and_deletes_the_upload_and_the_preview(
    client, people, upload, settings, django_capture_on_commit_callbacks
):
    job = upload()

    _post(client, job, "cancel", django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    assert _cities()["anne.morvan@exemple.fr"] == "Brest"
    assert _files(settings) == []
    assert AuditEvent.objects.filter(reason=f"Import #{job.pk} cancelled").exists()


def test_customer_service_can_neither_confirm_nor_see_the_buttons(
    client, people, upload, django_capture_on_commit_callbacks
):
    job = upload()
    client.force_login(support_user())

    response = _post(client, job, "confirm", django_capture_on_commit_callbacks)

    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == ImportJob.Status.AWAITING


def test_a_refused_row_fails_the_preview_with_its_reason_and_keeps_no_file(people, upload, settings):
    job = upload(FILE + b"not-an-address,consumer,Kerjean,Brest\n")

    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0].startswith("Row 5, email:")
    assert _cities()["anne.morvan@exemple.fr"] == "Brest"
    assert _files(settings) == []


def test_a_preview_nobody_confirms_is_cancelled_by_the_sweep_after_a_day(people, upload, settings):
    job = upload()

    with time_machine.travel(timezone.now() + timedelta(hours=settings.IMPORT_ABANDONED_HOURS, minutes=1)):
        removed = import_uploads_sweep()

    job.refresh_from_db()
    assert removed == 2
    assert job.status == ImportJob.Status.CANCELLED
    assert "Nobody confirmed these changes within" in job.errors[0]
    assert _files(settings) == []


def test_the_sweep_keeps_the_files_of_a_preview_still_waiting(people, upload, settings):
    job = upload()

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        removed = import_uploads_sweep()

    assert removed == 0
    assert len(_files(settings)) == 2
    job.refresh_from_db()
    assert job.status == ImportJob.Status.AWAITING


def test_a_roles_file_naming_roles_on_file_is_previewed_too(people, upload):
    SubjectRole.objects.create(subject=people[0], role="prospect", collected_on="2025-01-10")
    content = (
        b"email,role,collected_on,last_inbound_contact_on\n"
        b"anne.morvan@exemple.fr,prospect,2025-01-10,2025-06-01\n"  # a later contact: a change
        b"yann.le-goff@exemple.fr,prospect,2025-02-01,\n"  # a new role
    )

    job = upload(content, resource="roles")

    assert job.status == ImportJob.Status.AWAITING, job.errors
    assert job.column_changes == {
        "new": 1,
        "changed": 1,
        "unchanged": 0,
        "columns": {"last_inbound_contact_on": 1},
    }
    assert SubjectRole.objects.count() == 1
