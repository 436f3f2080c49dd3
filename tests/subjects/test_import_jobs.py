"""Large subjects files are imported in the background (issue 12, item 16; T5): the upload request
queues a job, a worker checks every row and then writes all of them or none, the upload is deleted."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ijinus_privacy import audit
from ijinus_privacy.models import AuditEvent
from subjects.import_jobs import import_job_run
from subjects.models import DataSubject, ImportJob
from tests import factories as f
from tests.factories import dpo_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_thresholds(settings):
    settings.IMPORT_SYNC_MAX_ROWS = 0  # every file below is "large"
    settings.IMPORT_BATCH_ROWS = 2  # several batches even in a small file


def _csv(*rows: str) -> bytes:
    return ("email,kind,last_name\n" + "".join(f"{row}\n" for row in rows)).encode()


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """Post a file to the subjects import as the DPO; ``run``: let the queued task run (eager Celery)."""

    def send(content: bytes, *, run: bool = True):
        client.force_login(dpo_user())
        with django_capture_on_commit_callbacks(execute=run):
            return client.post(
                reverse("admin:subjects_datasubject_import"),
                {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("people.csv", content)},
            )

    return send


def _stored_files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def test_the_upload_request_only_queues_the_job_and_stores_the_file_encrypted(client, settings, upload):
    content = _csv(*(f"person{n}@exemple.fr,consumer,Guevel" for n in range(5)))

    response = upload(content, run=False)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:subjects_importjob_change", args=[job.pk])
    assert (job.status, job.kind, job.created_by_username) == (ImportJob.Status.PENDING, "subjects", "dpo")
    assert not DataSubject.objects.exists()
    [stored] = _stored_files(settings)
    assert b"person0@exemple.fr" not in stored.read_bytes()


def test_a_valid_file_is_imported_by_the_job_audited_and_its_upload_deleted(
    client, settings, monkeypatch, tmp_path, upload
):
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # the upload itself goes through a temporary file
    content = _csv(*(f"Person{n}@Exemple.fr,consumer,Guevel" for n in range(5)))

    upload(content)

    job = ImportJob.objects.get()
    assert (job.status, job.rows_checked, job.rows_created, job.rows_updated) == ("done", 5, 5, 0)
    assert sorted(DataSubject.objects.values_list("email", flat=True)) == [f"person{n}@exemple.fr" for n in range(5)]
    per_person = AuditEvent.objects.filter(object_type="subjects.datasubject", reason__startswith="Admin import")
    assert per_person.filter(action=AuditEvent.Action.CREATE).count() == 5
    assert set(per_person.values_list("subject_id", flat=True)) == set(DataSubject.objects.values_list("pk", flat=True))
    assert set(per_person.values_list("fields", flat=True).first()) == {"email", "kind", "last_name"}
    assert AuditEvent.objects.filter(object_type="subjects.importjob", reason__startswith="Background import").exists()
    assert audit.verify_chain() is None  # the events written in bulk chain like any others
    assert job.file_path == ""
    assert _stored_files(settings) == []
    assert list(system_tmp.iterdir()) == []


def test_the_job_page_shows_the_progress(client, upload):
    upload(_csv("anne@exemple.fr,consumer,Guevel"))

    page = client.get(reverse("admin:subjects_importjob_change", args=[ImportJob.objects.get().pk]))

    assert page.status_code == 200
    assert "Done" in page.content.decode()


def test_one_invalid_row_fails_the_job_with_row_level_reasons_and_writes_nothing(client, settings, upload):
    content = _csv(
        "anne@exemple.fr,consumer,Guevel",
        "yann@exemple.fr,consumer,Kervella",
        "not-an-address,consumer,Le Du",
        "claire@exemple.fr,nobody-kind,Morvan",
        "ANNE@exemple.fr,consumer,Guevel",  # the same person as row 1, three batches later
    )

    upload(content)

    job = ImportJob.objects.get()
    assert (job.status, job.rows_checked, job.error_count) == ("failed", 5, 3)
    text = "\n".join(job.errors)
    assert "Row 3, email:" in text
    assert "Row 4, kind:" in text
    assert "Row 5, email: Duplicate of row 1 in this file." in text
    assert "not-an-address" not in text  # reasons, never values
    assert "nobody-kind" not in text
    assert not DataSubject.objects.exists()
    assert _stored_files(settings) == []


def test_a_nul_byte_in_a_large_file_fails_the_job_naming_the_line(client, settings, upload):
    content = _csv("anne@exemple.fr,consumer,Guevel", "yann@exemple.fr,consumer,Ker\x00vella")

    upload(content)

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "Line 3 contains a NUL byte" in job.errors[0]
    assert not DataSubject.objects.exists()
    assert _stored_files(settings) == []


def test_wrong_columns_in_a_large_file_are_refused_in_the_upload_request(client, upload):
    response = upload(b"mail,kind\n" + b"anne@exemple.fr,consumer\n" * 5)

    assert response.status_code == 200
    assert "missing columns: email" in str(response.context["form"].errors["import_file"])
    assert not ImportJob.objects.exists()


def test_a_failure_while_writing_rolls_every_batch_back(client, settings, upload):
    content = _csv(*(f"person{n}@exemple.fr,consumer,Guevel" for n in range(5)))
    upload(content, run=False)
    real_record = audit.record

    def fail_on_the_job_event(**kwargs):
        if kwargs.get("reason", "").startswith("Background import"):
            raise RuntimeError("disk full")
        return real_record(**kwargs)

    with mock.patch.object(audit, "record", side_effect=fail_on_the_job_event):
        job = import_job_run(job_id=ImportJob.objects.get().pk)

    assert job.status == ImportJob.Status.FAILED
    assert "unexpected error (RuntimeError)" in job.errors[0]
    assert not DataSubject.objects.exists()
    assert _stored_files(settings) == []


def test_a_job_already_taken_is_left_alone(client, upload):
    upload(_csv("anne@exemple.fr,consumer,Guevel"))
    job = ImportJob.objects.get()

    again = import_job_run(job_id=job.pk)

    assert (again.status, again.attempts) == (ImportJob.Status.DONE, 1)
    assert DataSubject.objects.count() == 1


def test_a_large_roles_file_is_imported_in_the_background_too(client, django_capture_on_commit_callbacks):
    from subjects.models import SubjectRole

    anne = f.DataSubjectFactory(email="anne@exemple.fr")
    client.force_login(dpo_user())
    content = b"email,role,collected_on\nanne@exemple.fr,prospect,2024-01-01\nanne@exemple.fr,newsletter,2024-02-01\n"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:subjects_subjectrole_import"),
            {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("roles.csv", content)},
        )

    job = ImportJob.objects.get()
    assert (job.kind, job.status, job.rows_created) == ("roles", "done", 2)
    assert set(SubjectRole.objects.filter(subject=anne).values_list("role", flat=True)) == {"prospect", "newsletter"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_rows_checked_so_far_are_visible_while_the_import_runs(settings):
    from django.db import DEFAULT_DB_ALIAS, connections

    from ijinus_privacy import storage
    from subjects.import_jobs import IMPORT_DIR
    from subjects.resources import DataSubjectResource

    job = ImportJob.objects.create(kind="subjects", file_name="people.csv")
    content = _csv(*(f"person{n}@exemple.fr,consumer,Guevel" for n in range(5)))
    job.file_path = storage.store(content, job_id=job.pk, folder=IMPORT_DIR)
    job.save()
    seen = []
    real_import = DataSubjectResource.create_checked

    def import_and_look(self, dataset, **kwargs):
        watcher = connections.create_connection(DEFAULT_DB_ALIAS)  # the job page's point of view
        try:
            with watcher.cursor() as cursor:
                cursor.execute("SELECT rows_checked FROM subjects_importjob WHERE id = %s", [job.pk])
                seen.append(cursor.fetchone()[0])
        finally:
            watcher.close()
        return real_import(self, dataset, **kwargs)

    with mock.patch.object(DataSubjectResource, "create_checked", import_and_look):
        done = import_job_run(job_id=job.pk)

    assert done.status == ImportJob.Status.DONE
    assert seen == [0, 2, 4]


def _killed_mid_import(job: ImportJob, *, owner: str, at) -> None:
    """What a worker killed during the import leaves: the job running under its task id, the
    upload still stored, nothing imported (its transaction was rolled back with the process)."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, owner=owner, attempts=1, started_at=at, heartbeat_at=at
    )


def test_a_redelivered_task_takes_its_own_import_over(upload):
    upload(_csv("anne@exemple.fr,consumer,Guevel", "paul@exemple.fr,consumer,Marin"), run=False)
    job = ImportJob.objects.get()
    _killed_mid_import(job, owner="task-1", at=timezone.now())

    assert import_job_run(job_id=job.pk, owner="task-2").status == ImportJob.Status.RUNNING  # a live worker's
    done = import_job_run(job_id=job.pk, owner="task-1")  # Celery delivers the same task again

    assert (done.status, done.attempts, done.rows_created) == (ImportJob.Status.DONE, 2, 2)
    assert DataSubject.objects.count() == 2


def test_beat_restarts_an_import_whose_worker_died(upload):
    from ijinus_privacy.tasks import jobs_recover_task

    upload(_csv("anne@exemple.fr,consumer,Guevel"), run=False)
    job = ImportJob.objects.get()
    start = timezone.now()
    _killed_mid_import(job, owner="task-1", at=start)

    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        assert jobs_recover_task() == 0  # its heartbeat is still recent: the worker may be alive
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        jobs_recover_task()  # silent for longer than JOB_STALE_SECONDS: restarted (inline here)

    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportJob.Status.DONE, 2)
    assert DataSubject.objects.get().email == "anne@exemple.fr"


def test_an_import_that_kills_its_worker_each_time_fails_for_the_dpo_to_see(upload, settings):
    upload(_csv("anne@exemple.fr,consumer,Guevel"), run=False)
    job = ImportJob.objects.get()
    start = timezone.now()
    _killed_mid_import(job, owner="task-1", at=start)
    ImportJob.objects.filter(pk=job.pk).update(attempts=3)

    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        import_job_run(job_id=job.pk, owner="task-9")

    job.refresh_from_db()
    assert (job.status, job.error_code) == (ImportJob.Status.FAILED, "WorkerLost")
    assert not DataSubject.objects.exists()
    assert _stored_files(settings) == []  # the upload goes, as after any end
