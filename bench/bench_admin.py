"""Admin pages at scale (T3, T4, dashboard): ours against the stock ModelAdmin, over HTTP, in the same run.

``make bench BENCH_ARGS="--only bench_admin --scale 1000000"`` with ``DATABASE_URL`` set runs on
PostgreSQL in a throwaway database ``$BENCH_DATABASE`` (default ``bench_admin``), created, then
dropped; without it, on a temporary SQLite file. Real data is never touched.

Data (``bench.admin_data``): ``scale`` people, 1.375 × roles, 3 × consent events, 2 × audit events,
``scale / 20`` requests, written set-based. Then a real server: gunicorn, 4 sync workers (the
production server), with ``bench.server_settings`` (DEBUG off, no second factor) and ``bench.urls``,
which mounts beside our admin a second admin site with stock ``ModelAdmin``\\ s of the same models
(``bench.stock_admin``: Django's exact counts and facets, ``icontains`` search). A superuser's
session is made for the benchmark. Measured:

* the subjects list with 4 users at once (each asking ``PER_USER`` times): p50 and p95;
* one user at a time (median of ``REPEAT`` after a warm-up): page 5,000 (the last page when there
  are fewer), search by exact e-mail, by name fragment, by e-mail fragment, the dashboard (the admin
  index; the stock admin's index is its floor), the consent-event, audit-event and request lists,
  and the audit trail searched by a person's number;
* each page's queries, counted in-process (Django's test client on the same database): how many,
  and whether one counts a whole table (``COUNT(*)`` without ``WHERE``), uses ``SELECT DISTINCT``
  or truncates dates (``date_hierarchy``).

Shown rows are counted in the page's result table, so a search that finds nothing shows up.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import results
from bench.admin_data import EMAIL_NAMES, SYLLABLES

ROOT = Path(__file__).resolve().parent.parent
USERS = 4
WORKERS = 4
PER_USER = 15
REPEAT = 7
BENCH = "bench_admin"


class Server:
    """gunicorn serving the project (and the stock admin) on the benchmark's database."""

    def __init__(self, config: dict) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.config = config
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
        env.update(DJANGO_SETTINGS_MODULE="bench.server_settings", BENCH_DATABASE_CONFIG=json.dumps(self.config))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "ijinus_privacy.wsgi:application", "--workers", str(WORKERS),
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "900", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                if get(self.port, "/admin/login/", "")[1] in (200, 302):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def get(port: int, path: str, session: str) -> tuple[float, int, str]:
    """One GET on a new connection (gunicorn's sync workers close each): seconds, status, body."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    try:
        connection.request("GET", path, headers={"Cookie": f"sessionid={session}", "Accept-Language": "en"})
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
    finally:
        connection.close()
    return time.perf_counter() - started, response.status, body


def _checked(port: int, path: str, session: str) -> tuple[float, str]:
    seconds, status, body = get(port, path, session)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    return seconds, body


def concurrent(port: int, path: str, session: str, *, users: int = USERS, per_user: int = PER_USER) -> list[float]:
    """``users`` threads asking ``path`` ``per_user`` times each, started together; every time, in ms."""
    times: list[float] = []
    errors: list[BaseException] = []
    start = threading.Barrier(users)
    lock = threading.Lock()

    def user() -> None:
        start.wait()
        for _ in range(per_user):
            try:
                seconds, _body = _checked(port, path, session)
            except BaseException as error:
                errors.append(error)
                return
            with lock:
                times.append(seconds * 1000)

    threads = [threading.Thread(target=user) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def one_user(port: int, path: str, session: str, repeat: int = REPEAT) -> tuple[float, int]:
    """Median time in ms of ``repeat`` requests after one warm-up, and the rows the page shows."""
    _seconds, body = _checked(port, path, session)
    times = [_checked(port, path, session)[0] * 1000 for _ in range(repeat)]
    return statistics.median(times), shown_rows(body)


def shown_rows(body: str) -> int:
    table = re.search(r'<table id="result_list">(.*?)</table>', body, re.S)
    if table is None:
        return 0
    body_rows = re.search(r"<tbody>(.*?)</tbody>", table.group(1), re.S)
    return body_rows.group(1).count("<tr") if body_rows else 0


def query_profile(client, path: str) -> tuple[int, list[str]]:
    """The page's queries (after a warm-up), and what in them reads a whole table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code} in-process")
    flags = []
    for query in captured.captured_queries:
        sql = query["sql"]
        unfiltered_list = path.rstrip("/").count("/") > 2 and "?" not in path  # a changelist, no filter
        if re.match(r"SELECT COUNT\(\*\)", sql) and (unfiltered_list or " WHERE " not in sql):
            flags.append("COUNT(*) of a whole table")  # an unfiltered list's count reads it all
        if "SELECT DISTINCT" in sql:
            flags.append("SELECT DISTINCT")
        if "date_trunc" in sql.lower():
            flags.append("date_trunc")
    return len(captured.captured_queries), sorted(set(flags))


def _last_name(n: int) -> str:
    first, second, third = SYLLABLES
    return first[n % len(first)] + second[(n // 17) % len(second)] + third[(n // (17 * 13)) % len(third)]


def _met(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def run(scale: int) -> None:
    from bench.bench_exports import _setup, _throwaway_database

    config, cleanup = _throwaway_database(os.environ.get("BENCH_DATABASE", "bench_admin"))
    media = tempfile.mkdtemp(prefix="bench_admin_media_")
    try:
        _setup(config, media)
        _run(scale, config)
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()
        import shutil

        shutil.rmtree(media, ignore_errors=True)


def _run(scale: int, config: dict) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import clear_url_caches
    from django.utils import timezone

    from bench import admin_data

    logging.getLogger("axes").setLevel(logging.WARNING)  # the benchmark's own login is not news
    populated = admin_data.populate(scale, today=timezone.localdate())
    print(
        f"  database: {connection.vendor}; populated in {populated['seconds']:.1f} s: "
        + ", ".join(f"{table.split('_', 1)[1]} {count}" for table, count in populated.items() if table != "seconds")
    )
    settings.ROOT_URLCONF = "bench.urls"
    settings.ADMIN_REQUIRE_2FA = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    clear_url_caches()
    user = get_user_model().objects.create_superuser("bench-dpo", email="", password=None)
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    server_config = dict(config)
    if connection.vendor == "postgresql":
        server_config.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)  # as in production

    middle = scale // 2 + 7
    pages = max(1, -(-scale // 100))
    page = min(5000, pages)
    subjects = "subjects/datasubject/"
    searches = {
        "search by exact e-mail": f"{EMAIL_NAMES[middle % len(EMAIL_NAMES)]}.{middle}@exemple.invalid",
        "search by name fragment": _last_name(middle)[1:-1].lower(),
        "search by e-mail fragment": f"{EMAIL_NAMES[(middle + 1) % len(EMAIL_NAMES)]}.{middle + 1}",
        "audit trail searched by a person's number": str(middle),
    }

    def both(path: str) -> tuple[str, str]:
        return f"/admin/{path}", f"/stock/{path}"

    print(f"  gunicorn, {WORKERS} workers; {USERS} users x {PER_USER} requests; one user: median of {REPEAT}")
    with Server(server_config) as server:
        # T3: the subjects list, 4 users at once.
        ours_path, stock_path = both(subjects)
        concurrent(server.port, ours_path, session, per_user=2)  # every worker warm
        ours = concurrent(server.port, ours_path, session)
        concurrent(server.port, stock_path, session, per_user=2)
        stock = concurrent(server.port, stock_path, session)
        ours_queries, ours_flags = query_profile(client, ours_path)
        stock_queries, stock_flags = query_profile(client, stock_path)
        p50, p95 = percentile(ours, 0.5), percentile(ours, 0.95)
        stock_p50, stock_p95 = percentile(stock, 0.5), percentile(stock, 0.95)
        print(
            f"  [T3] subjects list, {USERS} users: ours p50 {p50:.0f} ms p95 {p95:.0f} ms, {ours_queries} queries "
            f"{ours_flags or ''}; stock p50 {stock_p50:.0f} ms p95 {stock_p95:.0f} ms, {stock_queries} queries "
            f"{stock_flags or ''}"
        )
        record = _recorder(verdicts=scale >= 1_000_000)
        record("subjects list, 4 users, p50", p50, stock_p50, "ms", "<= 150 ms", 150)
        record("subjects list, 4 users, p95", p95, stock_p95, "ms", "<= 300 ms", 300)
        record("subjects list, queries", ours_queries, stock_queries, "queries", "<= 6", 6)
        record(
            "subjects list, reads a whole table",
            float(bool(ours_flags)),
            float(bool(stock_flags)),
            "yes/no",
            "no",
            0,
            note="; ".join(ours_flags) or "none",
        )

        # T4 and the rest: one user at a time.
        pages_to_time = [
            (f"subjects list, page {page:,}", f"{subjects}?p={page}", "<= 400 ms", 400),
            *(
                (name, f"{subjects}?q={value}", "<= 300 ms", 300)
                for name, value in searches.items()
                if not name.startswith("audit")
            ),
            ("dashboard (admin index)", "", "<= 300 ms", 300),
            ("consent events list", "consents/consentevent/", "<= 150 ms", 150),
            ("audit events list", "ijinus_privacy/auditevent/", "<= 150 ms", 150),
            ("requests list", "requests_dsar/request/", "<= 150 ms", 150),
            (
                "audit trail searched by a person's number",
                f"ijinus_privacy/auditevent/?q={searches["audit trail searched by a person's number"]}",
                "<= 300 ms",
                300,
            ),
        ]
        for name, path, target, limit in pages_to_time:
            ours_path, stock_path = both(path)
            ours_ms, ours_rows = one_user(server.port, ours_path, session)
            stock_ms, stock_rows = one_user(server.port, stock_path, session)
            ours_queries, ours_flags = query_profile(client, ours_path)
            stock_queries, _stock_flags = query_profile(client, stock_path)
            rows = "" if path == "" else f", {ours_rows} rows shown (stock {stock_rows})"
            print(
                f"  {name:<44} ours {ours_ms:8.1f} ms {ours_queries:3} queries{rows}"
                f"{' ' + str(ours_flags) if ours_flags else ''}; stock {stock_ms:8.1f} ms {stock_queries:3} queries"
            )
            if path == "":  # the stock admin's index has no dashboard: it is the page's floor, not a peer
                record(name, ours_ms, None, "ms", target, limit, note=f"stock admin index {stock_ms:.0f} ms")
                record("dashboard, queries", ours_queries, None, "queries", "flat with history (tests)", None)
                continue
            note = f"{ours_rows} rows shown, stock {stock_rows}" + (f"; {', '.join(ours_flags)}" if ours_flags else "")
            record(name, ours_ms, stock_ms, "ms", target, limit, note=note)


def _recorder(*, verdicts: bool):
    """Targets are about 1M people: below that, the targets are shown without a verdict."""

    def record(name, ours, stock, unit, target, limit, note: str = "") -> None:
        results.record(
            BENCH,
            name,
            ours=ours,
            unit=unit,
            stock=stock,
            stock_label="stock",
            target=target,
            met=None if limit is None or not verdicts else _met(ours, limit),
            note=note,
        )

    return record
