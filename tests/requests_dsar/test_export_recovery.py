"""Export jobs whose worker died or whose queue was down (issue 12, items 3 and 17; T8, T9).

A redelivered task takes its own job over, beat restarts a job whose heartbeat stopped, a job that
keeps killing its worker fails, and the DPO sees pending, stuck and failed jobs and restarts them.
The real fault tests (SIGKILL, Redis stopped) are in ``tests/ijinus_privacy/test_faults.py``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

from ijinus_privacy.models import AuditEvent
from requests_dsar.exports import services
from requests_dsar.models import ExportJob, RequestEvent, Right
from tests.factories import dpo_user, logged_request, subject_with_data

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(timezone.datetime(2026, 3, 10, 10, 0))
BROKER_DOWN = mock.patch(
    "requests_dsar.tasks.export_build_task.apply_async", side_effect=OperationalError("connection refused")
)


def _export_files() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "exports"
    return sorted(os.listdir(folder)) if folder.exists() else []


@pytest.fixture
def job():
    request = logged_request(subject=subject_with_data(), rights=(Right.ACCESS,))
    return services._create(subject=request.subject, kind="access_json", request=request, language="fr")


def _running(job: ExportJob, *, owner: str, heartbeat_age: timedelta, attempts: int = 1) -> None:
    at = timezone.now() - heartbeat_age
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, owner=owner, started_at=at, heartbeat_at=at, attempts=attempts
    )


def test_a_redelivered_task_takes_over_the_job_its_killed_worker_left_running(job):
    # given the worker building the job was killed a second ago: the job is still "running", owned by
    # the task Celery now delivers again (same task id)
    _running(job, owner="task-1", heartbeat_age=timedelta(seconds=1))

    built = services.export_build(job_id=job.pk, owner="task-1")

    assert built.status == ExportJob.Status.DONE
    assert built.attempts == 2
    assert _export_files() == [f"{job.pk}.enc"]


def test_another_task_leaves_a_job_whose_worker_is_alive_alone(job):
    _running(job, owner="task-1", heartbeat_age=timedelta(seconds=10))

    services.export_build(job_id=job.pk, owner="task-2")

    assert ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.RUNNING
    assert _export_files() == []


def test_beat_rebuilds_within_minutes_a_job_whose_worker_died(job):
    # given a job whose worker stopped renewing its heartbeat (the whole worker was killed)
    _running(job, owner="task-1", heartbeat_age=timedelta(seconds=settings.JOB_STALE_SECONDS + 1))

    assert ExportJob.objects.get(pk=job.pk).is_stuck
    assert services.export_redispatch() == 1  # beat's jobs_recover_task, every minute

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert _export_files() == [f"{job.pk}.enc"]


def test_beat_leaves_a_slow_but_alive_job_alone(job):
    _running(job, owner="task-1", heartbeat_age=timedelta(seconds=settings.JOB_STALE_SECONDS - 30))

    assert services.export_redispatch() == 0
    assert ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.RUNNING


def test_a_job_that_kills_its_worker_every_time_fails_instead_of_looping(job):
    _running(job, owner="task-1", heartbeat_age=timedelta(seconds=1), attempts=services.MAX_ATTEMPTS)

    services.export_build(job_id=job.pk, owner="task-1")

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.error_code == "WorkerLost"
    assert job.can_restart


# Transactional: the jobs are published when the action's transaction commits, as in production.
@pytest.mark.django_db(transaction=True)
def test_build_the_exports_restarts_a_stuck_job_instead_of_refusing(job, client):
    _running(job, owner="task-1", heartbeat_age=timedelta(hours=1))
    client.force_login(dpo_user())

    response = client.post(
        reverse("admin:requests_dsar_request_act", args=[job.request_id, "exports"]),
        {"kinds": ["access_json"]},
        follow=True,
    )

    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Exports queued: a worker builds them; their status shows in the Exports section."]
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_the_dpo_sees_a_failed_job_on_the_dashboard_and_restarts_it(job, client):
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, error_code="WorkerLost", attempts=6)
    client.force_login(dpo_user())

    dashboard = client.get(reverse("admin:index"))
    assert "Exports waiting or stopped" in dashboard.text
    assert "Failed (WorkerLost): restart it once the cause is fixed" in dashboard.text

    response = client.post(
        reverse("admin:requests_dsar_exportjob_changelist"),
        {"action": "restart", "_selected_action": [job.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["Exports restarted: 1. A worker builds them now."]
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.attempts == 1
    assert AuditEvent.objects.filter(object_id=str(job.pk), reason="restarted:access_json").exists()
    assert RequestEvent.objects.filter(request_id=job.request_id, kind=RequestEvent.Kind.EXPORT).count() == 1


def test_a_job_building_normally_cannot_be_restarted(job):
    from django.core.exceptions import ValidationError

    _running(job, owner="task-1", heartbeat_age=timedelta(seconds=5))

    with pytest.raises(ValidationError, match="Only a failed export"):
        services.export_job_restart(job=job, actor=dpo_user())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "They are queued and will start when the worker is back"),
        ("fr", "Ils sont en file d'attente et démarreront au retour du worker"),
    ],
)
def test_with_the_queue_down_build_the_exports_says_queued_not_done(client, language, expected):
    request = logged_request(subject=subject_with_data(), rights=(Right.ACCESS,))
    client.force_login(dpo_user())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    with BROKER_DOWN, translation.override(language):
        response = client.post(
            reverse("admin:requests_dsar_request_act", args=[request.pk, "exports"]),
            {"kinds": ["access_pdf", "access_json"]},
            follow=True,
        )

    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert len(messages) == 1
    assert expected in messages[0]
    assert set(ExportJob.objects.filter(request=request).values_list("status", "dispatched_at")) == {("pending", None)}


def test_the_dashboard_lists_exports_waiting_for_the_queue_until_beat_sends_them(client):
    request = logged_request(subject=subject_with_data(), rights=(Right.ACCESS,))
    with time_machine.travel(NOW, tick=False):
        with BROKER_DOWN:
            services.export_jobs_create(request=request, actor=None, kinds=["access_json"])
        client.force_login(dpo_user())

        dashboard = client.get(reverse("admin:index"))
        assert "Pending: queued, will start when the worker is back" in dashboard.text
        assert services.export_redispatch() == 0  # too fresh: its publish may still be under way

    # the broker is back: beat's next run, a minute later, sends and (inline here) builds it
    with time_machine.travel(NOW + timedelta(seconds=settings.JOB_REDISPATCH_SECONDS + 1), tick=False):
        assert services.export_redispatch() == 1
        dashboard = client.get(reverse("admin:index"))

    assert ExportJob.objects.get(request=request).status == ExportJob.Status.DONE
    assert "None: every export asked for is built." in dashboard.text
