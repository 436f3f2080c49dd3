"""Subjects and roles files imported in the background (issue 12, item 16; PERFORMANCE.md T5).

A file of more than ``IMPORT_SYNC_MAX_ROWS`` rows (2,000) would hold the web request for minutes: the
upload request only checks its size and columns and counts its rows up to that threshold, stores it
encrypted under ``MEDIA_ROOT/imports/`` and queues an ``ImportJob``; a worker then

1. streams the file in batches inside ONE transaction: each batch is checked by the resource's own
   ``validate_dataset`` against the database as it is now (plus duplicates across batches), then
   written in bulk (create/update, audited per person); the rows checked so far are committed
   aside (PostgreSQL) for the job page, with the rows written and refused so far. One refused row
   and the writing stops, the remaining rows are still checked so that every reason is reported,
   and the whole file rolls back (all or nothing, DESIGN.md): the job fails with row-level reasons;
2. deletes the stored upload, whatever the outcome.

A file that changes people on file (or their roles) is never written blind: the worker first checks
it and works out every change without writing anything (stage ``preview``), keeps the first
``PREVIEW_ROWS`` changes (old -> new) in an encrypted preview file beside the upload, counts the
changes per column, and stops at "waiting for your confirmation". The DPO reads the preview on the
job page, then confirms (``import_job_confirm``: the worker writes, stage ``write``) or cancels
(``import_job_cancel``: both files are deleted). The confirmed write must make exactly the previewed
changes (their fingerprint, ``change_digest``): if the people on file changed meanwhile, nothing is
written and the DPO previews again.

Uploads nobody will import are deleted by beat (``import_uploads_sweep``, hourly): those of jobs
that ended (a worker lost three times ends without running again), of jobs still not started, or
previewed and not confirmed, after ``IMPORT_ABANDONED_HOURS``, and files no job holds (an upload
whose request failed after storing it).

Errors name the row, the column and the reason, never a value from the file (no personal data in
the job row, the logs or the task arguments: the task gets the job id only).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import itertools
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export.results import RowResult

from ijinus_privacy import actors, audit, jobs, storage, uploads
from ijinus_privacy.identifiers import normalise_email

from .models import DataSubject, ImportJob, SubjectRole
from .resources import AuditedResource, DataSubjectResource, SubjectRoleResource

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

IMPORT_DIR = "imports"
MAX_ERRORS_KEPT = 100
MAX_ATTEMPTS = 3  # a file that kills its worker three times fails with WorkerLost
PREVIEW_ROWS = 200  # changes shown person by person on the job page (all are counted per column)
# Who may confirm a previewed change of people on file: the DPO (imports are the DPO's, roles.py).
CONFIRM_PERMISSIONS = {
    ImportJob.Kind.SUBJECTS: ("subjects.view_importjob", "subjects.change_datasubject"),
    ImportJob.Kind.ROLES: ("subjects.view_importjob", "subjects.change_subjectrole"),
}
RESOURCES: dict[str, type[AuditedResource]] = {
    ImportJob.Kind.SUBJECTS: DataSubjectResource,
    ImportJob.Kind.ROLES: SubjectRoleResource,
}


def columns_for(resource_class: type[AuditedResource]) -> uploads.Columns:
    """The columns a resource reads; its natural key's columns are required."""
    resource = resource_class()
    fields = resource.get_import_fields()
    required = {resource.fields[name].column_name for name in resource._meta.import_id_fields}
    expected = tuple(field.column_name for field in fields)
    return uploads.Columns(expected=expected, required=tuple(name for name in expected if name in required))


def template_csv(resource_class: type[AuditedResource]) -> bytes:
    """A CSV file holding only the header row the import expects: the DPO fills it in and uploads it."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(columns_for(resource_class).expected)
    return out.getvalue().encode("utf-8")


def kind_of(resource_class: type[AuditedResource]) -> str | None:
    return next((kind for kind, cls in RESOURCES.items() if issubclass(resource_class, cls)), None)


# --- the upload request --------------------------------------------------------------------------


def runs_in_background(upload, *, xlsx: bool, columns: uploads.Columns) -> bool:
    """Whether the file has more than ``IMPORT_SYNC_MAX_ROWS`` rows: then a worker imports it.

    Checks the format and the columns and reads at most ``IMPORT_SYNC_MAX_ROWS + 1`` rows, so the
    answer costs the same for a file of 2,001 rows as for one of 200,000. Raises ``UploadRefused``.
    """
    limit = settings.IMPORT_SYNC_MAX_ROWS
    upload.seek(0)
    try:
        rows = uploads.iter_rows(uploads.binary(upload), xlsx=xlsx, columns=columns)
        next(rows)
        return sum(1 for _row in itertools.islice(rows, limit + 1)) > limit
    finally:
        upload.seek(0)


def import_job_create(*, upload, kind: str, xlsx: bool, actor: AbstractBaseUser | None, language: str) -> ImportJob:
    """Check the file's size and columns, store it encrypted and queue its import (after commit).

    Raises ``UploadRefused``. Returns within the upload request: the rows are read by the worker.
    """
    uploads.check_size(upload.size)
    upload.seek(0)
    uploads.read_header(uploads.binary(upload), xlsx=xlsx, columns=columns_for(RESOURCES[kind]))
    upload.seek(0)
    content = b"".join(upload.chunks())
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            file_name=upload.name[:255],
            file_format=ImportJob.Format.XLSX if xlsx else ImportJob.Format.CSV,
            size=len(content),
            language=language,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_by_username=actors.username(actor),
        )
        try:
            job.file_path = storage.store(content, job_id=job.pk, folder=IMPORT_DIR)
            job.save(update_fields=["file_path"])
        except BaseException:
            storage.remove(f"{IMPORT_DIR}/{job.pk}.enc")
            raise
        audit.record(action=audit.Action.CREATE, actor=actor, obj=job, reason=f"Import queued: {kind}")
        transaction.on_commit(lambda: import_job_dispatch(job.pk))
    return job


def import_job_dispatch(job_id: int) -> bool:
    """Publish the task; a broker failure leaves the job for beat's ``jobs_recover`` (T9). Never raises."""
    from .tasks import import_job_run_task

    return jobs.dispatch(ImportJob, job_id, lambda pk: import_job_run_task.apply_async(args=[pk], retry=False))


class _RowsRefused(Exception):
    def __init__(self, count: int, errors: list[str], *, checked: int) -> None:
        super().__init__(f"{count} rows refused")
        self.count = count
        self.errors = errors
        self.checked = checked


def _reasons(error: ValidationError) -> Iterator[tuple[str, str]]:
    """(column, message) pairs of a row's error, any quoted cell value masked."""
    pairs = error.error_dict.items() if hasattr(error, "error_dict") else [("", error.error_list)]
    for column, errors in pairs:
        for item in errors:
            items = item.error_list if isinstance(item, ValidationError) else [ValidationError(str(item))]
            for single in items:
                params = dict(single.params or {})
                if "value" in params:
                    params["value"] = "\u2026"
                message = str(single.message)
                yield column, (message % params if params else message)


def _row_errors(result, *, offset: int) -> list[str]:
    messages = []
    for invalid in result.invalid_rows:
        for column, reason in _reasons(invalid.error):
            row = offset + invalid.number
            messages.append(_("Row %(row)s, %(column)s: %(reason)s") % {"row": row, "column": column, "reason": reason})
    for number, row_errors in result.row_errors():
        for err in row_errors:
            messages.append(_("Row %(row)s: %(reason)s") % {"row": offset + number, "reason": type(err.error).__name__})
    for err in result.base_errors:
        messages.append(_("The file was refused: %(reason)s") % {"reason": type(err.error).__name__})
    return messages


@dataclass(frozen=True)
class RowError:
    """One reason a row was refused, as the job page's table shows it."""

    row: str
    column: str
    message: str


def _error_pattern(template: str) -> re.Pattern:
    """A message template of ``_row_errors`` (in the job's language) turned back into a pattern."""
    groups = {"row": r"(?P<row>\d+)", "column": r"(?P<column>.*?)", "reason": r"(?P<reason>.*)"}
    parts = re.split(r"%\((row|column|reason)\)s", template)
    return re.compile("".join(groups[part] if index % 2 else re.escape(part) for index, part in enumerate(parts)), re.S)


def error_rows(job: ImportJob) -> list[RowError]:
    """The job's refusals as (row, column, message) for a readable table; a message about the whole
    file keeps its row and column empty. Read back from the messages as written, in the job's language."""
    with translation.override(job.language or settings.LANGUAGE_CODE):
        patterns = [
            _error_pattern(_("Row %(row)s, %(column)s: %(reason)s")),
            _error_pattern(_("Row %(row)s: %(reason)s")),
        ]
    rows = []
    for message in job.errors or []:
        match = next((found for pattern in patterns if (found := pattern.fullmatch(str(message)))), None)
        if match is None:
            rows.append(RowError(row="", column="", message=str(message)))
        else:
            found = match.groupdict()
            column = found.get("column") or ""
            column = "" if column == "__all__" else column
            rows.append(RowError(row=found["row"], column=column, message=found["reason"]))
    return rows


def _row_key(kind: str, row: dict) -> tuple:
    email = normalise_email(str(row.get("email") or ""))
    return (email,) if kind == ImportJob.Kind.SUBJECTS else (email, str(row.get("role") or "").strip())


def _batches(job: ImportJob, content: bytes) -> Iterator[tuple[int, tablib.Dataset]]:
    rows = uploads.iter_rows(
        io.BytesIO(content), xlsx=job.file_format == ImportJob.Format.XLSX, columns=columns_for(RESOURCES[job.kind])
    )
    headers = next(rows)
    offset = 0
    for batch in itertools.batched(rows, settings.IMPORT_BATCH_ROWS, strict=False):
        yield offset, tablib.Dataset(*batch, headers=headers)
        offset += len(batch)


class _Progress:
    """Commit the rows checked, written and refused so far while the import's transaction is open.

    On PostgreSQL through a second connection, so the job page shows them live; on SQLite
    (embedded mode: tasks run inline, nobody watches) inside the transaction.
    """

    def __init__(self, job: ImportJob) -> None:
        self.job_id = job.pk
        self.side = connections.create_connection(DEFAULT_DB_ALIAS) if connection.vendor == "postgresql" else None

    def __call__(self, *, checked: int, created: int, refused: int) -> None:
        if self.side is None:
            ImportJob.objects.filter(pk=self.job_id).update(
                rows_checked=checked, rows_created=created, error_count=refused, updated_at=timezone.now()
            )
            return
        with self.side.cursor() as cursor:
            cursor.execute(
                "UPDATE subjects_importjob SET rows_checked = %s, rows_created = %s, error_count = %s,"
                " updated_at = %s WHERE id = %s",
                [checked, created, refused, timezone.now(), self.job_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _duplicates(kind: str, dataset: tablib.Dataset, *, offset: int, first_seen: dict[tuple, int]) -> list[str]:
    """Rows repeating a person of an earlier batch (the resource sees one batch at a time)."""
    errors = []
    for number, values in enumerate(dataset.dict, offset + 1):
        earlier = first_seen.setdefault(_row_key(kind, values), number)
        if earlier <= offset:
            reason = _("Row %(row)s, email: Duplicate of row %(earlier)s in this file.")
            errors.append(reason % {"row": number, "earlier": earlier})
    return errors


def _already_on_file(kind: str, dataset: tablib.Dataset, *, offset: int, first_seen: dict[tuple, int]) -> list[str]:
    """Rows about a person (or a person's role) put on file while a file of new people was being
    imported: the file was checked for people on file before (``_rows_on_file``); changes to people
    on file are written only after their preview (issue 12, item 5), so these rows are refused."""
    rows = enumerate(dataset.dict, offset + 1)
    # A key seen earlier in the file is reported as a duplicate (its first row may be written already).
    keys = {number: key for number, values in rows if first_seen.get(key := _row_key(kind, values)) == number}
    emails = {key[0] for key in keys.values() if key[0]}
    if kind == ImportJob.Kind.SUBJECTS:
        found = {(email,) for email in DataSubject.objects.with_emails(emails).values_list("email", flat=True)}
        reason = _(
            "Row %(row)s, email: this person was put on file while the import ran. Upload the file again: "
            "its preview will show each change before you confirm."
        )
    else:
        on_file = DataSubject.objects.with_emails(emails)
        found = set(SubjectRole.objects.filter(subject__in=on_file).values_list("subject__email", "role"))
        reason = _(
            "Row %(row)s, role: this role was put on file while the import ran. Upload the file again: "
            "its preview will show each change before you confirm."
        )
    return [reason % {"row": number} for number, key in keys.items() if key in found]


def _import_all(job: ImportJob, content: bytes, resource: AuditedResource, actor) -> None:
    """Check and write every batch in ONE transaction; after the first refused row, only check.

    The resource checks each batch against the database as it is inside the transaction, then
    writes it in bulk (audited per person). A refused row stops the writing; the remaining
    batches are still checked so every reason is reported at once; then everything rolls back.
    """
    errors: list[str] = []
    refused = created = 0
    first_seen: dict[tuple, int] = {}
    progress = _Progress(job)
    try:
        with transaction.atomic():
            for offset, dataset in _batches(job, content):
                duplicates = _duplicates(job.kind, dataset, offset=offset, first_seen=first_seen)
                duplicates += _already_on_file(job.kind, dataset, offset=offset, first_seen=first_seen)
                if not errors and not duplicates:
                    result, written = resource.create_checked(dataset, actor=actor)
                else:
                    result, written = resource.validate_dataset(dataset), 0
                batch_errors = _row_errors(result, offset=offset) + duplicates
                if batch_errors:
                    errors += batch_errors
                    refused += max(1, len(result.invalid_rows) + len(duplicates))
                else:
                    created += written
                progress(checked=offset + len(dataset), created=created, refused=refused)
            if errors:
                raise _RowsRefused(refused, errors, checked=offset + len(dataset))
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.DONE,
                rows_checked=offset + len(dataset),
                rows_created=created,
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            audit.record(
                action=audit.Action.CREATE,
                actor=actor,
                obj=job,
                fields=list(columns_for(RESOURCES[job.kind]).expected),
                reason=f"Background import #{job.pk}: {created} created",
            )
    finally:
        progress.close()


def _rows_on_file(job: ImportJob, content: bytes) -> bool:
    """Whether a row names a person (for a roles file: a person's role) already on file: one query
    per thousand e-mails, nothing parsed twice but the e-mail column."""
    for _offset, dataset in _batches(job, content):
        keys = {_row_key(job.kind, values) for values in dataset.dict}
        emails = sorted({key[0] for key in keys} - {""})
        for start in range(0, len(emails), 1000):
            chunk = emails[start : start + 1000]
            if job.kind == ImportJob.Kind.SUBJECTS:
                if DataSubject.objects.with_emails(chunk).exists():
                    return True
            else:
                on_file = DataSubject.objects.with_emails(chunk)
                roles = SubjectRole.objects.filter(subject__in=on_file).values_list("subject__email", "role")
                if keys.intersection(roles):
                    return True
    return False


class _Tally:
    """What a file changes, row by row: counts, changes per column, the first changes, a fingerprint."""

    def __init__(self) -> None:
        self.new = self.changed = self.unchanged = 0
        self.columns: dict[str, int] = {}
        self.sample: list[dict] = []
        self._digest = hashlib.sha256()

    def add(self, result, resource: AuditedResource, *, offset: int) -> None:
        """Count the rows ``resource.validate_dataset`` checked: new, changed (column by column), unchanged."""
        for (number, _row, instance), changes in zip(result.checked_instances, result.checked_changes, strict=True):
            number += offset
            if instance.pk is None:
                import_type = RowResult.IMPORT_TYPE_NEW
                self.new += 1
            elif changes:
                import_type = RowResult.IMPORT_TYPE_UPDATE
                self.changed += 1
                for change in changes:
                    self.columns[change.column] = self.columns.get(change.column, 0) + 1
                if len(self.sample) < PREVIEW_ROWS:
                    self.sample.append(
                        {
                            "row": number,
                            "object_id": instance.pk,
                            "label": resource.preview_label(instance),
                            "changes": [[change.column, change.old, change.new] for change in changes],
                        }
                    )
            else:
                import_type = RowResult.IMPORT_TYPE_SKIP
                self.unchanged += 1
            payload = [number, import_type, [[change.column, change.new] for change in changes]]
            self._digest.update(json.dumps(payload, default=str).encode())
            self._digest.update(b"\n")

    @property
    def written(self) -> int:
        return self.new + self.changed

    def digest(self) -> str:
        return self._digest.hexdigest()

    def summary(self) -> dict:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged, "columns": self.columns}


class _ChangedSincePreview(Exception):
    pass


def _check_all(job: ImportJob, content: bytes, actor, *, write: bool) -> _Tally:
    """Check every batch and work out its changes, in ONE transaction: without writing (the preview)
    or writing them (the confirmed changes, ``write_checked``: the rows checked are the rows
    written, each read once). A refused row stops the writing; the remaining batches are still
    checked so every reason is reported at once; then everything rolls back."""
    errors: list[str] = []
    refused = 0
    first_seen: dict[tuple, int] = {}
    tally = _Tally()
    progress = _Progress(job)
    try:
        with transaction.atomic():
            for offset, dataset in _batches(job, content):
                duplicates = _duplicates(job.kind, dataset, offset=offset, first_seen=first_seen)
                resource = RESOURCES[job.kind](actor=actor)  # one per batch: no state carried along
                result = resource.validate_dataset(dataset)
                batch_errors = _row_errors(result, offset=offset) + duplicates
                if batch_errors:
                    errors += batch_errors
                    refused += max(1, len(result.invalid_rows) + len(duplicates))
                else:
                    tally.add(result, resource, offset=offset)
                    if write and not errors:
                        resource.write_checked(result, actor=actor)
                progress(checked=offset + len(dataset), created=tally.written if write else 0, refused=refused)
                checked = offset + len(dataset)
            if errors:
                raise _RowsRefused(refused, errors, checked=checked)
            if write and tally.digest() != job.change_digest:
                raise _ChangedSincePreview
    finally:
        progress.close()
    return tally


def _preview_all(job: ImportJob, content: bytes, actor) -> None:
    """Work out every change without writing, keep the first ones encrypted, wait for the DPO."""
    tally = _check_all(job, content, actor, write=False)
    preview_path = storage.write(json.dumps(tally.sample).encode(), relative=f"{IMPORT_DIR}/{job.pk}-preview.enc")
    now = timezone.now()
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.AWAITING,
            rows_checked=tally.new + tally.changed + tally.unchanged,
            rows_created=0,
            rows_updated=0,
            rows_unchanged=tally.unchanged,
            column_changes=tally.summary(),
            change_digest=tally.digest(),
            preview_path=preview_path,
            owner="",
            updated_at=now,
        )
        audit.record(
            action=audit.Action.CHANGE,
            actor=actor,
            obj=job,
            fields=sorted(tally.columns),
            reason=f"Import #{job.pk} checked: {tally.new} new, {tally.changed} changed, awaiting confirmation",
        )


def _write_confirmed(job: ImportJob, content: bytes, actor) -> None:
    """Write the confirmed changes, all or nothing, only if they are exactly those previewed."""
    tally = _check_all(job, content, actor, write=True)
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        rows_checked=tally.new + tally.changed + tally.unchanged,
        rows_created=tally.new,
        rows_updated=tally.changed,
        rows_unchanged=tally.unchanged,
        finished_at=now,
        updated_at=now,
    )
    audit.record(
        action=audit.Action.CHANGE,
        actor=actor,
        obj=job,
        fields=sorted(tally.columns),
        reason=f"Background import #{job.pk}: {tally.new} created, {tally.changed} changed (confirmed)",
    )


def import_job_confirm(*, job: ImportJob, actor: AbstractBaseUser) -> ImportJob:
    """The DPO confirms the previewed changes: the worker writes them (stage ``write``)."""
    for permission in CONFIRM_PERMISSIONS[job.kind]:
        actors.require(actor, permission, _("Only the DPO confirms changes to people on file."), person=True)
    now = timezone.now()
    with transaction.atomic():
        confirmed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.AWAITING).update(
            status=ImportJob.Status.PENDING,
            stage=ImportJob.Stage.WRITE,
            confirmed_at=now,
            confirmed_by_username=actors.username(actor),
            attempts=0,
            rows_checked=0,
            error_count=0,
            updated_at=now,
        )
        if not confirmed:
            raise ValidationError(_("This import is not waiting for a confirmation any more."))
        audit.record(action=audit.Action.CHANGE, actor=actor, obj=job, reason=f"Import #{job.pk} confirmed")
        transaction.on_commit(lambda: import_job_dispatch(job.pk))
    job.refresh_from_db()
    return job


def import_job_cancel(*, job: ImportJob, actor: AbstractBaseUser) -> ImportJob:
    """The DPO cancels a previewed import: nothing is written, the upload and the preview are deleted."""
    for permission in CONFIRM_PERMISSIONS[job.kind]:
        actors.require(actor, permission, _("Only the DPO confirms changes to people on file."), person=True)
    now = timezone.now()
    with transaction.atomic():
        cancelled = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.AWAITING).update(
            status=ImportJob.Status.CANCELLED, finished_at=now, updated_at=now, file_path="", preview_path=""
        )
        if not cancelled:
            raise ValidationError(_("This import is not waiting for a confirmation any more."))
        audit.record(action=audit.Action.CHANGE, actor=actor, obj=job, reason=f"Import #{job.pk} cancelled")
    storage.remove(job.file_path)
    storage.remove(job.preview_path)
    job.refresh_from_db()
    return job


def preview_of(job: ImportJob) -> list[dict]:
    """The first changes (row, person, column, old -> new), for the job page; [] once the file is gone."""
    if not job.preview_path or job.status != ImportJob.Status.AWAITING:
        return []
    try:
        return json.loads(storage.read(job.preview_path))
    except Exception:  # deleted meanwhile (cancelled, swept): the page shows the counts only
        return []


def _fail(job: ImportJob, *, errors: list[str], count: int, checked: int | None = None) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        **({} if checked is None else {"rows_checked": checked}),
        status=ImportJob.Status.FAILED,
        rows_created=0,  # the progress counted rows the rollback undid
        errors=errors[:MAX_ERRORS_KEPT],
        error_count=count,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def import_job_run(*, job_id: int, owner: str | None = None) -> ImportJob | None:
    """Check then write the job's file, all or nothing; idempotent: a job finished, or running under
    a live worker, is left alone; a redelivery of our own task (``owner``) or a job whose worker
    died is taken over (``ijinus_privacy.jobs``)."""
    owner = owner or jobs.new_owner()
    claimed = jobs.claim(ImportJob, job_id, owner=owner, max_attempts=MAX_ATTEMPTS)
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is not None and not claimed and job.status == ImportJob.Status.FAILED and job.file_path:
        storage.remove(job.file_path)  # given up (WorkerLost): the upload goes as after any end
        ImportJob.objects.filter(pk=job_id).update(file_path="")
    if not claimed or job is None:
        return job
    actor = job.created_by
    with translation.override(job.language), jobs.heartbeat(ImportJob, job_id, owner=owner):
        try:
            content = storage.read(job.file_path)
            if job.stage == ImportJob.Stage.WRITE:
                _write_confirmed(job, content, actor)
            elif job.stage == ImportJob.Stage.PREVIEW or _rows_on_file(job, content):
                ImportJob.objects.filter(pk=job_id).update(stage=ImportJob.Stage.PREVIEW)
                _preview_all(job, content, actor)
            else:
                _import_all(job, content, RESOURCES[job.kind](actor=actor), actor)
        except uploads.UploadRefused as refusal:
            _fail(job, errors=[str(refusal.message)], count=0)
        except _RowsRefused as refusal:
            _fail(job, errors=refusal.errors, count=refusal.count, checked=refusal.checked)
        except _ChangedSincePreview:
            reason = _(
                "The people on file changed after the preview: nothing was written. Upload the file again "
                "to see the changes as they are now."
            )
            _fail(job, errors=[reason], count=0)
        except Exception as error:
            # The type only: a database error's message can quote a row's values.
            logger.error("import job %s failed: %s", job_id, type(error).__name__)
            reason = _("The import stopped on an unexpected error (%(code)s).") % {"code": type(error).__name__}
            _fail(job, errors=[reason], count=0)
        finally:
            now = ImportJob.objects.values("status", "file_path", "preview_path").get(pk=job_id)
            if now["status"] != ImportJob.Status.AWAITING:  # the files wait only for a confirmation
                storage.remove(now["file_path"] or job.file_path)
                storage.remove(now["preview_path"])
                ImportJob.objects.filter(pk=job_id).update(file_path="", preview_path="")
    return ImportJob.objects.get(pk=job_id)


# --- the job page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """What the job page shows: the rows checked, written and refused so far, out of about how many."""

    live: bool  # queued or running: the page refreshes itself
    checked: int
    created: int
    refused: int
    expected: int | None  # the file's rows, about (a CSV's lines, a workbook's last row); None: unknown
    percent: int | None


def _rows_in_upload(file_path: str, file_format: str) -> int | None:
    """About how many rows the stored upload holds, without parsing it (once per process and file)."""
    try:
        stat = storage.absolute(file_path).stat()
    except (OSError, ValueError):  # gone meanwhile (the job ended): the page shows counts only
        return None
    return _rows_in_file(file_path, file_format, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _rows_in_file(file_path: str, file_format: str, _size: int, _mtime_ns: int) -> int | None:
    try:
        content = storage.read(file_path)
    except Exception:  # removed meanwhile, or unreadable: the page shows counts only
        return None
    if file_format == ImportJob.Format.XLSX:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True)
            last_row = workbook.worksheets[0].max_row
            workbook.close()
        except Exception:
            return None
        return max(last_row - 1, 0) if last_row else None
    lines = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    return max(lines - 1, 0)


def progress_of(job: ImportJob) -> Progress:
    live = job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)
    if not live:
        done = job.status == ImportJob.Status.DONE
        expected, percent = job.rows_checked, (100 if done else None)
    else:
        expected = _rows_in_upload(job.file_path, job.file_format) if job.file_path else None
        percent = min(99, job.rows_checked * 100 // expected) if expected else None
    return Progress(
        live=live,
        checked=job.rows_checked,
        created=job.rows_created,
        refused=job.error_count,
        expected=expected,
        percent=percent,
    )


# --- uploads nobody will import -------------------------------------------------------------------

ORPHAN_MINUTES = 60  # a file no job holds is older than any upload request still storing it


def import_uploads_sweep(*, now: datetime | None = None) -> int:
    """Delete the uploads nobody will import (beat, hourly); return how many files went.

    * jobs that ended but still hold their upload (a job failed by beat after its worker was lost
      three times never runs again to delete it);
    * jobs still queued ``IMPORT_ABANDONED_HOURS`` after the upload (no worker took them): they
      fail, saying to upload the file again; previews nobody confirmed within that time are cancelled;
    * files under ``MEDIA_ROOT/imports/`` that no queued or running job holds, an hour old: an
      upload request that failed after storing its file, a write killed midway;
    * the library's own temporary copies (``MEDIA_ROOT/django-import-export/``, used by an import
      admin with the library's confirm step) past the preview's hour.
    """
    now = now or timezone.now()
    removed = 0
    ended = ImportJob.objects.filter(
        status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED, ImportJob.Status.CANCELLED]
    ).exclude(file_path="", preview_path="")
    for job_id, file_path, preview_path in list(ended.values_list("pk", "file_path", "preview_path")):
        removed += storage.remove(file_path) + storage.remove(preview_path)
        ImportJob.objects.filter(pk=job_id).update(file_path="", preview_path="")
    stale = now - timedelta(hours=settings.IMPORT_ABANDONED_HOURS)
    unconfirmed = ImportJob.objects.filter(status=ImportJob.Status.AWAITING, updated_at__lt=stale)
    for job in list(unconfirmed.only("pk", "file_path", "preview_path", "language")):
        with translation.override(job.language):
            reason = _(
                "Nobody confirmed these changes within %(hours)s hours: nothing was written and the file was "
                "deleted. Upload it again."
            ) % {"hours": settings.IMPORT_ABANDONED_HOURS}
        if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.AWAITING).update(
            status=ImportJob.Status.CANCELLED, errors=[reason], finished_at=now, updated_at=now, file_path="",
            preview_path="",
        ):  # fmt: skip
            removed += storage.remove(job.file_path) + storage.remove(job.preview_path)
    abandoned = ImportJob.objects.filter(status=ImportJob.Status.PENDING, created_at__lt=stale)
    for job in list(abandoned.only("pk", "file_path", "language")):
        with translation.override(job.language):
            reason = _(
                "No worker started this import within %(hours)s hours: the file was deleted. Upload it again."
            ) % {"hours": settings.IMPORT_ABANDONED_HOURS}
        if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(
            status=ImportJob.Status.FAILED, errors=[reason], finished_at=now, updated_at=now, file_path=""
        ):
            removed += storage.remove(job.file_path)
    waiting = ImportJob.objects.filter(
        status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING, ImportJob.Status.AWAITING]
    )
    held = {path for paths in waiting.values_list("file_path", "preview_path") for path in paths if path}
    old = (now - timedelta(minutes=ORPHAN_MINUTES)).timestamp()
    for folder, keep in ((IMPORT_DIR, held), ("django-import-export", set())):
        root = storage.absolute(folder)
        if not root.is_dir():
            continue
        for path in root.iterdir():
            if path.is_file() and f"{folder}/{path.name}" not in keep and path.stat().st_mtime < old:
                path.unlink(missing_ok=True)
                removed += 1
    if removed:
        logger.info("import uploads sweep: %s files deleted", removed)
    return removed
