"""Fault tests with real processes (issue 12, items 3, 14 and 17; PERFORMANCE.md T8, T9).

Each test starts its own redis-server on a free port and real Celery prefork workers (subprocesses
on the test's PostgreSQL database), then kills them: SIGKILL of the pool process during an export,
SIGKILL of the whole worker, Redis stopped or black-holed while staff work, a retention sweep killed
mid-run. Transactional tests, so the subprocesses see the committed rows; PostgreSQL only (the
SQLite test database lives in this process's memory).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ijinus_privacy import jobs, storage
from ijinus_privacy.celery import app as celery_app
from ijinus_privacy.tasks import jobs_recover_task
from requests_dsar.exports import services
from requests_dsar.models import ExportJob, Right
from retention.models import SweepRun
from retention.services import sweep
from subjects.models import DataSubject, ImportJob, SubjectRole, SupportTicket
from tests.factories import dpo_user, logged_request, subject_with_data

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
CELERY = str(Path(sys.executable).with_name("celery"))
VISIBILITY_TIMEOUT = 8  # seconds, on the private Redis of the whole-worker test
RESTORE_SWEEP = 1  # seconds between a worker's looks for messages a dead worker held
PERSISTENCE_OFF = ("--save", "", "--appendonly", "no", "--daemonize", "no")
WORKER = (CELERY, "-A", "ijinus_privacy", "worker", "--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO")
WORKER += ("-Q", "default,exports,retention", "--without-gossip", "--without-mingle")
TICKETS = 600  # enough rows for the access PDF to take seconds: time to kill its builder


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(condition, *, timeout: float, interval: float = 0.2, what: str = "condition", log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:]) if log and log.exists() else ""
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}")


class PrivateRedis:
    """A redis-server of the test's own, on a free port, without persistence; stopped and started again."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port, self.process = folder, _free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (Debian package redis-server)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", *PERSISTENCE_OFF, "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(self._answers, timeout=10, what="the private redis-server")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


def _subprocess_env(**overrides: str) -> dict[str, str]:
    """The environment of a process working on this test's database and media folder."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "JOB_HEARTBEAT_SECONDS": "1",
        "DATABASE_CONN_MAX_AGE": "0",
        **overrides,
    }


class Worker:
    """``celery worker --pool prefork -c 1`` in a subprocess, on the test database and the private Redis."""

    def __init__(self, broker_url: str, log: Path, **env: str) -> None:
        self.env = _subprocess_env(REDIS_URL=broker_url, **env)
        self.log, self.process = log, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*WORKER, "--hostname", f"fault-{os.getpid()}-{time.monotonic_ns()}@%h"],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed whole, pool included
        )

    def pool_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def broker(private_redis) -> Iterator[PrivateRedis]:
    """This process publishes to the private Redis (new connection pools, no memory of past failures)."""
    conf = celery_app.conf
    previous = conf.broker_url, conf.result_backend
    conf.broker_url = conf.result_backend = private_redis.url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    jobs._queue_unreachable_until = 0.0
    yield private_redis
    conf.broker_url, conf.result_backend = previous
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    jobs._queue_unreachable_until = 0.0


@pytest.fixture
def workers(tmp_path) -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.kill()


def _slow_access_request():
    """An access request whose PDF takes seconds to render: a subject with many tickets (real rows)."""
    subject = subject_with_data(tickets=0)
    SupportTicket.objects.bulk_create(
        SupportTicket(
            subject=subject, opened_on=date(2024, 5, 2), channel="phone", summary=f"Ticket {n}", text="x" * 80
        )
        for n in range(TICKETS)
    )
    return logged_request(subject=subject, rights=(Right.ACCESS,))


def _files() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "exports"
    return sorted(os.listdir(folder)) if folder.exists() else []


def _job(pk: int) -> ExportJob:
    return ExportJob.objects.get(pk=pk)


def test_sigkill_of_the_pool_process_during_an_export_the_same_job_completes_with_one_file(broker, workers, tmp_path):
    worker = Worker(broker.url, tmp_path / "worker.log")
    workers.append(worker)
    worker.start()
    request = _slow_access_request()

    (job,) = services.export_jobs_create(request=request, actor=None, kinds=["access_pdf"])
    _wait_for(lambda: _job(job.pk).status == ExportJob.Status.RUNNING, timeout=60, what="a worker to take the job")
    time.sleep(1)  # inside the rendering
    assert _job(job.pk).status == ExportJob.Status.RUNNING
    assert _files() == []
    owner = _job(job.pk).owner
    (pool,) = worker.pool_pids()

    os.kill(pool, signal.SIGKILL)
    killed_at = time.monotonic()

    done = _wait_for(
        lambda: _job(job.pk).status in (ExportJob.Status.DONE, ExportJob.Status.FAILED) and _job(job.pk),
        timeout=60,
        what="the export to be rebuilt",
        log=worker.log,
    )
    assert time.monotonic() - killed_at < 60
    assert done.status == ExportJob.Status.DONE
    assert done.owner == owner  # the redelivered task took its own job over
    assert done.attempts == 2
    assert ExportJob.objects.filter(request=request).count() == 1
    assert _files() == [f"{job.pk}.enc"]  # exactly one file, no partial left
    assert storage.read(done.file_path).startswith(b"%PDF")


def test_sigkill_of_the_whole_worker_then_restart_completes_within_the_visibility_timeout(broker, workers, tmp_path):
    fast_restore = {
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "CELERY_UNACKED_RESTORE_INTERVAL": str(RESTORE_SWEEP),
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    first = Worker(broker.url, tmp_path / "first.log", **fast_restore)
    workers.append(first)
    first.start()
    request = _slow_access_request()

    (job,) = services.export_jobs_create(request=request, actor=None, kinds=["access_pdf"])
    _wait_for(lambda: _job(job.pk).status == ExportJob.Status.RUNNING, timeout=60, what="a worker to take the job")
    time.sleep(1)
    first.kill()  # SIGKILL to the worker and its pool: nobody gives the message back
    killed_at = time.monotonic()
    assert _job(job.pk).status == ExportJob.Status.RUNNING

    second = Worker(broker.url, tmp_path / "second.log", **fast_restore)
    workers.append(second)
    second.start()

    taken_over = _wait_for(
        lambda: _job(job.pk).attempts == 2 and _job(job.pk),
        timeout=VISIBILITY_TIMEOUT + 2 * RESTORE_SWEEP + 15,  # + the new worker's start-up
        what="the restarted worker to take the job over",
        log=tmp_path / "second.log",
    )
    assert taken_over.owner == _job(job.pk).owner
    done = _wait_for(
        lambda: _job(job.pk).status in (ExportJob.Status.DONE, ExportJob.Status.FAILED) and _job(job.pk),
        timeout=60,
        what="the export to be rebuilt",
        log=tmp_path / "second.log",
    )
    assert time.monotonic() - killed_at < 80
    assert done.status == ExportJob.Status.DONE
    assert _files() == [f"{job.pk}.enc"]


def test_redis_stopped_pages_answer_in_2_s_jobs_wait_pending_and_go_out_when_it_returns(
    broker, workers, tmp_path, client, settings
):
    settings.IMPORT_SYNC_MAX_ROWS = 0  # the uploaded file below is imported in the background
    request = logged_request(subject=subject_with_data(), rights=(Right.ACCESS, Right.PORTABILITY))
    client.force_login(dpo_user())
    broker.stop()

    started = time.monotonic()
    submitted = client.post(
        reverse("admin:requests_dsar_request_add"),
        {
            "received_on": "2026-03-03",
            "channel": "email",
            "subject": request.subject_id,
            "language": "fr",
            "rights": ["access"],
        },
    )
    submission_seconds = time.monotonic() - started
    started = time.monotonic()
    response = client.post(
        reverse("admin:requests_dsar_request_act", args=[request.pk, "exports"]),
        {"kinds": ["access_pdf", "access_json", "portability"]},
        follow=True,
    )
    build_seconds = time.monotonic() - started
    started = time.monotonic()
    uploaded = client.post(
        reverse("admin:subjects_datasubject_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("people.csv", b"email,kind,last_name\nanne@exemple.fr,consumer,Guevel\n"),
        },
    )
    upload_seconds = time.monotonic() - started

    assert submitted.status_code == 302, submitted.context["adminform"].form.errors if submitted.context else ""
    assert submission_seconds < 2
    assert response.status_code == 200
    assert build_seconds < 2
    assert any("will start when the worker is back" in str(message) for message in response.context["messages"])
    jobs_rows = ExportJob.objects.filter(request=request)
    assert set(jobs_rows.values_list("status", "dispatched_at")) == {(ExportJob.Status.PENDING, None)}
    assert "Pending: queued, will start when the worker is back" in client.get(reverse("admin:index")).text
    assert uploaded.status_code == 302
    assert upload_seconds < 2
    assert list(ImportJob.objects.values_list("status", "dispatched_at")) == [(ImportJob.Status.PENDING, None)]

    # Redis returns; beat's next run (every minute: driven here rather than awaited) sends the jobs
    broker.start()
    worker = Worker(broker.url, tmp_path / "worker.log")
    workers.append(worker)
    worker.start()
    jobs._queue_unreachable_until = 0.0  # beat runs in a worker process, which never saw the failure
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.JOB_REDISPATCH_SECONDS + 1)):
        assert jobs_recover_task.apply().get() == 4  # the three exports and the import

    _wait_for(
        lambda: set(jobs_rows.values_list("status", flat=True)) == {ExportJob.Status.DONE},
        timeout=60,
        what="the three exports to be built",
    )
    _wait_for(lambda: ImportJob.objects.get().status == ImportJob.Status.DONE, timeout=60, what="the import to run")
    assert DataSubject.objects.filter(email="anne@exemple.fr").exists()


def test_a_black_holed_broker_does_not_hold_the_page(broker, client):
    """The broker accepts the connection and never answers (a dead host behind NAT, a firewall)."""
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(16)
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(hole.accept()[0]), daemon=True).start()
    celery_app.conf.broker_url = f"redis://127.0.0.1:{hole.getsockname()[1]}/0"
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    request = logged_request(subject=subject_with_data(), rights=(Right.ACCESS,))
    client.force_login(dpo_user())

    started = time.monotonic()
    response = client.post(
        reverse("admin:requests_dsar_request_act", args=[request.pk, "exports"]),
        {"kinds": ["access_pdf", "access_json"]},
        follow=True,
    )
    elapsed = time.monotonic() - started
    hole.close()

    assert response.status_code == 200
    assert elapsed < 2
    assert any("will start when the worker is back" in str(message) for message in response.context["messages"])
    assert set(ExportJob.objects.filter(request=request).values_list("dispatched_at", flat=True)) == {None}


def test_a_retention_sweep_killed_mid_run_and_rerun_reaches_the_exact_state_and_says_so(settings, tmp_path):
    # given 1,500 prospects whose period ran out and 20 still in it
    settings.JOB_STALE_SECONDS = 3
    collected = date(2022, 1, 10)
    people = DataSubject.objects.bulk_create(
        DataSubject(last_name=f"Nom{n}", email=f"p{n}@exemple.fr") for n in range(1520)
    )
    SubjectRole.objects.bulk_create(
        SubjectRole(subject=person, role="prospect", collected_on=collected if n < 1500 else date(2026, 6, 1))
        for n, person in enumerate(people)
    )
    kept = sorted(person.pk for person in people[1500:])
    command = [sys.executable, "manage.py", "retention_sweep", "--commit", "--now", "2026-11-26", "--batch-size", "20"]
    command += ["--workers", "1"]
    sweeping = subprocess.Popen(
        command, cwd=BASE_DIR, env=_subprocess_env(REDIS_URL=""), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        run = _wait_for(
            lambda: SweepRun.objects.filter(batch_records__rule_code="prospect").distinct().first(),
            timeout=60,
            interval=0.05,
            what="the sweep's first committed batch",
        )
        os.kill(sweeping.pid, signal.SIGKILL)
    finally:
        sweeping.kill()
        sweeping.wait(timeout=10)
    left = DataSubject.objects.count()
    assert 20 < left < 1520  # killed mid-run
    run.refresh_from_db()
    assert run.status == SweepRun.Status.RUNNING

    time.sleep(settings.JOB_STALE_SECONDS + 1)  # its heartbeat goes stale
    resumed = sweep(now=date(2026, 11, 26), commit=True, batch_size=200)

    run.refresh_from_db()
    assert sorted(DataSubject.objects.values_list("pk", flat=True)) == kept
    assert run.status == SweepRun.Status.INTERRUPTED
    assert run.total("subjects_deleted") == 1520 - left  # exactly what its committed batches did
    assert resumed.resumes == run
    assert resumed.status == SweepRun.Status.SUCCEEDED
    assert resumed.total("subjects_deleted") == left - 20
