"""Suite-wide fixtures.

Services: tests marked ``postgres`` or ``redis`` need the real thing. Under ``CI=true`` a missing
service is a failure; elsewhere the test is skipped with the reason.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection

from ijinus_privacy.celery import app as celery_app

IN_CI = os.environ.get("CI", "").lower() == "true"


def require_service(available: bool, reason: str) -> None:
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: services must be reachable)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _service_markers(request):
    if request.node.get_closest_marker("postgres"):
        require_service(connection.vendor == "postgresql", "PostgreSQL not configured: set DATABASE_URL")
    if request.node.get_closest_marker("redis"):
        require_service(bool(settings.REDIS_URL), "Redis not configured: set REDIS_URL")


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run inline in tests, except in tests that start a real worker (marked ``redis``)."""
    eager = not request.node.get_closest_marker("redis")
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def celery_worker_app():
    """A real Celery worker thread consuming every queue of the broker at REDIS_URL."""
    from celery.contrib.testing.worker import start_worker

    with start_worker(
        celery_app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        loglevel="WARNING",
        queues=["default", "exports", "retention"],
        shutdown_timeout=10,
    ):
        yield celery_app
