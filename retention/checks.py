"""Consistency checks between the retention rules and the rest of the configuration (R4.7.3)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps

from subjects.models import SubjectRole

from . import sweepers
from .models import RetentionRule, Scope


@dataclass(frozen=True)
class Mismatch:
    rule: str
    problem: str


def rules_vs_register() -> list[Mismatch]:
    """Compare every enabled rule with its register entry's retention text (Art. 30(1)(f), R4.7.3).

    Works once ``consents.ProcessingActivity`` exists (another branch) with ``code`` and a retention
    text field (``retention`` or ``retention_period``); until then it returns no mismatch. A rule
    matches when its entry exists and the entry's text states the rule's period in months or years.
    """
    try:
        activity_model = apps.get_model("consents", "ProcessingActivity")
    except LookupError:
        return []
    field_names = {field.name for field in activity_model._meta.get_fields()}
    text_field = next(
        (name for name in ("retention", "retention_period", "retention_text") if name in field_names), None
    )
    if text_field is None or "code" not in field_names:
        return [Mismatch("*", "consents.ProcessingActivity has no code or retention text field")]
    texts = dict(activity_model._default_manager.values_list("code", text_field))
    problems = []
    for rule in RetentionRule.objects.enabled().exclude(register_entry=""):
        text = texts.get(rule.register_entry)
        if text is None:
            problems.append(Mismatch(rule.code, f"register entry {rule.register_entry!r} not found"))
        elif rule.active_months is not None and not _states_period(text, rule.total_months or rule.active_months):
            problems.append(Mismatch(rule.code, "the register's retention text does not state the rule's period"))
    return problems


def _states_period(text: str, months: int) -> bool:
    patterns = [rf"\b{months}\s*(months?|mois)\b"]
    if months and months % 12 == 0:
        patterns.append(rf"\b{months // 12}\s*(years?|ans?|y)\b")
    return any(re.search(pattern, text.lower()) for pattern in patterns)


def roles_without_rule() -> list[str]:
    """Roles no enabled role rule governs: their subjects are never swept (kept active)."""
    governed = set(RetentionRule.objects.enabled().filter(scope=Scope.ROLE).values_list("role", flat=True))
    return [role for role in SubjectRole.Role.values if role not in governed]


def sweepers_missing() -> list[str]:
    """Enabled records rules whose sweeper no app has registered (reported as skipped by each run)."""
    return [
        rule.code
        for rule in RetentionRule.objects.enabled().filter(scope=Scope.RECORDS)
        if sweepers.get(rule.sweeper) is None
    ]
