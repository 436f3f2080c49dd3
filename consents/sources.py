"""Consent records as a personal-data source (DESIGN.md "Architecture"; R2.1, R2.9).

Consent proofs are part of an access export (the person sees what they agreed to and when).
Erasure and retention delete them: once the person is gone, what must survive is the hashed
suppression entry (``Suppression``, no link to the subject), never the proof itself (R2.9.1).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from ijinus_privacy.personal_data import Disposal, Step
from subjects.sources import P_COOKIES, P_NEWSLETTER, P_PROSPECTION, ModelSource, Part

from .models import ConsentEvent, IndirectCollection, MarketingBasis, PolicyNotification, ReconsentFlag


class ConsentSource(ModelSource):
    name = "consents.consents"
    label = _("Consents and marketing choices")
    categories = ("consent_proof", "marketing_preferences")
    register_entries = (P_NEWSLETTER, P_PROSPECTION, P_COOKIES)
    parts = (
        # Flags point at the consent events: deleted first (children before parents).
        Part(ReconsentFlag, ("channel", "flagged_at", "cleared_at")),
        Part(
            ConsentEvent,
            (
                "channel",
                "action",
                "occurred_at",
                "requested_at",
                "confirmed_at",
                "notice",
                "collection_point",
                "collection_detail",
                "mechanism",
                "language",
                "entered_by",
                "ip_address",
                "confirmation_ip_address",
                "tool_reference",
            ),
        ),
        Part(MarketingBasis, ("channel", "basis", "product_family", "opt_out_offered", "informed_on", "job_function")),
    )

    def disposal_steps(self, subject_ids: Sequence[int], *, disposal: Disposal) -> list[Step]:
        """Delete (never anonymise) the proofs: a proof of nobody proves nothing (R2.9.1)."""
        return super().disposal_steps(subject_ids, disposal=Disposal.DELETE)


class InformationSource(ModelSource):
    """What the person was told and when: Art. 14 information, policy-change e-mails (Art. 12-14)."""

    name = "consents.information"
    label = _("Information given to the person (Art. 13-14)")
    categories = ("identity", "third_party")
    register_entries = (P_PROSPECTION,)
    parts = (
        Part(
            IndirectCollection,
            ("source_kind", "source_detail", "collected_on", "due_on", "informed_on", "informed_how"),
        ),
        Part(PolicyNotification, ("queued_at", "sent_at")),
    )

    def disposal_steps(self, subject_ids: Sequence[int], *, disposal: Disposal) -> list[Step]:
        return super().disposal_steps(subject_ids, disposal=Disposal.DELETE)


SOURCES = (ConsentSource, InformationSource)
