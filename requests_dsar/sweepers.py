"""Retention of records the requests app owns (rules of scope "records", see ijinus_privacy/sweepers.py)."""

from __future__ import annotations

from .exports.services import export_purge
from .models import ExportJob


def sweep_export_files(*, now, cutoff, batch_size: int, commit: bool, action: str, suspended) -> dict:
    """Export files are deleted once their download period is over; the job row stays as the record.

    Files are not personal data left for a subject under hold to lose: the request file keeps what
    was sent, so a hold does not keep an expired download alive.
    """
    if not commit:
        return {"export_files_deleted": ExportJob.objects.expired(now=now).count()}
    return {"export_files_deleted": export_purge(now=now)}
