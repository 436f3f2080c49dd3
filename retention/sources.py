"""The personal-data source of the retention app: the intermediate-archive row of a person (R4.4.2).

The row says where a person's data sits and until when, not what it is: the sources of the data
list the data itself, so the row adds nothing to an access answer. It goes with the person:
deleted with them, and deleted when they are anonymised (an anonymised person is no longer archived).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from ijinus_privacy.personal_data import CollectedData, Delete, Disposal, PersonalDataSource, Step, in_ids

from .models import ArchivedSubject


class ArchiveSource(PersonalDataSource):
    name = "retention.archive"
    label = _("Intermediate archive")
    models = (ArchivedSubject,)
    provided_by_subject = False

    def collect(self, subject_id: int) -> CollectedData:
        return CollectedData(source=self.name, label=self.label, categories=(), records=[])

    def disposal_steps(self, subject_ids: Sequence[int], *, disposal: Disposal) -> list[Step]:
        return [Delete(ArchivedSubject.objects.filter(in_ids("subject_id", subject_ids)))]
