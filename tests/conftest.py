"""Suite-wide fixtures.

Dates: no test depends on the real date. The one way to pin "today":

- ``today`` (fixture) stops the clock at 10:00 Paris time on the test's day and gives that day (a ``date``):
  the day of ``@pytest.mark.today("2027-01-31")`` (on the test, its class or its module), else
  ``DEFAULT_TODAY``. Count a scenario's dates from it, never from ``date.today()`` or ``timezone.localdate()``.
- ``@pytest.mark.today(day)`` alone stops the clock for a test that needs no value.
- ``any_day`` runs the test once per day of ``ANY_DAYS`` (month ends, a leap day, public holidays, a late
  evening); with it, ``today`` is that day.
- ``IJINUS_TEST_TODAY=2028-02-29`` runs the whole session from that moment, the clock ticking: the tests
  that pin no day must pass whatever the date.

Services: tests marked ``postgres`` or ``redis`` need the real thing. Under ``CI=true`` a missing
service is a failure; elsewhere the test is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date, datetime, time
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection, connections
from django.utils import translation

from ijinus_privacy import audit_triggers
from ijinus_privacy.celery import app as celery_app

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# IJINUS_TEST_TODAY=2028-02-29 (or 2026-12-31T23:30, Paris time) runs the whole session as if the
# clock read that moment (and ticked on from it): the suite must pass on any date.
TEST_TODAY = os.environ.get("IJINUS_TEST_TODAY", "")


def pytest_configure(config):
    if not TEST_TODAY:
        return
    config._ijinus_traveller = time_machine.travel(paris_moment(TEST_TODAY), tick=True)
    config._ijinus_traveller.start()


# Month ends, leap days, French public holidays (fixed and Easter Monday), the Friday before a holiday
# weekend, a late evening (Paris date ahead of UTC's), the day issue 12 was found. Tests that need "today"
# run on these (tests/ijinus_privacy/test_any_day.py, ``any_day``).
ANY_DAYS = (
    "2026-12-04",
    "2026-12-31T23:30",
    "2027-01-01",
    "2027-01-31",
    "2027-02-28",
    "2027-03-26",  # Friday before Easter Monday (29 March 2027)
    "2027-03-31",
    "2027-04-30",  # Friday before 1 May (Saturday)
    "2027-05-08",
    "2027-07-14",
    "2027-08-15",
    "2027-08-31",
    "2027-11-01",
    "2027-11-11",
    "2027-12-24",
    "2027-12-25",
    "2028-02-28",
    "2028-02-29",
    "2028-03-31",
)


def paris_moment(day: str) -> datetime:
    """``2027-01-31`` (10:00, Paris time) or ``2026-12-31T23:30`` (Paris time) as an aware datetime."""
    moment = datetime.fromisoformat(day)
    if len(day) == 10:
        moment = datetime.combine(moment.date(), time(10, 0))
    return moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE)) if moment.tzinfo is None else moment


@pytest.fixture(autouse=True)
def _frozen_today(request):
    """``@pytest.mark.today("2026-11-26")`` stops the clock at that day, 10:00 Paris time, for the test."""
    marker = request.node.get_closest_marker("today")
    if marker is None:
        yield
        return
    with time_machine.travel(paris_moment(marker.args[0]), tick=False):
        yield


@pytest.fixture(autouse=True)
def _fresh_sidebar_cache():
    """Each test starts with no cached admin sidebar: user numbers repeat from one test to the next."""
    from django.core.cache import caches

    caches["template_fragments"].clear()


# An ordinary day: a Tuesday mid-month, far from a public holiday or a month end.
DEFAULT_TODAY = "2026-03-10"


@pytest.fixture
def today(request) -> date:
    """The test's day, the clock stopped on it (10:00 Paris time): see the module docstring."""
    if "any_day" in request.fixturenames:
        yield request.getfixturevalue("any_day")
        return
    marker = request.node.get_closest_marker("today")
    if marker is not None:  # ``_frozen_today`` has stopped the clock there
        yield paris_moment(marker.args[0]).date()
        return
    moment = paris_moment(DEFAULT_TODAY)
    with time_machine.travel(moment, tick=False):
        yield moment.date()


@pytest.fixture(params=ANY_DAYS)
def any_day(request) -> date:
    """Run the test once per day of ``ANY_DAYS``, the clock stopped then; the value is that (Paris) day."""
    moment = paris_moment(request.param)
    with time_machine.travel(moment, tick=False):
        yield moment.date()


def pytest_unconfigure(config):
    traveller = getattr(config, "_ijinus_traveller", None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config):
    return f"IJINUS_TEST_TODAY={TEST_TODAY}: the clock starts there" if TEST_TODAY else None


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
    if request.node.get_closest_marker("browser"):
        require_service(bool(shutil.which(CHROMIUM)), f"{CHROMIUM} not installed (Debian package chromium)")


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """The product speaks French by default (LANGUAGE_CODE "fr", French catalogues in */locale/).

    Tests assert the English source strings, so code called directly runs in English and the test
    client asks for English (see ``client``) unless a test asks for French: the language cookie, a /fr/
    or unprefixed public URL, or translation.override (tests/ijinus_privacy/test_i18n.py).
    """
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """pytest-django's client in English unless a request says otherwise.

    ``Accept-Language: en`` for the HTTP API, and the language cookie for the admin (French whatever
    the browser asks, unless the user chose English: ijinus_privacy.staff_language).
    """
    from django.test import Client

    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return english


# The shared file cache (rate limits) of each test process lives in its own temporary directory, not
# var/. Set before anything opens the cache (migrations do, while the test database is created).
if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
    settings.CACHES["default"]["LOCATION"] = tempfile.mkdtemp(prefix="ijinus-test-cache-")


@pytest.fixture(scope="session", autouse=True)
def _remove_the_test_cache():
    yield
    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        shutil.rmtree(settings.CACHES["default"]["LOCATION"], ignore_errors=True)


# Close database connections after each task and request: a worker or live-server thread must not
# keep a session open, or PostgreSQL refuses to drop the test database at the end.
settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session", autouse=True)
def _broker_per_test_process(worker_id):
    """Each pytest-xdist process gets its own Redis database, so one's worker never takes another's task."""
    if not settings.REDIS_URL or worker_id == "master":
        return
    url = urlsplit(settings.REDIS_URL)
    db = (int(url.path.strip("/") or 0) - int(worker_id.removeprefix("gw"))) % 16
    own = urlunsplit(url._replace(path=f"/{db}"))
    celery_app.conf.broker_url = own
    celery_app.conf.result_backend = own


@pytest.fixture(scope="session", autouse=True)
def _flush_restores_the_migrated_database(django_db_setup, django_db_blocker):
    """Transactional tests end with a flush; make it leave the database as migrations made it.

    Two reasons. The append-only audit triggers rightly refuse the flush, so they are lifted
    around it (tests only; every test runs with them in place). And the flush would erase what
    data migrations seeded (the register, retention rules, notices, roles), so tests running
    after a transactional test in the same process would see an empty register: the migrated
    content is snapshotted once and restored after each flush.
    """
    from django.core.management.commands import flush

    with django_db_blocker.unblock():
        migrated = {alias: connections[alias].creation.serialize_db_to_string() for alias in connections}
    original = flush.Command.handle

    def handle(self, **options):
        alias = options.get("database") or "default"
        conn = connections[alias]
        audit_triggers.uninstall(conn)
        try:
            result = original(self, **{**options, "inhibit_post_migrate": True})
        finally:
            audit_triggers.install(conn)
        conn.creation.deserialize_db_from_string(migrated[alias])
        return result

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run inline in tests, except in tests that start a real worker (marked ``redis``)."""
    eager = not request.node.get_closest_marker("redis")
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _test_settings(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.AUDIT_ANCHOR_DIR = str(tmp_path / "audit-anchors")  # never the developer's var/ anchors
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing, tests only


@pytest.fixture
def celery_worker_app():
    """A real Celery worker thread consuming every queue of the broker at REDIS_URL."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    def close_thread_connections(**kwargs):
        connections.close_all()  # runs in the worker thread: PostgreSQL can drop the test DB later

    task_postrun.connect(close_thread_connections, weak=False)
    try:
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
    finally:
        task_postrun.disconnect(close_thread_connections)


@pytest.fixture
def browser_page():
    """A headless Chromium page (Debian's chromium driven by Playwright), for end-to-end tests."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="fr-FR")
        yield page
        browser.close()
