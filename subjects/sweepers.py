"""Retention of records the subjects app owns (rules of scope "records", see ijinus_privacy/sweepers.py)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from ijinus_privacy.sweepers import raw_delete, sweep_records

from .models import AssumedInterest, NavigationRecord


def sweep_navigation_records(*, now, cutoff: date, batch_size: int, commit: bool, action: str, suspended) -> dict:
    """Cookie and navigation records leave 13 months after the tracker was set (R2.5, CNIL 2020-092)."""
    end_of_cutoff = timezone.make_aware(datetime.combine(cutoff, time.max))
    due = NavigationRecord.objects.filter(occurred_at__lte=end_of_cutoff).exclude(suspended("subject_id"))
    return sweep_records(
        due, batch_size=batch_size, commit=commit, write=raw_delete, outcome="records_deleted",
        reason="retention: navigation records past 13 months",
    )  # fmt: skip


def sweep_assumed_interests(*, now, cutoff: date, batch_size: int, commit: bool, action: str, suspended) -> dict:
    """Interests inferred more than 12 months ago are due for review (policy §5, Art. 5(1)(d)).

    The review is the staff's: the sweep counts the interests whose ``review_due_on`` has passed
    (the admin lists them with the "review due" filter); with action ``delete`` it removes them.
    """
    due = AssumedInterest.objects.filter(inferred_on__lte=cutoff).exclude(suspended("subject_id"))
    if action == "delete":
        return sweep_records(
            due, batch_size=batch_size, commit=commit, write=raw_delete, outcome="interests_deleted",
            reason="retention: assumed interests not updated for 12 months",
        )  # fmt: skip
    return {"interests_due_for_review": due.count()}
