"""Register writes: versions with the previous state, audit events, completeness, validation."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from consents import services
from consents.models import LegalBasis, ProcessingActivity, Recipient, RegisterVersion, TransferMechanism
from ijinus_privacy.models import AuditEvent
from tests.factories import complete_activity, dpo_user

pytestmark = pytest.mark.django_db


def test_a_complete_entry_is_not_flagged():
    activity = complete_activity()

    assert activity.missing_fields() == []
    assert activity.is_complete


def test_an_entry_missing_fields_is_flagged():
    activity = services.activity_create(code="T02", name="Half-written", actor=None)

    missing = activity.missing_fields()

    assert any("purposes (b)" in item for item in missing)
    assert any("data-subject categories" in item for item in missing)
    assert any("recipients (d)" in item for item in missing)
    assert any("transfers" in item for item in missing)
    assert any("retention (f)" in item for item in missing)
    assert any("security measures (g)" in item for item in missing)


def test_none_stated_while_a_recipient_is_outside_the_eu_is_flagged():
    activity = complete_activity(recipients=["staff-sales", "emailing"])

    assert any("'none' stated" in item for item in activity.missing_fields())


def test_legitimate_interest_without_balancing_test_is_an_accountability_gap():
    activity = complete_activity(
        purposes=[{"description": "Satisfaction surveys", "legal_basis": LegalBasis.LEGITIMATE_INTEREST}]
    )

    assert activity.missing_fields() == []
    assert any("balancing-test" in gap for gap in activity.accountability_gaps())


def test_update_stores_a_version_with_the_previous_state_and_an_audit_event():
    dpo = dpo_user()
    activity = ProcessingActivity.objects.get(code="P07")
    old_retention = activity.retention
    before = activity.version

    services.activity_update(
        activity=activity,
        changes={"retention": "Until unsubscription", "recipients": ["staff-marketing"]},
        actor=dpo,
        reason="DPO review",
    )

    activity.refresh_from_db()
    version = RegisterVersion.objects.for_object(activity).get(version=before + 1)
    assert activity.version == before + 1
    assert version.changed_by_username == "dpo"
    assert version.reason == "DPO review"
    assert version.previous_state["retention"] == old_retention
    assert version.previous_state["recipients"] == ["emailing", "staff-marketing"]
    assert version.state["recipients"] == ["staff-marketing"]
    assert set(version.changed_fields) >= {"retention", "recipients"}
    event = AuditEvent.objects.filter(object_type="consents.processingactivity", object_id=str(activity.pk)).latest(
        "id"
    )
    assert event.action == AuditEvent.Action.CHANGE
    assert event.actor_username == "dpo"
    assert "retention" in event.fields
    assert "Until" not in str(vars(event))


def test_purposes_are_replaced_in_order_and_versioned():
    activity = complete_activity()
    first = activity.purposes.get()

    services.activity_update(
        activity=activity,
        changes={
            "purposes": [
                {"description": "Prospecting", "legal_basis": LegalBasis.CONSENT},
                {"id": first.pk, "description": first.description, "legal_basis": LegalBasis.LEGAL_OBLIGATION},
            ]
        },
        actor=None,
    )

    purposes = list(activity.purposes.order_by("position"))
    assert [p.description for p in purposes] == ["Prospecting", "Managing supplier contacts"]
    assert purposes[1].pk == first.pk
    assert (
        RegisterVersion.objects.for_object(activity).get(version=2).previous_state["purposes"][0]["legal_basis"] == "b"
    )


def test_an_unchanged_save_creates_no_version():
    activity = complete_activity()

    services.activity_update(activity=activity, changes={"retention": activity.retention}, actor=None)

    assert RegisterVersion.objects.for_object(activity).count() == 1


def test_validating_an_incomplete_entry_is_refused_and_nothing_changes():
    activity = ProcessingActivity.objects.get(code="P14")
    software = activity.software
    versions = RegisterVersion.objects.for_object(activity).count()

    with pytest.raises(ValidationError, match="cannot be validated"):
        services.activity_update(
            activity=activity, changes={"status": ProcessingActivity.Status.VALIDATED, "software": "X"}, actor=None
        )
    with pytest.raises(ValidationError, match="cannot be validated"):
        services.activity_validate(activity=activity, actor=dpo_user())

    activity.refresh_from_db()
    assert activity.status == ProcessingActivity.Status.TO_REVIEW
    assert activity.software == software
    assert RegisterVersion.objects.for_object(activity).count() == versions


def test_a_complete_entry_can_be_validated():
    activity = complete_activity()

    services.activity_validate(activity=activity, actor=dpo_user(first_name="Anne", last_name="Kerouac"))

    activity.refresh_from_db()
    assert activity.status == ProcessingActivity.Status.VALIDATED
    assert activity.validated_by_name == "Anne Kerouac"


def test_the_code_never_changes_and_unknown_codes_are_refused():
    activity = complete_activity()

    with pytest.raises(ValidationError):
        services.activity_update(activity=activity, changes={"code": "X99"}, actor=None)
    with pytest.raises(ValidationError, match="no-such-recipient"):
        services.activity_update(activity=activity, changes={"recipients": ["no-such-recipient"]}, actor=None)


def test_a_failure_midway_leaves_nothing_half_written():
    activity = ProcessingActivity.objects.get(code="P07")
    before = services.activity_snapshot(activity)

    with (
        mock.patch("consents.services.audit.record", side_effect=Exception("boom")),
        pytest.raises(Exception, match="boom"),
    ):
        services.activity_update(activity=activity, changes={"retention": "changed"}, actor=None)

    assert services.activity_snapshot(ProcessingActivity.objects.get(code="P07")) == before
    assert RegisterVersion.objects.for_object(activity).count() == activity.version


def test_recipient_outside_the_eea_needs_a_mechanism_and_changes_are_versioned():
    recipient = Recipient.objects.get(code="emailing")
    recipient.country = "us"
    recipient.transfer_mechanism = TransferMechanism.NONE

    with pytest.raises(ValidationError):
        services.recipient_save(recipient=recipient, actor=None)

    recipient.transfer_mechanism = TransferMechanism.SCC
    services.recipient_save(recipient=recipient, actor=None, reason="contract signed")

    version = RegisterVersion.objects.for_object(recipient).get()
    assert version.previous_state["transfer_mechanism"] == TransferMechanism.TO_ASSESS
    assert version.state["country"] == "US"
    assert any("TIA" in gap for gap in recipient.gaps())
