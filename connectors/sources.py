"""What the connected systems hold about a person, as a personal-data source (Art. 15).

The data is collected by each system's connector (a ``collect`` task started with the access or
portability export) and kept here encrypted at rest with the task. The access export reads it like
any other source; erasure and retention clear the collected copies (the tasks themselves stay, with
ids, states and remote references only, as the proof that each system carried out the right).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.personal_data import CollectedData, Disposal, PersonalDataSource, Step, Update, for_subjects

from .models import Action, ConnectedSystem, ConnectorTask


class ConnectedSystemsSource(PersonalDataSource):
    name = "connectors.connected_systems"
    label = _("Data held in the connected systems (ijitrack platform, e-mailing tool)")
    models = (ConnectorTask,)
    categories = ("identity", "contact", "navigation")
    provided_by_subject = True
    kept_on_erasure = _(
        "Each connected system is asked to erase the person through its connector; the copies collected "
        "here are cleared and the tasks keep only their state and the system's reference as proof."
    )

    @property
    def register_entries(self) -> tuple[str, ...]:  # type: ignore[override]
        codes = ConnectedSystem.objects.filter(activities__isnull=False).values_list("activities__code", flat=True)
        return tuple(sorted(set(codes)))

    def collect(self, subject_id: int) -> CollectedData:
        """The latest collected data of each system for this person."""
        tasks = (
            ConnectorTask.objects.filter(subject_ref=subject_id, action=Action.COLLECT, state=ConnectorTask.State.DONE)
            .exclude(result_encrypted=b"")
            .select_related("system")
            .order_by("system__name", "-finished_at", "-pk")
        )
        records, categories, labels, seen = [], set(), {"system": str(_("connected system"))}, set()
        for task in tasks:
            if task.system_id in seen:
                continue
            seen.add(task.system_id)
            result = task.result() or {}
            categories.update(result.get("categories", []))
            labels.update(result.get("field_labels", {}))
            for record in result.get("records", []):
                records.append({"system": task.system.name, **record})
        return CollectedData(
            source=self.name,
            label=str(self.label),
            categories=tuple(sorted(categories)) or self.categories,
            records=records,
            field_labels=labels,
        )

    def disposal_steps(self, subject_ids: Sequence[int], *, disposal: Disposal) -> list[Step]:
        """Clear the collected copies; tasks still to run keep the identifiers their system needs."""
        collected = for_subjects(ConnectorTask.objects.all(), subject_ids, "subject_ref").filter(
            ~Q(result_encrypted=b"")
        )
        return [Update(collected, {"result_encrypted": b""})]
