"""Import of new subject rows (T5): our background import beside the library's default path and
beside a bare ``bulk_create``, wall time and peak RSS of each, measured side by side in one run.

``make bench BENCH_ARGS="--only bench_imports --scale 100000"``: ``scale`` is the number of rows in
the CSV file. Each import runs in a forked child (its own peak RSS, ``os.wait4``) on the same empty
table; the rows are removed between runs. The compared ways:

* ours: the upload request (size and columns checked, file stored encrypted, job queued) then the
  worker's job: each batch checked, then written in bulk, in one transaction, audited per person;
* library defaults: a plain ``ModelResource`` (row by row, with its diff), dry run then import, which
  is what the admin's confirm step did; at most 5,000 rows (460 rows/s measured before), reported
  as rows per second;
* bulk_create: the rows parsed and inserted with no validation and no audit (the write's limit).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import time

from bench.bench_exports import _setup, _throwaway_database

DB_NAME = "bench_imports"
DEFAULT_PATH_MAX_ROWS = 5000


def _csv(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "kind", "last_name", "first_names", "postal_code", "city", "phone", "language"])
    for i in range(rows):
        writer.writerow(
            [f"personne{i}@exemple.invalid", "consumer", f"Le Bris-{i}", "Anne", "29300", "Mellac", "0298000000", "fr"]
        )
    return buffer.getvalue().encode()


def _forked(label: str, work) -> tuple[float, int] | None:
    """Run ``work()`` (returning a row count) in a child; print and return its wall time and row count."""
    from django.db import connections

    connections.close_all()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        started = time.perf_counter()
        try:
            count = work()
            os.write(write_end, f"{time.perf_counter() - started:.2f} {count}".encode())
        finally:
            os._exit(0)
    os.close(write_end)
    _pid, status, usage = os.wait4(pid, 0)
    output = os.read(read_end, 100).decode().split()
    os.close(read_end)
    if status != 0 or len(output) != 2:
        print(f"  {label:<44} ERROR (status {status})")
        return None
    seconds, count = float(output[0]), int(output[1])
    rate = count / seconds if seconds else float("inf")
    print(f"  {label:<44} {seconds:>7.2f} s  {rate:>8.0f} rows/s  peak RSS {usage.ru_maxrss / 1024:5.0f} MB")
    return seconds, count


def _empty_subjects() -> None:
    from subjects.models import DataSubject

    DataSubject.objects.all()._raw_delete("default")


def run(scale: int) -> None:
    rows = max(scale, 10)
    config, cleanup = _throwaway_database(DB_NAME)
    media = tempfile.mkdtemp(prefix="bench_imports_media_")
    try:
        _setup(config, media)
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.db import connection
        from import_export import resources

        from ijinus_privacy.celery import app
        from subjects.import_jobs import import_job_create, import_job_run
        from subjects.models import DataSubject, ImportJob

        app.conf.task_always_eager = False  # the upload request publishes (memory broker) and returns
        settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, rows)
        settings.IMPORT_MAX_BYTES = max(settings.IMPORT_MAX_BYTES, 200 * rows)
        content = _csv(rows)
        dpo = get_user_model().objects.create(username="bench-dpo")
        print(f"  database: {connection.vendor}; {rows} new subject rows, {len(content) / 1e6:.1f} MB CSV")

        from django.db import transaction

        started = time.perf_counter()
        with transaction.atomic():  # the upload request; the task is published after commit
            job = import_job_create(
                upload=SimpleUploadedFile("people.csv", content), kind="subjects", xlsx=False, actor=dpo, language="fr"
            )
        print(f"  upload request (checks, encrypted copy, job queued)  {time.perf_counter() - started:7.2f} s")

        def ours() -> int:
            done = import_job_run(job_id=job.pk)
            return done.rows_created if done.status == ImportJob.Status.DONE else -1

        timed_ours = _forked("ours: background job (checked, bulk, audited)", ours)
        job = ImportJob.objects.get(pk=job.pk)
        print(f"  job {job.status}: {job.rows_created} created, upload left on disk: {bool(job.file_path)}")
        _empty_subjects()

        class Defaults(resources.ModelResource):
            class Meta:
                model = DataSubject
                fields = ("email", "kind", "last_name", "first_names", "postal_code", "city", "phone", "language")
                import_id_fields = ("email",)

        small = min(rows, DEFAULT_PATH_MAX_ROWS)
        head = b"\n".join(content.split(b"\n")[: small + 1])

        def defaults() -> int:
            import tablib

            dataset = tablib.Dataset().load(head.decode(), format="csv")
            Defaults().import_data(dataset, dry_run=True)
            result = Defaults().import_data(dataset, dry_run=False)
            return result.totals["new"]

        timed_default = _forked(f"library defaults, dry run + import, {small} rows", defaults)
        _empty_subjects()

        def bare() -> int:
            reader = csv.DictReader(io.StringIO(content.decode()))
            DataSubject.objects.bulk_create((DataSubject(**row) for row in reader), batch_size=1000)
            return DataSubject.objects.count()

        timed_bare = _forked("bulk_create, no checks, no audit", bare)
        if timed_ours and timed_default and timed_bare and timed_ours[1] > 0:
            ours_rate = timed_ours[1] / timed_ours[0]
            print(
                f"  ratios: ours {ours_rate / (timed_default[1] / timed_default[0]):.1f}x the library defaults; "
                f"{ours_rate / (timed_bare[1] / timed_bare[0]):.2f}x bare bulk_create"
            )
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()
        import shutil

        shutil.rmtree(media, ignore_errors=True)
