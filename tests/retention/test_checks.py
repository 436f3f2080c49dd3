"""Consistency checks (R4.7.3)."""

import pytest

from retention import checks
from retention.models import RetentionRule

pytestmark = pytest.mark.django_db


def test_seeded_rules_point_at_existing_register_entries():
    problems = checks.rules_vs_register()

    assert not [problem for problem in problems if "not found" in problem.problem]


def test_a_register_text_that_no_longer_states_the_rules_period_is_reported():
    from consents.models import ActivityDataCategory, ProcessingActivity

    rule = RetentionRule.objects.get(code="cookies-navigation")
    assert rule.code not in {problem.rule for problem in checks.rules_vs_register()}
    ProcessingActivity.objects.filter(code=rule.register_entry).update(retention="")
    ActivityDataCategory.objects.filter(activity__code=rule.register_entry).update(retention="2 years")

    assert rule.code in {problem.rule for problem in checks.rules_vs_register()}


@pytest.mark.parametrize(
    ("text", "months", "states"),
    [
        ("3 years from the last contact", 36, True),
        ("10 ans après la fin du contrat", 120, True),
        ("13 months maximum", 13, True),
        ("5 years", 36, False),
        ("13 years", 12, False),
    ],
)
def test_period_is_recognised_in_the_register_text(text, months, states):
    assert checks._states_period(text, months) is states


def test_roles_without_a_rule_are_reported():
    assert checks.roles_without_rule() == ["website_visitor"]


def test_every_enabled_records_rule_has_its_sweeper():
    assert checks.sweepers_missing() == []


def test_records_rules_without_a_sweeper_are_reported():
    from ijinus_privacy import sweepers

    wired = sweepers.get("subjects.navigation_records")
    sweepers.unregister("subjects.navigation_records")
    try:
        assert checks.sweepers_missing() == ["cookies-navigation"]
    finally:
        sweepers.register("subjects.navigation_records", wired)
