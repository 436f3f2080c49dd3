"""Demo retention facts (``seed_demo``): two legal holds, one past its review date, and a dry-run sweep.

The holds are placed by ``hold_place`` (audited); the sweep is ``sweep(commit=False)``, which changes
nothing and records what a committed run would do, as the DPO reviews it before approving (R4.7.1).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser

from subjects.models import DataSubject

from . import services
from .models import LegalHold, SweepRun


def seed_retention(*, subject_ids: list[int], today: date, actor: AbstractBaseUser) -> SweepRun:
    """Place the demo holds on the first and last demo subjects, then record a dry run as of ``today``."""
    people = (
        list(DataSubject.objects.filter(pk__in=[subject_ids[0], subject_ids[-1]]).order_by("pk")) if subject_ids else []
    )
    holds = (
        # A dispute in progress, reviewed in two months.
        (LegalHold.Reason.DISPUTE, "LIT-2026-014", today - timedelta(days=30), today + timedelta(days=60)),
        # A claim whose review date has passed: the dashboard asks the DPO to review it (R4.5.2).
        (LegalHold.Reason.CLAIM, "RC-2025-117", today - timedelta(days=200), today - timedelta(days=12)),
    )
    for person, (reason, reference, started_on, review_on) in zip(people, holds, strict=False):
        services.hold_place(
            subject=person,
            reason=reason,
            reference=reference,
            started_on=started_on,
            review_on=review_on,
            actor=actor,
        )
    return services.sweep(now=today, commit=False, origin=SweepRun.Origin.COMMAND)
