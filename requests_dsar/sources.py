"""The request files as a personal-data source (DESIGN.md, registry).

The request file is kept for accountability (Art. 5(2), R1.16): disposal keeps the facts
(dates, channel, rights, states, decisions) and blanks who asked and what they wrote.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.personal_data import (
    Collect,
    CollectedData,
    Delete,
    Disposal,
    PersonalDataSource,
    Step,
    Update,
    for_subjects,
)

from .models import (
    ClockPause,
    Decision,
    DisclosureLog,
    ExportJob,
    Extension,
    IdentityCheck,
    Letter,
    PortabilityTransmission,
    Request,
    RequestEvent,
    RequestItem,
    SourceSearch,
    WebSubmission,
)


class RequestFileSource(PersonalDataSource):
    name = "requests_dsar.requests"
    label = _("Data-subject requests")
    models = (
        Request,
        RequestItem,
        RequestEvent,
        ClockPause,
        IdentityCheck,
        Extension,
        Decision,
        Letter,
        WebSubmission,
        ExportJob,
        PortabilityTransmission,
        SourceSearch,
    )
    categories = ("identity", "contact", "request_file")
    register_entries = ("P11",)  # consents register: handling data-subject rights requests
    provided_by_subject = True
    # The erasure plan shows this source as anonymised, with this reason (requests_dsar.erasure.plan).
    kept_on_erasure = _("Request file kept for accountability (Art. 5(2)); who asked and what they wrote are blanked.")

    def collect(self, subject_id: int) -> CollectedData:
        records = [
            {
                "request": request.pk,
                "received_on": request.received_on.isoformat(),
                "channel": request.get_channel_display(),
                "rights": [item.get_right_display() for item in request.items.all()],
                "state": request.get_state_display(),
                "closed_on": request.closed_on.isoformat() if request.closed_on else None,
            }
            for request in Request.objects.filter(subject_id=subject_id).prefetch_related("items").order_by("id")
        ]
        return CollectedData(source=self.name, label=self.label, categories=self.categories, records=records)

    def disposal_steps(self, subject_ids: Sequence[int], *, disposal: Disposal) -> list[Step]:
        from ijinus_privacy import storage

        exports = for_subjects(ExportJob.objects.all(), subject_ids)
        requests = for_subjects(Request.objects.all(), subject_ids)
        letters = Letter.objects.filter(request__in=requests).exclude(pdf="")
        return [
            # Export files are copies of the data: they go whatever the disposal, the job rows with them.
            Collect(exports.exclude(file_path=""), "file_path", then=_remove_each(storage.remove)),
            # Their links sent to other controllers (Art. 20(2)) go with them: the audit trail keeps the facts.
            Delete(PortabilityTransmission.objects.filter(Q(request__in=requests) | Q(export_job__in=exports))),
            Delete(exports),
            Update(RequestItem.objects.filter(request__in=requests), {"details": ""}),
            # Letters already sent name the requester: the PDF files go, the rows (kind, dates) stay.
            Collect(letters, "pdf", then=_remove_each(default_storage.delete)),
            Update(letters, {"pdf": ""}),
            # Staff notes on the timeline are free text (R1.10.6): blanked, the event stays.
            Update(RequestEvent.objects.filter(request__in=requests, kind=RequestEvent.Kind.NOTE), {"reason": ""}),
            # What staff wrote about a search is free text too; the system, outcome and date stay (R1.16.1).
            Update(SourceSearch.objects.filter(request__in=requests).exclude(note=""), {"note": ""}),
            Update(
                requests,
                {
                    "requester_name": "",
                    "requester_email": "",
                    "requester_phone": "",
                    "requester_address": "",
                    "representative_name": "",
                    "representative_authority": "",
                    "oral_summary": "",
                },
            ),
        ]


def _remove_each(remove):
    def remove_all(names: list[str]) -> None:
        for name in names:
            remove(name)

    return remove_all


class DisclosureSource(PersonalDataSource):
    """Who received the subject's data (Art. 15(1)(c), Art. 19; R1.12.1)."""

    name = "requests_dsar.disclosures"
    label = _("Disclosures to recipients (Art. 19)")
    models = (DisclosureLog,)
    categories = ("identity",)
    register_entries = ("P11",)
    provided_by_subject = False

    def collect(self, subject_id: int) -> CollectedData:
        records = [
            {
                "recipient": entry.recipient.name,
                "disclosed_on": entry.disclosed_on.isoformat(),
                "categories": list(entry.categories),
                "purpose": entry.purpose,
            }
            for entry in DisclosureLog.objects.for_subject(subject_id).select_related("recipient").order_by("id")
        ]
        return CollectedData(source=self.name, label=self.label, categories=self.categories, records=records)

    def disposal_steps(self, subject_ids: Sequence[int], *, disposal: Disposal) -> list[Step]:
        return [Delete(for_subjects(DisclosureLog.objects.all(), subject_ids))]
