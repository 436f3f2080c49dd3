"""Template context: the DPO contact for every page that shows it (``templates/includes/dpo_contact.html``)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .dpo import dpo_contact


def dpo(request) -> dict:
    # Lazy: pages that never show the DPO contact (most admin pages) make no query for it.
    return {"dpo": SimpleLazyObject(dpo_contact)}
