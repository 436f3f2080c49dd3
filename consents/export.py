"""Export the register of processing for the CNIL (Art. 30(4); R3.1.4): PDF and CSV.

CSV: one row per activity, the columns of ``CSV_COLUMNS`` (documented in ``docs/register-export.md``);
multi-valued cells are joined with " | ". Every cell that a spreadsheet would read as a formula
(starting with = + - @ tab or carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit, jobs, storage
from ijinus_privacy.pdf import render_pdf
from ijinus_privacy.spreadsheets import escape_formula

from . import services
from .models import Controller, ProcessingActivity, RegisterExportJob, RegisterVersion

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

SEPARATOR = " | "

CSV_COLUMNS = (
    "code",
    "name",
    "name_fr",
    "status",
    "version",
    "validated_by",
    "validated_at",
    "controller",
    "ijinus_role",
    "joint_controllers",
    "purposes",
    "legal_bases",
    "subject_categories",
    "data_categories_and_retention",
    "sensitive_data",
    "recipients",
    "processors",
    "transfers_outside_eu",
    "transfers",
    "transfer_gaps",
    "transfer_notes",
    "retention",
    "security_measures",
    "security_notes",
    "data_source",
    "software",
    "dpia_needed",
    "dpia_reference",
    "notice_reference",
    "missing_art30_fields",
    "accountability_gaps",
    "open_dpo_questions",
    "created_at",
    "updated_at",
)


def csv_cell(value: Any) -> str:
    return escape_formula("" if value is None else str(value))


def _purpose_text(purpose) -> str:
    text = f"{purpose.description} [{purpose.get_legal_basis_display()}]"
    if purpose.legal_basis_detail:
        text += f" ({purpose.legal_basis_detail})"
    if purpose.balancing_test_reference:
        text += f" LIA: {purpose.balancing_test_reference}"
    return text


def _recipient_text(recipient) -> str:
    return f"{recipient.name} ({recipient.get_kind_display()}; {recipient.country or '?'})"


def _transfer_text(recipient) -> str:
    parts = [recipient.name, recipient.country or "country unknown", recipient.get_transfer_mechanism_display()]
    if recipient.scc_reference:
        parts.append(f"SCC: {recipient.scc_reference}")
    if recipient.tia_reference:
        tia_date = f" ({recipient.tia_date.isoformat()})" if recipient.tia_date else ""
        parts.append(f"TIA: {recipient.tia_reference}{tia_date}")
    return " — ".join(parts)


def _processor_text(recipient) -> str:
    company = recipient.company_name or "company not named yet"
    return f"{recipient.name}: {company} ({recipient.country or '?'})"


def activity_row(activity: ProcessingActivity, controller: Controller | None) -> dict[str, str]:
    purposes = list(activity.purposes.all())
    return {
        "code": activity.code,
        "name": activity.name,
        "name_fr": activity.name_fr,
        "status": activity.get_status_display(),
        "version": str(activity.version),
        "validated_by": activity.validated_by_name,
        "validated_at": activity.validated_at.isoformat(timespec="seconds") if activity.validated_at else "",
        "controller": controller.name if controller else "",
        "ijinus_role": activity.get_controller_role_display(),
        "joint_controllers": activity.joint_controllers,
        "purposes": SEPARATOR.join(_purpose_text(p) for p in purposes),
        "legal_bases": ", ".join(sorted({f"6(1)({p.legal_basis})" for p in purposes})),
        "subject_categories": SEPARATOR.join(c.name for c in activity.subject_categories.all()),
        "data_categories_and_retention": SEPARATOR.join(
            f"{link.category.name}: {link.retention}" if link.retention else link.category.name
            for link in activity.data_category_links.all()
        ),
        "sensitive_data": "yes" if activity.sensitive_data else "no",
        "recipients": SEPARATOR.join(_recipient_text(r) for r in activity.recipients.all()),
        "processors": SEPARATOR.join(_processor_text(r) for r in activity.processors()),
        "transfers_outside_eu": activity.get_transfers_outside_eu_display() if activity.transfers_outside_eu else "",
        "transfers": SEPARATOR.join(_transfer_text(r) for r in activity.transfer_recipients()),
        "transfer_gaps": SEPARATOR.join(
            f"{name}: {', '.join(gaps)}" for name, gaps in activity.transfer_gaps().items()
        ),
        "transfer_notes": activity.transfer_notes,
        "retention": activity.retention,
        "security_measures": SEPARATOR.join(m.name for m in activity.security_measures.all()),
        "security_notes": activity.security_notes,
        "data_source": activity.data_source,
        "software": activity.software,
        "dpia_needed": activity.get_dpia_needed_display(),
        "dpia_reference": activity.dpia_reference,
        "notice_reference": activity.notice_reference,
        "missing_art30_fields": SEPARATOR.join(activity.missing_fields()),
        "accountability_gaps": SEPARATOR.join(activity.accountability_gaps()),
        "open_dpo_questions": SEPARATOR.join(line for line in activity.open_questions.splitlines() if line.strip()),
        "created_at": activity.created_at.isoformat(timespec="seconds"),
        "updated_at": activity.updated_at.isoformat(timespec="seconds"),
    }


def register_csv(activities=None) -> str:
    activities = ProcessingActivity.objects.with_register() if activities is None else activities
    controller = Controller.current()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for activity in activities:
        writer.writerow({key: csv_cell(value) for key, value in activity_row(activity, controller).items()})
    return buffer.getvalue()


def register_context(activities=None) -> dict[str, Any]:
    activities = list(ProcessingActivity.objects.with_register() if activities is None else activities)
    entries = [
        {
            "activity": activity,
            "purposes": list(activity.purposes.all()),
            "data_links": list(activity.data_category_links.all()),
            "transfers": activity.transfer_recipients(),
            "processors": activity.processors(),
            "missing": activity.missing_fields(),
            "gaps": activity.accountability_gaps(),
            "questions": [line for line in activity.open_questions.splitlines() if line.strip()],
        }
        for activity in activities
    ]
    recipients = {r.pk: r for activity in activities for r in activity.recipients.all()}
    return {
        "controller": Controller.current(),
        "generated_at": timezone.localtime(),
        "edition": RegisterVersion.objects.count(),
        "entries": entries,
        "recipients": sorted(recipients.values(), key=lambda r: (r.kind, r.code)),
        "complete_count": sum(1 for entry in entries if not entry["missing"]),
    }


def register_pdf(activities=None) -> bytes:
    return render_pdf("consents/register.html", register_context(activities))


def register_export(*, fmt: str, actor: AbstractBaseUser | None) -> tuple[bytes, str, str]:
    """Build the export and audit it; returns (content, content type, file name)."""
    activities = list(ProcessingActivity.objects.with_register())
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        content = register_csv(activities).encode("utf-8-sig")
        result = (content, "text/csv; charset=utf-8", f"register-of-processing-{stamp}.csv")
    elif fmt == "pdf":
        result = (register_pdf(activities), "application/pdf", f"register-of-processing-{stamp}.pdf")
    else:
        raise ValueError(f"unknown export format: {fmt}")
    services.register_export_record(actor=actor, fmt=fmt, activity_count=len(activities))
    return result


# --- the PDF built in the background --------------------------------------------------------------
# Laying the register out takes seconds (about 7 s for the demo's 15 entries, 35 pages: WeasyPrint's
# layout, not the two queries), too long for a web request: the page queues a job and follows it.

REGISTER_DIR = "register"
MAX_ATTEMPTS = 3
EXPORT_PERMISSION = "consents.export_register"


def register_pdf_job_create(*, actor: AbstractBaseUser) -> RegisterExportJob:
    """Queue the register's PDF for ``actor`` (who may export the register); audited as asked."""
    actors.require(actor, EXPORT_PERMISSION)
    with transaction.atomic():
        job = RegisterExportJob.objects.create(requested_by=actors.staff_or_none(actor))
        audit.record(action=audit.Action.CREATE, actor=actor, obj=job, reason="register export pdf queued")
        transaction.on_commit(lambda: register_pdf_job_dispatch(job.pk))
    return job


def register_pdf_job_dispatch(job_id: int) -> bool:
    """Publish the task; a broker failure leaves the job for beat's ``jobs_recover``. Never raises."""
    from .tasks import register_pdf_task

    return jobs.dispatch(RegisterExportJob, job_id, lambda pk: register_pdf_task.apply_async(args=[pk], retry=False))


def register_pdf_job_run(*, job_id: int, owner: str | None = None) -> RegisterExportJob | None:
    """Build the PDF of a queued job; idempotent (a job done, or running under a live worker, is left alone)."""
    owner = owner or jobs.new_owner()
    if not jobs.claim(RegisterExportJob, job_id, owner=owner, max_attempts=MAX_ATTEMPTS):
        return RegisterExportJob.objects.filter(pk=job_id).first()
    job = RegisterExportJob.objects.select_related("requested_by").get(pk=job_id)
    with jobs.heartbeat(RegisterExportJob, job_id, owner=owner):
        try:
            content, _type, file_name = register_export(fmt="pdf", actor=job.requested_by)
            path = storage.write(content, relative=f"{REGISTER_DIR}/{job_id}.enc")
        except Exception as error:
            logger.error("register PDF %s failed: %s", job_id, type(error).__name__)
            RegisterExportJob.objects.filter(pk=job_id, owner=owner).update(
                status=RegisterExportJob.Status.FAILED, error_code=type(error).__name__, finished_at=timezone.now()
            )
        else:
            RegisterExportJob.objects.filter(pk=job_id, owner=owner).update(
                status=RegisterExportJob.Status.DONE,
                file_path=path,
                file_name=file_name,
                activity_count=ProcessingActivity.objects.count(),
                finished_at=timezone.now(),
            )
    return RegisterExportJob.objects.get(pk=job_id)


def register_pdf_download(*, job: RegisterExportJob, actor: AbstractBaseUser) -> bytes:
    """The built PDF, for whoever may export the register; audited as downloaded."""
    actors.require(actor, EXPORT_PERMISSION)
    if job.status != RegisterExportJob.Status.DONE or not job.file_path:
        raise ValidationError(_("This PDF is not ready."))
    content = storage.read(job.file_path)
    audit.record(action=audit.Action.DOWNLOAD, actor=actor, obj=job, reason="register export pdf downloaded")
    return content
