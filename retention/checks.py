"""Consistency checks between the retention rules and the rest of the configuration (R4.7.3)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ijinus_privacy import sweepers
from subjects.models import SubjectRole

from .models import RetentionRule, Scope


@dataclass(frozen=True)
class Mismatch:
    rule: str
    problem: str


def rules_vs_register() -> list[Mismatch]:
    """Compare every enabled rule with its register entry's retention texts (Art. 30(1)(f), R4.7.3).

    A rule matches when its entry (``register_entry`` = a ``ProcessingActivity.code``) exists and
    one of the entry's retention texts (general, or per data category) states the rule's period
    in months or years.
    """
    from consents.models import ActivityDataCategory, ProcessingActivity

    texts: dict[str, list[str]] = {
        code: [text] for code, text in ProcessingActivity.objects.values_list("code", "retention")
    }
    for code, text in ActivityDataCategory.objects.values_list("activity__code", "retention"):
        texts.setdefault(code, []).append(text)
    problems = []
    for rule in RetentionRule.objects.enabled().exclude(register_entry=""):
        entry_texts = texts.get(rule.register_entry)
        if entry_texts is None:
            problems.append(Mismatch(rule.code, f"register entry {rule.register_entry!r} not found"))
        elif rule.active_months is not None and not any(
            _states_period(text, rule.total_months or rule.active_months) for text in entry_texts
        ):
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
