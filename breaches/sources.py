"""The people affected by breaches, and the letters they were sent, as a personal-data source.

That a person was affected by a breach, and the letter they received (Art. 34), is their personal
data: it goes into their access export. On erasure or disposal the link is cut (the person's id is
removed) and the letters' PDF files, which name them, are deleted; the breach keeps its rows, dates
and counts, because its documentation must survive (Art. 33(5)).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from ijinus_privacy import storage
from ijinus_privacy.personal_data import (
    Collect,
    CollectedData,
    Disposal,
    PersonalDataSource,
    Step,
    Update,
    for_subjects,
)

from . import deadlines
from .models import AffectedPerson, BreachLetter

P_BREACHES = "P12"  # consents register: register of personal-data breaches


class AffectedPersonSource(PersonalDataSource):
    name = "breaches.affected"
    label = _("Personal-data breaches affecting the person (Art. 33-34)")
    models = (AffectedPerson, BreachLetter)
    categories = ("identity",)
    register_entries = (P_BREACHES,)
    provided_by_subject = False
    # The erasure plan shows this source as anonymised, with this reason (requests_dsar.erasure.plan).
    kept_on_erasure = _(
        "The breach register keeps the breach and its counts (Art. 33(5)); the link and the letter files go."
    )

    def collect(self, subject_id: int) -> CollectedData:
        records = []
        links = (
            AffectedPerson.objects.filter(subject_id=subject_id)
            .select_related("breach")
            .prefetch_related("letters")
            .order_by("id")
        )
        for link in links:
            breach = link.breach
            records.append(
                {
                    "breach": breach.reference,
                    "title": breach.title,
                    "aware_at": deadlines.in_paris(breach.aware_at).isoformat(),
                    "nature": ", ".join(breach.natures),
                    "status": breach.get_status_display(),
                    "added_at": link.added_at.isoformat(),
                    "letters": [
                        {
                            "language": letter.language,
                            "channel": letter.get_channel_display(),
                            "sent_at": letter.sent_at.isoformat() if letter.sent_at else None,
                        }
                        for letter in link.letters.all()
                    ],
                }
            )
        return CollectedData(source=self.name, label=self.label, categories=self.categories, records=records)

    def disposal_steps(self, subject_ids: Sequence[int], *, disposal: Disposal) -> list[Step]:
        links = for_subjects(AffectedPerson.objects.all(), subject_ids)
        letters = BreachLetter.objects.filter(affected__in=links)
        return [
            # The letters name the person: their files go, the rows (dates, channel) stay in the register.
            Collect(letters.exclude(file_name=""), "file_name", then=_remove_files),
            Update(letters, {"file_name": ""}),
            Update(links, {"subject": None}),
        ]


def _remove_files(names: list[str]) -> None:
    for name in names:
        storage.remove(name)
