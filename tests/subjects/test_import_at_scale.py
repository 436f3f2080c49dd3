"""Imports at scale (issue 13): the background threshold is a row count, the job page shows live
progress, and uploads nobody will import are deleted by the hourly sweep."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ijinus_privacy import storage
from subjects.import_jobs import IMPORT_DIR, import_uploads_sweep
from subjects.models import DataSubject, ImportJob
from tests.factories import dpo_user

pytestmark = pytest.mark.django_db


def _csv(rows: int) -> bytes:
    return ("email,kind,last_name\n" + "".join(f"p{n}@exemple.fr,consumer,Guevel\n" for n in range(rows))).encode()


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    def send(content: bytes, *, run: bool = True):
        client.force_login(dpo_user())
        with django_capture_on_commit_callbacks(execute=run):
            return client.post(
                reverse("admin:subjects_datasubject_import"),
                {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("people.csv", content)},
            )

    return send


def _job_page(client, job: ImportJob) -> str:
    response = client.get(reverse("admin:subjects_importjob_change", args=[job.pk]))
    assert response.status_code == 200
    return response.text


def _stored(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return sorted(path for path in media.rglob("*") if path.is_file()) if media.exists() else []


def test_a_file_up_to_the_row_threshold_is_previewed_in_the_request(settings, upload):
    settings.IMPORT_SYNC_MAX_ROWS = 3

    response = upload(_csv(3))

    assert response.status_code == 200
    assert "Preview: what this file changes, person by person" in response.text
    assert not ImportJob.objects.exists()


def test_a_file_above_the_row_threshold_is_queued_and_the_import_page_says_the_threshold(client, settings, upload):
    settings.IMPORT_SYNC_MAX_ROWS = 3

    response = upload(_csv(4), run=False)
    page = client.get(reverse("admin:subjects_datasubject_import"))

    assert "A file of more than 3 rows is imported in the background" in page.text
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("admin:subjects_importjob_change", args=[job.pk])
    assert job.status == ImportJob.Status.PENDING


def test_the_job_page_refreshes_itself_with_a_progress_bar_while_the_job_waits(client, settings, upload):
    settings.IMPORT_SYNC_MAX_ROWS = 0
    upload(_csv(5), run=False)
    job = ImportJob.objects.get()

    html = _job_page(client, job)

    assert '<meta http-equiv="refresh" content="3">' in html
    assert '<progress id="import-progress-bar" max="100" value="0">' in html
    assert "Rows checked: 0 of about 5." in html


def test_the_job_page_shows_rows_checked_written_and_refused_so_far(client, settings, upload):
    settings.IMPORT_SYNC_MAX_ROWS = 0
    upload(_csv(5), run=False)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, rows_checked=2, rows_created=1, error_count=1
    )  # what a worker writes aside after its first batch of two rows

    html = _job_page(client, job)

    assert '<progress id="import-progress-bar" max="100" value="40">' in html
    assert "Rows checked: 2 of about 5." in html
    assert "Written so far: 1 (kept only if every row passes)." in html
    assert "1 row refused so far: nothing will be imported" in html


def test_a_done_job_stops_refreshing_and_says_what_was_imported(client, settings, upload):
    settings.IMPORT_SYNC_MAX_ROWS = 0
    upload(_csv(5))
    job = ImportJob.objects.get()

    html = _job_page(client, job)

    assert job.status == ImportJob.Status.DONE
    assert 'http-equiv="refresh"' not in html
    assert '<progress id="import-progress-bar" max="100" value="100">' in html
    assert "Imported: 5 new, 0 changed." in html


def test_a_refused_file_reports_no_row_imported_even_after_earlier_batches_were_written(client, settings, upload):
    settings.IMPORT_SYNC_MAX_ROWS = 0
    settings.IMPORT_BATCH_ROWS = 2
    content = _csv(4) + b"bad-address,consumer,Le Du\n"

    upload(content)

    job = ImportJob.objects.get()
    assert (job.status, job.rows_checked, job.rows_created, job.error_count) == ("failed", 5, 0, 1)
    assert not DataSubject.objects.exists()
    html = _job_page(client, job)
    assert "1 row refused: nothing was imported (the reasons are below)." in html
    assert "<tr><td>5</td><td>email</td>" in html  # the reasons, as a table (row, column, message)


def _queued(settings, *, created_at, content: bytes = b"email\nanne@exemple.fr\n") -> ImportJob:
    job = ImportJob.objects.create(kind="subjects", file_name="people.csv")
    job.file_path = storage.store(content, job_id=job.pk, folder=IMPORT_DIR)
    job.save(update_fields=["file_path"])
    ImportJob.objects.filter(pk=job.pk).update(created_at=created_at)
    return ImportJob.objects.get(pk=job.pk)


def _age(path: Path, *, hours: float) -> None:
    moment = (timezone.now() - timedelta(hours=hours)).timestamp()
    os.utime(path, (moment, moment))


def test_the_sweep_deletes_the_upload_of_a_job_that_ended_without_deleting_it(settings):
    now = timezone.now()
    job = _queued(settings, created_at=now - timedelta(hours=2))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error_code="WorkerLost")

    assert import_uploads_sweep(now=now) == 1

    assert ImportJob.objects.get(pk=job.pk).file_path == ""
    assert _stored(settings) == []


def test_the_sweep_fails_an_import_no_worker_started_within_a_day_and_deletes_its_upload(settings):
    now = timezone.now()
    abandoned = _queued(settings, created_at=now - timedelta(hours=25))
    recent = _queued(settings, created_at=now - timedelta(hours=23))
    for path in _stored(settings):
        _age(path, hours=25)

    import_uploads_sweep(now=now)

    abandoned.refresh_from_db()
    assert (abandoned.status, abandoned.file_path) == (ImportJob.Status.FAILED, "")
    assert abandoned.errors == [  # in the language of the upload (French by default)
        "Aucun processus n'a commencé cet import en 24 heures : le fichier a été supprimé. Déposez-le à nouveau."
    ]
    recent.refresh_from_db()
    assert recent.status == ImportJob.Status.PENDING
    assert _stored(settings) == [storage.absolute(recent.file_path)]  # a queued job's file stays


def test_the_sweep_deletes_files_no_job_holds_once_an_hour_old(settings):
    now = timezone.now()
    orphan = storage.absolute(storage.store(b"email\nanne@exemple.fr\n", job_id=999, folder=IMPORT_DIR))
    fresh = storage.absolute(storage.store(b"email\nyann@exemple.fr\n", job_id=998, folder=IMPORT_DIR))
    library_copy = storage.absolute("django-import-export/0123abcd")
    library_copy.parent.mkdir(parents=True)
    library_copy.write_bytes(b"email\nmarie@exemple.fr\n")
    _age(orphan, hours=2)
    _age(library_copy, hours=2)

    assert import_uploads_sweep(now=now) == 2

    assert _stored(settings) == [fresh]


def test_the_sweep_runs_from_beat_every_hour(settings):
    from ijinus_privacy.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["imports-uploads-sweep"]

    assert entry["task"] in app.tasks
    assert entry["schedule"].minute == {20}


def test_the_job_page_speaks_french_to_a_french_user(client, settings, upload):
    settings.IMPORT_SYNC_MAX_ROWS = 0
    upload(_csv(5), run=False)
    job = ImportJob.objects.get()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(reverse("admin:subjects_importjob_change", args=[job.pk]))

    assert "Progression (cette page se met à jour d'elle-même)" in response.text
    assert "Lignes vérifiées : 0 sur environ 5." in response.text
