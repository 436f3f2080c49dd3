"""Export jobs: queued after commit, built once, files encrypted and atomic, purged after expiry,
re-dispatched when the broker was down (T8, T9), and the operator's command on the same path."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from kombu.exceptions import OperationalError

from ijinus_privacy import storage
from ijinus_privacy.models import AuditEvent
from requests_dsar.exports import services
from requests_dsar.models import ExportJob, Right
from tests.factories import logged_request, subject_with_data, support_user

pytestmark = pytest.mark.django_db


def _export_files() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "exports"
    return sorted(os.listdir(folder)) if folder.exists() else []


@pytest.fixture
def access_request():
    return logged_request(subject=subject_with_data(last_name="Quéméner"), rights=(Right.ACCESS, Right.PORTABILITY))


def test_a_request_queues_one_job_per_format_and_workers_build_them(access_request, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        jobs = services.export_jobs_create(request=access_request, actor=support_user())

    assert sorted(job.kind for job in jobs) == ["access_json", "access_pdf", "portability"]
    for job in ExportJob.objects.filter(request=access_request):
        assert job.status == ExportJob.Status.DONE
        assert len(job.sha256) == 64
        assert job.size > 0
        assert job.expires_at.date() == (job.finished_at + timedelta(days=settings.EXPORT_RETENTION_DAYS)).date()
    assert access_request.events.filter(kind="export").exists()


def test_asking_twice_reuses_the_live_jobs(access_request, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.export_jobs_create(request=access_request, actor=None)
        again = services.export_jobs_create(request=access_request, actor=None)

    assert again == []
    assert ExportJob.objects.filter(request=access_request).count() == 3


def test_only_formats_matching_the_rights_asked_are_accepted():
    dsar = logged_request(rights=(Right.ERASURE,))

    with pytest.raises(ValidationError):
        services.export_jobs_create(request=dsar, actor=None)
    assert not ExportJob.objects.exists()


def test_a_job_run_twice_builds_one_file(access_request):
    job = services._create(subject=access_request.subject, kind="access_json", request=access_request, language="fr")

    first = services.export_build(job_id=job.pk)
    second = services.export_build(job_id=job.pk)

    assert first.status == second.status == ExportJob.Status.DONE
    assert second.attempts == 1
    assert second.sha256 == first.sha256
    assert _export_files() == [f"{job.pk}.enc"]


def test_a_job_taken_by_another_worker_is_left_alone(access_request):
    job = services._create(subject=access_request.subject, kind="access_json", request=access_request, language="fr")
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, started_at=timezone.now())

    services.export_build(job_id=job.pk)

    assert ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.RUNNING
    assert _export_files() == []


def test_a_job_abandoned_by_a_dead_worker_is_taken_again(access_request):
    job = services._create(subject=access_request.subject, kind="access_json", request=access_request, language="fr")
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now() - timedelta(hours=2), attempts=1
    )

    job = services.export_build(job_id=job.pk)

    assert job.status == ExportJob.Status.DONE
    assert job.attempts == 2


def test_the_file_is_encrypted_at_rest_and_decrypts_to_the_recorded_hash(access_request):
    job = services._create(subject=access_request.subject, kind="access_json", request=access_request, language="fr")

    job = services.export_build(job_id=job.pk)

    raw = (Path(settings.MEDIA_ROOT) / job.file_path).read_bytes()
    assert "Quéméner".encode() not in raw
    plain = storage.read(job.file_path)
    assert "Quéméner" in plain.decode()
    assert storage.sha256(plain) == job.sha256


def test_a_disk_error_leaves_no_file_and_the_job_pending_for_a_retry(access_request):
    job = services._create(subject=access_request.subject, kind="access_json", request=access_request, language="fr")

    with (
        mock.patch("ijinus_privacy.storage.os.fsync", side_effect=OSError("disk full")),
        pytest.raises(OSError, match="disk full"),
    ):
        services.export_build(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.PENDING
    assert job.error_code == "OSError"
    assert _export_files() == []  # the partial temp file was removed


def test_a_bug_fails_the_job_with_a_code_and_no_personal_data(access_request):
    job = services._create(subject=access_request.subject, kind="access_json", request=access_request, language="fr")

    with mock.patch("requests_dsar.exports.render.access_json", side_effect=KeyError("Quéméner")):
        job = services.export_build(job_id=job.pk)

    assert job.status == ExportJob.Status.FAILED
    assert job.error_code == "KeyError"
    assert _export_files() == []


def test_broker_down_at_submission_keeps_the_job_pending_then_beat_dispatches_it(
    access_request, django_capture_on_commit_callbacks
):
    # given Redis refusing connections when the request is submitted (T9)
    with (
        mock.patch(
            "requests_dsar.tasks.export_build_task.apply_async", side_effect=OperationalError("connection refused")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        jobs = services.export_jobs_create(request=access_request, actor=None, kinds=["access_json"])

    job = ExportJob.objects.get(pk=jobs[0].pk)
    assert job.status == ExportJob.Status.PENDING

    # when beat runs before the delay: nothing; after it, the job is published and built
    assert services.export_redispatch() == 0
    later = timezone.now() + timedelta(minutes=settings.EXPORT_REDISPATCH_AFTER_MINUTES + 1)
    assert services.export_redispatch(now=later) == 1

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE


def test_expired_export_files_are_purged_and_the_job_row_kept(access_request):
    job = services._create(subject=access_request.subject, kind="access_json", request=access_request, language="fr")
    job = services.export_build(job_id=job.pk)

    assert services.export_purge() == 0
    assert services.export_purge(now=job.expires_at + timedelta(seconds=1)) == 1

    job.refresh_from_db()
    assert job.purged_at is not None
    assert job.file_path == ""
    assert not job.is_downloadable
    assert _export_files() == []
    assert AuditEvent.objects.filter(action="delete", object_type="requests_dsar.exportjob").exists()


def test_customer_service_may_not_approve_an_export(access_request):
    with pytest.raises(PermissionDenied):
        services.export_approve_and_send(request=access_request, actor=support_user())


def test_the_command_writes_the_export_through_the_same_job(tmp_path):
    subject = subject_with_data(email="commande@exemple.fr")
    output = tmp_path / "export.zip"

    call_command("dsar_export", subject="commande@exemple.fr", fmt="portability", output=str(output))

    job = ExportJob.objects.get(subject=subject)
    assert job.status == ExportJob.Status.DONE
    assert job.request is None
    assert storage.sha256(output.read_bytes()) == job.sha256
    assert output.read_bytes()[:2] == b"PK"


def test_the_command_refuses_restricted_data_with_a_clear_message_and_writes_nothing(tmp_path):
    from django.core.management.base import CommandError

    from subjects.models import Restriction
    from subjects.services.restriction import restriction_place
    from tests.factories import dpo_user

    subject = subject_with_data(email="limitee@exemple.fr")
    restriction_place(subject=subject, ground=Restriction.Ground.OBJECTION_PENDING, actor=dpo_user())
    output = tmp_path / "export.pdf"

    with pytest.raises(CommandError, match=r"\(Art\. 18\)"):
        call_command("dsar_export", subject="limitee@exemple.fr", fmt="pdf", output=str(output))

    assert not output.exists()
    assert not ExportJob.objects.filter(subject=subject).exists()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_an_export(celery_worker_app):
    dsar = logged_request(subject=subject_with_data(), rights=(Right.ACCESS,))
    jobs = services.export_jobs_create(request=dsar, actor=None, kinds=["access_json"])

    job = jobs[0]
    for tick in range(300):
        job.refresh_from_db()
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            break
        if tick % 25 == 24:  # a message taken by another test process's worker is lost: beat's re-dispatch
            services.export_redispatch(now=timezone.now() + timedelta(hours=1))
        time.sleep(0.2)

    assert job.status == ExportJob.Status.DONE
    assert storage.read(job.file_path).startswith(b"{")


def test_a_job_gone_before_a_worker_took_it_is_not_an_error():
    assert services.export_build(job_id=987654) is None


def test_restricted_data_is_not_exported_until_the_dpo_records_an_override():
    from subjects.models import Restriction, RestrictionOverride
    from subjects.services.restriction import Operation, override_record, restriction_place
    from tests.factories import dpo_user

    dpo = dpo_user()
    request = logged_request(subject=subject_with_data(tickets=1), rights=[Right.ACCESS])
    restriction = restriction_place(subject=request.subject, ground=Restriction.Ground.ACCURACY_CONTESTED, actor=dpo)

    with pytest.raises(ValidationError, match=r"restricted \(Art\. 18\)"):
        services.export_jobs_create(request=request, actor=dpo)
    assert not ExportJob.objects.filter(request=request).exists()

    override_record(
        restriction=restriction, purpose=RestrictionOverride.Purpose.CONSENT, operation=Operation.EXPORT,
        justification="The person asks for a copy of their own data (access request).", actor=dpo,
    )  # fmt: skip
    jobs = services.export_jobs_create(request=request, actor=dpo)

    assert {job.kind for job in jobs} == {ExportJob.Kind.ACCESS_PDF, ExportJob.Kind.ACCESS_JSON}
