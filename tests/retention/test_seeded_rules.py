"""Each seeded rule (LEGAL R4.3) on subjects the day before and the day of its boundary."""

from datetime import date, timedelta

import pytest

from ijinus_privacy.dates import add_months
from retention.models import Action, ArchivedSubject, RetentionRule, Scope
from retention.services import sweep
from subjects.models import DataSubject, SubjectRole
from tests.factories import approve_all, dpo_user, subject_with_role

pytestmark = pytest.mark.django_db

T = date(2020, 6, 30)  # trigger date; month ends exercise the last-day rule of R4.1.2
DAY = timedelta(days=1)

# rule code -> (role, the role's dated facts putting the trigger at T)
ROLE_RULES = {
    "prospect": ("prospect", {"collected_on": T}),
    "inactive-client-contract": ("inactive_client", {"collected_on": date(2015, 1, 1), "contract_end_on": T}),
    "purchaser-identification": ("purchaser", {"collected_on": date(2015, 1, 1), "contract_end_on": T}),
    "newsletter": ("newsletter", {"collected_on": date(2015, 1, 1), "unsubscribed_on": T}),
    "website-subscriber": ("website_subscriber", {"collected_on": date(2015, 1, 1), "unsubscribed_on": T}),
    "ijitrack-user": ("ijitrack_user", {"collected_on": date(2015, 1, 1), "product_delivered_on": T}),
}


def test_every_row_of_the_policy_table_is_seeded_with_its_source_and_flags():
    rules = {rule.code: rule for rule in RetentionRule.objects.all()}

    assert set(rules) >= {
        *ROLE_RULES,
        "active-client",
        "inactive-client-marketing",
        "cookies-navigation",
        "assumed-interests",
        "sensitive-data",
        "consent-proofs",
        "logs",
        "dsr-files",
        "export-files",
    }
    assert all(rule.source_reference for rule in rules.values())
    assert rules["purchaser-identification"].dpo_flag.startswith("⚑")
    assert rules["purchaser-identification"].requires_approval
    assert rules["cookies-navigation"].active_months == 13
    assert rules["assumed-interests"].end_of_active_action == Action.REVIEW
    assert rules["inactive-client-contract"].total_months == 120
    assert rules["consent-proofs"].active_months == 36
    assert not rules["consent-proofs"].enabled


def test_r4_3_the_four_rules_seeded_without_a_period_have_one_or_a_recorded_decision():
    rules = {rule.code: rule for rule in RetentionRule.objects.filter(code__in=RULES_DECIDED)}

    periods = {code: (rule.active_months, rule.enabled, rule.requires_approval) for code, rule in rules.items()}
    assert periods == {
        "logs": (12, True, False),
        "consent-proofs": (36, False, True),
        "dsr-files": (60, False, True),
        "sensitive-data": (0, False, False),
    }
    assert rules["logs"].register_entry == "P13"
    assert "Decision: the rule stays off" in rules["sensitive-data"].justification
    assert "approving the rule records that decision" in rules["dsr-files"].justification
    for rule in rules.values():
        version = rule.versions.get()  # the state before the change is kept (R4.7.1)
        assert version.previous_state["version"] == 1


RULES_DECIDED = ("logs", "consent-proofs", "dsr-files", "sensitive-data")


def _state(subject: DataSubject) -> str:
    if not DataSubject.objects.filter(pk=subject.pk).exists():
        return "deleted"
    if ArchivedSubject.objects.filter(subject=subject).exists():
        return "archived"
    return "active" if SubjectRole.objects.filter(subject=subject).exists() else "no role"


@pytest.mark.parametrize("code", sorted(ROLE_RULES))
def test_role_rule_acts_on_its_boundary_day_and_not_the_day_before(code):
    approve_all(dpo_user())
    rule = RetentionRule.objects.get(code=code)
    role, dates = ROLE_RULES[code]
    before, on_time = subject_with_role(role, **dates), subject_with_role(role, **dates)
    boundary = add_months(T, rule.active_months)

    sweep(now=boundary - DAY, commit=True, rule=rule)
    state_before = _state(before)
    before.delete()
    sweep(now=boundary, commit=True, rule=rule)

    assert state_before == "active"
    expected = "archived" if rule.end_of_active_action == Action.ARCHIVE else "deleted"
    assert _state(on_time) == expected


@pytest.mark.parametrize("code", ["inactive-client-contract", "newsletter", "website-subscriber"])
def test_archive_rules_delete_at_the_end_of_the_archive_period(code):
    approve_all(dpo_user())
    rule = RetentionRule.objects.get(code=code)
    assert rule.end_of_active_action == Action.ARCHIVE
    role, dates = ROLE_RULES[code]
    subject = subject_with_role(role, **dates)
    sweep(now=add_months(T, rule.active_months), commit=True, rule=rule)
    end = add_months(T, rule.total_months)

    sweep(now=end - DAY, commit=True, rule=rule)
    still_archived = _state(subject)
    sweep(now=end, commit=True, rule=rule)

    assert still_archived == "archived"
    assert ArchivedSubject.objects.filter(archive_until=end).count() == 0
    assert _state(subject) == "deleted"


def test_archive_until_is_the_end_of_the_archive_period():
    rule = RetentionRule.objects.get(code="inactive-client-contract")
    subject = subject_with_role("inactive_client", **ROLE_RULES["inactive-client-contract"][1])

    sweep(now=add_months(T, 36), commit=True, rule=rule)

    assert ArchivedSubject.objects.get(subject=subject).archive_until == add_months(T, 120)


def test_a_new_inbound_contact_restarts_the_prospect_clock():
    rule = RetentionRule.objects.get(code="prospect")
    contact = T + timedelta(days=400)
    subject = subject_with_role("prospect", collected_on=T, last_inbound_contact_on=contact)

    sweep(now=add_months(T, 36), commit=True, rule=rule)
    kept = _state(subject)
    sweep(now=add_months(contact, 36) - DAY, commit=True, rule=rule)
    kept_still = _state(subject)
    sweep(now=add_months(contact, 36), commit=True, rule=rule)

    assert (kept, kept_still, _state(subject)) == ("active", "active", "deleted")


def test_inactive_client_contact_postpones_archiving():
    rule = RetentionRule.objects.get(code="inactive-client-contract")
    contact = T + timedelta(days=200)
    subject = subject_with_role("inactive_client", collected_on=date(2015, 1, 1), contract_end_on=T,
                                last_inbound_contact_on=contact)  # fmt: skip

    sweep(now=add_months(T, 36), commit=True, rule=rule)
    kept = _state(subject)
    sweep(now=add_months(contact, 36), commit=True, rule=rule)

    assert (kept, _state(subject)) == ("active", "archived")


def test_active_client_rule_never_acts():
    subject = subject_with_role("active_client", collected_on=date(2000, 1, 1), contract_end_on=date(2001, 1, 1))

    run = sweep(now=date(2030, 1, 1), commit=True)

    assert _state(subject) == "active"
    assert "active-client" not in run.counts


def test_expired_purpose_goes_while_the_person_stays_for_another_one():
    # R4.1.3: retention per (subject, purpose).
    subject = subject_with_role("prospect", collected_on=date(2019, 1, 1))
    SubjectRole.objects.create(subject=subject, role="active_client", collected_on=date(2019, 1, 1))

    sweep(now=date(2023, 1, 1), commit=True)

    assert list(SubjectRole.objects.filter(subject=subject).values_list("role", flat=True)) == ["active_client"]
    assert _state(subject) == "active"


def test_inactive_client_is_not_archived_while_another_purpose_is_active():
    subject = subject_with_role("inactive_client", collected_on=date(2015, 1, 1), contract_end_on=date(2019, 1, 1))
    SubjectRole.objects.create(subject=subject, role="prospect", collected_on=date(2021, 1, 1))

    sweep(now=date(2023, 1, 1), commit=True)
    while_prospect = _state(subject)
    sweep(now=date(2024, 1, 1), commit=True)

    assert (while_prospect, _state(subject)) == ("active", "archived")
    assert list(SubjectRole.objects.filter(subject=subject).values_list("role", flat=True)) == ["inactive_client"]


def test_rule_needing_approval_waits_for_the_dpo_in_committed_runs():
    rule = RetentionRule.objects.get(code="purchaser-identification")
    subject = subject_with_role("purchaser", collected_on=date(2010, 1, 1), contract_end_on=date(2012, 1, 1))

    dry = sweep(now=date(2030, 1, 1), commit=False, rule=rule)
    waiting = sweep(now=date(2030, 1, 1), commit=True, rule=rule)
    approve_all(dpo_user())
    done = sweep(now=date(2030, 1, 1), commit=True, rule=rule)

    assert dry.counts[rule.code] == {"roles_ended": 1, "subjects_deleted": 1}
    assert "approval" in waiting.skipped[rule.code]
    assert done.counts[rule.code]["subjects_deleted"] == 1
    assert _state(subject) == "deleted"


def test_anonymising_rule_blanks_identity_irreversibly():
    rule = RetentionRule.objects.get(code="ijitrack-user")
    rule.end_of_active_action = Action.ANONYMISE
    rule.save()
    subject = subject_with_role("ijitrack_user", collected_on=date(2015, 1, 1), product_delivered_on=T)

    run = sweep(now=add_months(T, 60), commit=True, rule=rule)

    anonymised = DataSubject.objects.get(pk=subject.pk)
    assert (anonymised.last_name, anonymised.first_names, anonymised.email, anonymised.phone) == ("", "", "", "")
    assert run.counts[rule.code]["subjects_anonymised"] == 1
    assert not SubjectRole.objects.filter(subject=subject).exists()


def test_records_rule_runs_the_registered_sweeper_with_the_cutoff():
    from ijinus_privacy import sweepers

    calls = []

    def navigation_sweeper(*, now, cutoff, batch_size, commit, action, suspended):
        calls.append((cutoff, commit, action))
        return {"records_deleted": 3}

    rule = RetentionRule.objects.get(code="cookies-navigation")
    assert rule.scope == Scope.RECORDS
    wired = sweepers.get(rule.sweeper)
    sweepers.unregister(rule.sweeper)
    sweepers.register(rule.sweeper, navigation_sweeper)
    try:
        run = sweep(now=date(2027, 2, 28), commit=True, rule=rule)
        sweepers.unregister(rule.sweeper)
        unwired = sweep(now=date(2027, 2, 28), commit=True, rule=rule)
    finally:
        sweepers.unregister(rule.sweeper)
        sweepers.register(rule.sweeper, wired)

    assert calls == [(date(2026, 1, 31), True, Action.DELETE)]
    assert run.counts[rule.code] == {"records_deleted": 3}
    assert "not registered" in unwired.skipped[rule.code]
