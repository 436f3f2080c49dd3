"""Consistency checks (R4.7.3)."""

import pytest

from retention import checks

pytestmark = pytest.mark.django_db


def test_register_check_is_empty_until_the_register_exists_then_compares():
    from django.apps import apps

    try:
        apps.get_model("consents", "ProcessingActivity")
    except LookupError:
        assert checks.rules_vs_register() == []
    else:
        assert isinstance(checks.rules_vs_register(), list)


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


def test_records_rules_without_a_sweeper_are_reported():
    assert "cookies-navigation" in checks.sweepers_missing()
