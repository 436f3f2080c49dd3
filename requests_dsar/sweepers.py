"""Retention of records the requests app owns (rules of scope "records", see ijinus_privacy/sweepers.py)."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet

from ijinus_privacy import storage, sweepers

from .exports.services import export_purge
from .models import ExportJob, Letter, Request, RequestEvent, RequestItem, SourceSearch

# What a request file holds about who asked and what they wrote (blanked when the file is anonymised).
REQUESTER_FIELDS = (
    "requester_name",
    "requester_email",
    "requester_phone",
    "requester_address",
    "representative_name",
    "representative_authority",
    "oral_summary",
)


def sweep_export_files(*, now, cutoff, batch_size: int, commit: bool, action: str, suspended) -> dict:
    """Export files are deleted once their download period is over; the job row stays as the record.

    Files are not personal data left for a subject under hold to lose: the request file keeps what
    was sent, so a hold does not keep an expired download alive.
    """
    if not commit:
        return {"export_files_deleted": ExportJob.objects.expired(now=now).count()}
    return {"export_files_deleted": export_purge(now=now)}


def sweep_request_files(*, now, cutoff, batch_size: int, commit: bool, action: str, suspended) -> dict:
    """Request files closed on or before ``cutoff`` reach the end of the period the DPO decided (R1.16.4).

    No text fixes how long a request file is kept: the rule "dsr-files" records the DPO's decision
    (5 years after closure proposed, the limitation period of Code civil art. 2224). With the rule's
    action "delete" the file goes whole (items, timeline, letters and their PDFs, exports); a file
    that an erasure proof points to is anonymised instead, since the proof (Art. 5(2)) outlives it.
    With "anonymise", every file is kept as facts (dates, rights, states, decisions) and who asked
    and what they wrote are blanked. A person under a legal hold or with an open request keeps theirs.
    """
    closed = Request.objects.filter(closed_on__isnull=False, closed_on__lte=cutoff).exclude(suspended("subject_id"))
    counts: dict[str, int] = {}
    if action == "delete":
        deletable = closed.filter(erasures__isnull=True)
        counts |= sweepers.sweep_records(
            deletable,
            batch_size=batch_size,
            commit=commit,
            write=_delete_files,
            outcome="request_files_deleted",
            reason="R1.16.4 request files",
        )
        closed = closed.filter(erasures__isnull=False)
    counts |= sweepers.sweep_records(
        closed.filter(_not_yet_blank()).distinct(),
        batch_size=batch_size,
        commit=commit,
        write=_anonymise_files,
        outcome="request_files_anonymised",
        reason="R1.16.4 request files",
    )
    return counts


def _not_yet_blank() -> Q:
    condition = Q(pk__in=[])
    for name in REQUESTER_FIELDS:
        condition |= ~Q(**{name: ""})
    return condition


def _remove_files_after_commit(requests: QuerySet) -> None:
    """The files of these requests leave the disk once the rows are gone (never before: a rollback keeps both)."""
    letters = list(Letter.objects.filter(request__in=requests).exclude(pdf="").values_list("pdf", flat=True))
    exports = list(
        ExportJob.objects.filter(request__in=requests).exclude(file_path="").values_list("file_path", flat=True)
    )

    def remove() -> None:
        for name in letters:
            default_storage.delete(name)
        for name in exports:
            storage.remove(name)

    transaction.on_commit(remove)


def _delete_files(requests: QuerySet) -> int:
    _remove_files_after_commit(requests)
    _total, per_model = Request.objects.filter(pk__in=list(requests.values_list("pk", flat=True))).delete()
    return per_model.get(Request._meta.label, 0)


def _anonymise_files(requests: QuerySet) -> int:
    ids = list(requests.values_list("pk", flat=True))
    _remove_files_after_commit(Request.objects.filter(pk__in=ids))
    ExportJob.objects.filter(request_id__in=ids).delete()
    Letter.objects.filter(request_id__in=ids).exclude(pdf="").update(pdf="")
    RequestItem.objects.filter(request_id__in=ids).update(details="")
    RequestEvent.objects.filter(request_id__in=ids, kind=RequestEvent.Kind.NOTE).update(reason="")
    SourceSearch.objects.filter(request_id__in=ids).exclude(note="").update(note="")
    return Request.objects.filter(pk__in=ids).update(**dict.fromkeys(REQUESTER_FIELDS, ""))
