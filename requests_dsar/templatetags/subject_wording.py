"""Template filters for what a data subject reads: source headings in their language, without
the register's internal references (letters built from the erasure plan's labels)."""

from __future__ import annotations

from django import template
from django.utils import translation

from ijinus_privacy.personal_data import registry

from ..exports import wording

register = template.Library()


@register.filter
def source_heading(label_or_name: str, language: str) -> str:
    """A personal-data source's heading for the person: by its name, or by the label the plan recorded."""
    names = {}
    for shown_in in ("fr", "en"):  # the plan recorded its labels in the DPO's language
        with translation.override(shown_in):
            names.update({str(source.label): source.name for source in registry})
    name = names.get(str(label_or_name), str(label_or_name))
    return wording.source_label(name, language) or wording.without_internal_references(str(label_or_name))
