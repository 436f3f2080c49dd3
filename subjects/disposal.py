"""Disposing of whole people: the one deletion and anonymisation path of retention and erasure.

Every registered personal-data source gives the steps for its rows; the subject rows themselves are
deleted set-based, honouring every ``on_delete`` (``ijinus_privacy.disposal.cascade_steps``), or
anonymised in place (``subjects.sources.ANONYMISED_IDENTITY``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ijinus_privacy.disposal import cascade_steps
from ijinus_privacy.personal_data import Delete, Disposal, IdBatch, Step, Update, in_ids, registry, run_steps

from .models import DataSubject
from .sources import ANONYMISED_IDENTITY


def dispose_subjects(subject_ids: Sequence[int], disposal: Disposal) -> dict[str, int]:
    """Delete or anonymise whole subjects, inside the caller's transaction (R4.4.3, R4.4.4).

    The one deletion path: the retention sweep and erasure (``requests_dsar.erasure``) both use it.
    What goes with a person is what the registered sources say (``ijinus_privacy.personal_data``),
    the archive row of retention included; the subject rows are this app's own.
    Every registered source's steps and the subject rows' own go together (``run_steps``: one
    statement on PostgreSQL); a source that acts on its own (no steps) is called first.
    """
    counts: dict[str, int] = defaultdict(int)
    ids = IdBatch(subject_ids)
    if not ids:
        return counts
    steps: list[Step] = []
    source_rows = 0
    for source in registry:
        if DataSubject in source.models:
            # The subject row itself is ours to delete or anonymise below, set-based and honouring
            # every on_delete; the identity source's own path loads each row (fine for one erasure).
            continue
        source_steps = source.disposal_steps(ids, disposal=disposal)
        if source_steps is None:
            source_rows += source.dispose(ids, disposal=disposal)
            continue
        for step in source_steps:
            # A source's DELETE honours the on_delete of whatever hangs on its rows, like Django's
            # collector (rows of another person referencing them included), or goes through it.
            cascade = [step]
            if isinstance(step, Delete):
                cascade = cascade_steps(step.queryset)
            if cascade is None:
                source_rows += step.queryset.delete()[0]
            else:
                steps.extend(cascade)
    subjects = DataSubject.objects.filter(in_ids("id", ids))
    if disposal == Disposal.DELETE:
        subject_steps = cascade_steps(subjects, first_level_ids=ids)
        if subject_steps is None:  # a relation needs Django's collector: sources first, then the collector
            source_rows += run_steps(steps)
            subject_steps = []
            counts["subjects_deleted"] = subjects.only("id").delete()[1].get(DataSubject._meta.label, 0)
    else:
        subject_steps = [Update(subjects, ANONYMISED_IDENTITY)]
    if subject_steps:
        # The subject's own steps run after the sources' (their rows may hang on the subject) and
        # report apart: the last one writes the subject rows themselves.
        *related, own = subject_steps
        source_rows += run_steps([*steps, *related])
        outcome = "subjects_deleted" if disposal == Disposal.DELETE else "subjects_anonymised"
        counts[outcome] = run_steps([own])
    if source_rows:
        counts["source_rows"] = source_rows
    return counts
