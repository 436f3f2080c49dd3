"""Rule edits are versioned and audited; approval is the DPO's (R4.1, R4.7.1)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ijinus_privacy.models import AuditEvent
from retention.models import RetentionRule, RetentionRuleVersion
from retention.services import rule_approve, rule_create, rule_update
from tests.factories import dpo_user, support_user

pytestmark = pytest.mark.django_db


def test_update_keeps_the_previous_state_and_is_audited():
    dpo = dpo_user()
    rule = RetentionRule.objects.get(code="prospect")

    updated = rule_update(rule=rule, changes={"active_months": 24, "justification": "Shorter"}, actor=dpo)

    version = RetentionRuleVersion.objects.get(rule=rule)
    assert (updated.version, version.version) == (2, 1)
    assert version.previous_state["active_months"] == 36
    assert version.changed_fields == ["active_months", "justification"]
    event = AuditEvent.objects.filter(object_type="retention.retentionrule", action="change").latest("id")
    assert event.fields == ["active_months", "justification"]


def test_substantive_change_needs_a_new_approval():
    dpo = dpo_user()
    rule = rule_approve(rule=RetentionRule.objects.get(code="purchaser-identification"), actor=dpo)

    reworded = rule_update(rule=rule, changes={"justification": "Clarified"}, actor=dpo)
    shortened = rule_update(rule=reworded, changes={"active_months": 48}, actor=dpo)

    assert reworded.approved_at is not None
    assert shortened.approved_at is None
    assert shortened.awaiting_approval


def test_no_change_makes_no_version():
    rule = RetentionRule.objects.get(code="prospect")

    rule_update(rule=rule, changes={"active_months": 36}, actor=dpo_user())

    assert not RetentionRuleVersion.objects.filter(rule__code="prospect").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_of_active_action": "archive"}, "archive_months"),
        ({"archive_months": 12}, "end_of_active_action"),
        ({"trigger": "tracker_set"}, "trigger"),
        ({"role": "newsletter"}, "role"),
        ({"version": 9}, None),
    ],
)
def test_bad_edits_are_refused_and_nothing_is_written(changes, field):
    rule = RetentionRule.objects.get(code="prospect")

    with pytest.raises(ValidationError) as error:
        rule_update(rule=rule, changes=changes, actor=dpo_user())

    if field:
        assert field in error.value.message_dict
    assert RetentionRule.objects.get(code="prospect").version == 1
    assert not RetentionRuleVersion.objects.filter(rule__code="prospect").exists()


def test_only_the_dpo_approves():
    with pytest.raises(ValidationError):
        rule_approve(rule=RetentionRule.objects.get(code="purchaser-identification"), actor=support_user())


def test_records_rule_needs_a_sweeper():
    with pytest.raises(ValidationError) as error:
        rule_create(
            actor=dpo_user(),
            code="quotes",
            scope="records",
            purpose="Quotes",
            data_category="Quote requests",
            trigger="collection",
            active_months=36,
            end_of_active_action="delete",
            binding="internal",
            source_reference="Internal",
        )

    assert "sweeper" in error.value.message_dict


def test_dpo_edits_a_rule_in_the_admin_and_a_version_appears(client):
    client.force_login(dpo_user())
    rule = RetentionRule.objects.get(code="prospect")
    url = reverse("admin:retention_retentionrule_change", args=[rule.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "active_months": 30,
            "retentionruleversion_set-TOTAL_FORMS": 0,
            "versions-TOTAL_FORMS": 0,
            "versions-INITIAL_FORMS": 0,
        }
    )
    data = {key: ("on" if value is True else value) for key, value in data.items() if value is not False}

    response = client.post(url, data)

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.active_months, rule.version) == (30, 2)
    assert RetentionRuleVersion.objects.get(rule=rule).previous_state["active_months"] == 36
