"""Who acts (ijinus_privacy.actors): one rule for every service, and jobs that name themselves."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from ijinus_privacy import actors, audit
from ijinus_privacy.models import AuditEvent
from requests_dsar.models import Right, State
from requests_dsar.services import request_transition
from tests.factories import dpo_user, logged_request, support_user

pytestmark = pytest.mark.django_db

DECIDE = "requests_dsar.decide_request"


def test_a_user_needs_the_permission_a_job_is_allowed_nobody_is_refused():
    actors.require(dpo_user(), DECIDE)
    actors.require(actors.system("nightly-job"), DECIDE)
    with pytest.raises(PermissionDenied, match="decide_request"):
        actors.require(support_user(), DECIDE)
    with pytest.raises(PermissionDenied, match=r"actors\.system"):
        actors.require(None, DECIDE)
    with pytest.raises(PermissionDenied, match="Only the DPO"):
        actors.require(AnonymousUser(), DECIDE, "Only the DPO decides.")


def test_a_decision_only_a_person_takes_refuses_a_job():
    actors.require(dpo_user(), DECIDE, person=True)
    with pytest.raises(PermissionDenied, match="Only the DPO approves"):
        actors.require(actors.system("reapply-erasures"), DECIDE, "Only the DPO approves.", person=True)


def test_what_the_records_keep_as_who():
    dpo = dpo_user()
    job = actors.system("retention-sweep")
    assert (actors.username(dpo), actors.staff_or_none(dpo)) == ("dpo", dpo)
    assert (actors.username(job), actors.staff_or_none(job)) == ("system:retention-sweep", None)
    assert (actors.username(None), actors.username(AnonymousUser())) == ("", "")
    with pytest.raises(ValueError, match="needs a name"):
        actors.system("")


def test_a_job_is_named_in_the_audit_trail_and_the_request_timeline():
    request = logged_request(rights=(Right.ACCESS,))

    request_transition(request=request, to_state=State.WITHDRAWN, reason="by phone", actor=actors.system("test-job"))

    event = AuditEvent.objects.filter(action=audit.Action.CHANGE).latest("id")
    assert (event.actor_id, event.actor_username) == (None, "system:test-job")
    assert request.events.latest("id").actor_username == "system:test-job"


def test_a_service_called_with_nobody_as_actor_changes_nothing():
    request = logged_request(rights=(Right.ACCESS,))

    with pytest.raises(PermissionDenied):
        request_transition(request=request, to_state=State.WITHDRAWN, reason="by phone", actor=None)

    request.refresh_from_db()
    assert request.state == State.RECEIVED
