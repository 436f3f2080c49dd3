"""Transfers outside the EU/EEA still undocumented in the register (Art. 30(1)(e), Art. 44-46).

A register entry has a transfer when one of its recipients processes the data outside the EU/EEA,
or where that is not yet known. Each transfer needs the country, a safeguard (adequacy decision,
standard contractual clauses, binding corporate rules, an Art. 49 derogation) and, for the Art. 46
tools, a transfer impact assessment with its date and reference (CJEU C-311/18 *Schrems II*).
The dashboard shows the count while it is not zero: ``missing_transfer_safeguards_count``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import ProcessingActivity


@dataclass(frozen=True)
class TransferGap:
    activity: ProcessingActivity
    missing: dict[str, list[str]]  # recipient name -> what its transfer lacks


def activities_missing_transfer_safeguards() -> list[TransferGap]:
    """Active register entries with a transfer lacking its country, safeguard or impact assessment."""
    activities = ProcessingActivity.objects.exclude(status=ProcessingActivity.Status.RETIRED).prefetch_related(
        "recipients"
    )
    return [TransferGap(activity, missing) for activity in activities if (missing := activity.transfer_gaps())]


def missing_transfer_safeguards_count() -> int:
    """How many register entries still have an undocumented transfer (for the DPO's dashboard alert)."""
    return len(activities_missing_transfer_safeguards())
