"""Access export of one subject with many rows (T6): JSON time, PDF time and peak RSS (ours, block
layout, beside the naive single-table layout), and the collection's query count at two sizes.

``make bench BENCH_ARGS="--only bench_exports --scale 10000"``: ``scale`` is the number of rows the
subject holds (tickets, navigation records, orders). With ``DATABASE_URL`` set it runs on PostgreSQL
in a throwaway database ``bench_exports`` (created, then dropped); without it, on a temporary SQLite
file. Each PDF is rendered in a forked child so that its peak RSS (``os.wait4``) is its own.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from bench import results

DB_NAME = "bench_exports"


def _throwaway_database(name: str = DB_NAME) -> tuple[dict, callable]:
    import environ

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")

        def cleanup() -> None:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

        return environ.Env.db_url_config(urlunsplit(parts._replace(path=f"/{name}"))), cleanup
    handle, path = tempfile.mkstemp(prefix=f"{name}_", suffix=".sqlite3")
    os.close(handle)

    def cleanup() -> None:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)

    return {"ENGINE": "django.db.backends.sqlite3", "NAME": path, "OPTIONS": {"transaction_mode": "IMMEDIATE"}}, cleanup


def _setup(config: dict, media_root: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ijinus_privacy.settings")
    import django
    from django.apps import apps
    from django.conf import settings
    from django.db import connections

    settings.DEBUG = False
    settings.MEDIA_ROOT = media_root
    default = settings.DATABASES["default"]
    if apps.ready:
        connections.close_all()
    default.clear()
    default.update(config)
    for key, value in (("TIME_ZONE", None), ("CONN_MAX_AGE", 0), ("CONN_HEALTH_CHECKS", False)):
        default.setdefault(key, value)
    for key, value in (("AUTOCOMMIT", True), ("ATOMIC_REQUESTS", False), ("OPTIONS", {}), ("TEST", {})):
        default.setdefault(key, value)
    for key in ("USER", "PASSWORD", "HOST", "PORT"):
        default.setdefault(key, "")
    if apps.ready:
        del connections["default"]
    else:
        django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _subject_with_rows(rows: int, n: int):
    """A client with ``rows`` related rows: a third each of tickets, navigation records and orders."""
    from subjects import models as m

    subject = m.DataSubject.objects.create(
        last_name=f"Bench{n}", first_names="Anne", email=f"bench{n}@exemple.invalid", city="Mellac"
    )
    m.SubjectRole.objects.create(subject=subject, role="active_client", collected_on=date(2020, 1, 1))
    third = rows // 3
    start = datetime(2024, 1, 1, tzinfo=UTC)
    m.SupportTicket.objects.bulk_create(
        [
            m.SupportTicket(
                subject=subject,
                opened_on=date(2024, 1, 1) + timedelta(days=i % 700),
                channel="phone",
                summary=f"Capteur {i} muet",
                text="Le capteur n'envoie plus de mesures depuis la mise à jour du boîtier.",
            )
            for i in range(third)
        ],
        batch_size=2000,
    )
    m.NavigationRecord.objects.bulk_create(
        [
            m.NavigationRecord(
                subject=subject,
                occurred_at=start + timedelta(minutes=i),
                purpose="analysis",
                cookie_id=f"{i:016x}",
                page=f"/ijitrack/site/{i}",
                ip_address="203.0.113.7",
            )
            for i in range(third)
        ],
        batch_size=2000,
    )
    m.Order.objects.bulk_create(
        [
            m.Order(subject=subject, reference=f"CMD-{n}-{i}", ordered_on=date(2023, 1, 1), product_family="flow")
            for i in range(rows - 2 * third)
        ],
        batch_size=2000,
    )
    return subject


def _forked(label: str, work) -> tuple[float, float] | None:
    """Run ``work()`` in a child; print and return its wall time and peak RSS (MB)."""
    from django.db import connections

    connections.close_all()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        started = time.perf_counter()
        size = work()
        os.write(write_end, f"{time.perf_counter() - started:.2f} {size}".encode())
        os._exit(0)
    os.close(write_end)
    _pid, status, usage = os.wait4(pid, 0)
    output = os.read(read_end, 100).decode().split()
    os.close(read_end)
    if status != 0 or len(output) != 2:
        print(f"  {label:<34} failed (status {status})")
        return None
    seconds, size = output
    print(f"  {label:<34} {seconds:>7} s  peak RSS {usage.ru_maxrss / 1024:7.0f} MB  {int(size) / 1e6:6.1f} MB PDF")
    return float(seconds), usage.ru_maxrss / 1024


def run(scale: int) -> None:
    rows = max(scale, 300)
    config, cleanup = _throwaway_database()
    media = tempfile.mkdtemp(prefix="bench_exports_media_")
    try:
        _setup(config, media)
        from django.db import connection, reset_queries
        from django.template.loader import render_to_string
        from django.test.utils import CaptureQueriesContext

        from ijinus_privacy.pdf import html_to_pdf
        from requests_dsar.exports import content, render

        small = _subject_with_rows(rows // 10, 1)
        large = _subject_with_rows(rows, 2)
        print(f"  database: {connection.vendor}; subject with {rows} rows (and one with {rows // 10})")

        for subject, label in ((small, rows // 10), (large, rows)):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                collection = content.collect(subject)
                render.access_document(collection, language="fr")
            print(f"  collection + Art. 15 information, {label:>6} rows: {len(queries):3} queries")

        started = time.perf_counter()
        collection = content.collect(large)
        data = render.access_json(collection, language="fr")
        json_seconds = time.perf_counter() - started
        print(f"  JSON export (collect + validate)   {json_seconds:7.2f} s  {len(data) / 1e6:.1f} MB")
        note = f"a subject with {rows} rows"
        results.record("bench_exports", "JSON export", ours=json_seconds, unit="s", target="<= 2 s at 10k rows",
                       met=json_seconds <= 2 if rows >= 10_000 else None, note=note)  # fmt: skip

        def ours() -> int:
            return len(render.access_pdf(content.collect(large), language="fr"))

        def naive() -> int:
            context = render.access_pdf_context(content.collect(large), language="fr")
            return len(
                html_to_pdf(render_to_string("requests_dsar/export/access.html", {**context, "naive_table": True}))
            )

        timed_ours = _forked("PDF, block layout (ours)", ours)
        timed_naive = _forked("PDF, same document, tables (naive)", naive)
        if timed_ours:
            results.record("bench_exports", "PDF export", ours=timed_ours[0], unit="s", stock_label="tables",
                           stock=timed_naive[0] if timed_naive else None, target="<= 60 s at 10k rows",
                           met=timed_ours[0] <= 60 if rows >= 10_000 else None, note=note)  # fmt: skip
            results.record("bench_exports", "PDF export, peak RSS", ours=timed_ours[1], unit="MB", stock_label="tables",
                           stock=timed_naive[1] if timed_naive else None, target="<= 1 GB at 10k rows",
                           met=timed_ours[1] <= 1024 if rows >= 10_000 else None, note=note)  # fmt: skip
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()
        import shutil

        shutil.rmtree(media, ignore_errors=True)
