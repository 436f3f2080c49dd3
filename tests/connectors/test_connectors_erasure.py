"""An erasure request carried out in both connected systems, against real test servers (issue 15).

Erased here → one task per active connected system → the systems answer → the request can be
decided only once each of them confirmed or the DPO waived it. A system that is down never loses
its task; a 503 is retried with the same Idempotency-Key; a 4xx fails the task with its reason.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from connectors.models import Action, ConnectorTask
from connectors.services import task_retry, task_run, task_waive, tasks_sweep
from ijinus_privacy.models import AuditEvent
from requests_dsar.erasure.services import erasure_execute
from requests_dsar.models import ErasureGround, RecipientNotification, RequestEvent, State
from requests_dsar.services import request_decide
from tests.factories import client_to_erase, disclose, dpo_user, erasure_request, recipient, support_user

from .conftest import ijitrack_system, mailchimp_system
from .servers import closed_port

pytestmark = pytest.mark.django_db


def _erase(request, dpo, capture):
    with capture(execute=True):
        erasure_execute(
            request=request, ground=ErasureGround.NO_LONGER_NECESSARY, justification="Demande fondée", actor=dpo
        )
    request.refresh_from_db()
    return request


def _decide(request, dpo):
    return request_decide(request=request, justification="Effacement effectué partout", actor=dpo)


def test_an_erasure_completes_only_once_both_systems_confirmed(
    ijitrack_server, mailchimp_server, django_capture_on_commit_callbacks
):
    dpo = dpo_user()
    subject = client_to_erase()
    ijitrack_server.add_account(subject.email)
    member = mailchimp_server.add_member(subject.email, FNAME=subject.first_names)
    ijitrack = ijitrack_system(ijitrack_server.url)
    emailing = mailchimp_system(mailchimp_server.url)
    request = erasure_request(subject, actor=dpo)

    request = _erase(request, dpo, django_capture_on_commit_callbacks)

    tasks = {task.system_id: task for task in ConnectorTask.objects.filter(request=request)}
    assert {(task.action, task.state) for task in tasks.values()} == {("erase", "done")}
    assert tasks[ijitrack.pk].remote_ref.startswith("IJT-ERA-")
    assert tasks[emailing.pk].remote_ref == f"{mailchimp_server.LIST_ID}/{member} (deleted permanently)"
    assert ijitrack_server.accounts == {}
    assert mailchimp_server.deleted_permanently == {member}
    assert all(not task.lookup_encrypted for task in tasks.values())  # identifiers dropped once confirmed
    # Erased here, confirmed there: the DPO now decides, and the request completes.
    assert request.state == State.AWAITING_DECISION
    _decide(request, dpo)
    request.refresh_from_db()
    assert request.state == State.COMPLETED


def test_the_request_cannot_close_while_a_system_is_down_and_completes_once_it_is_back(
    ijitrack_server, mailchimp_server, django_capture_on_commit_callbacks
):
    dpo = dpo_user()
    subject = client_to_erase()
    ijitrack_server.add_account(subject.email)
    ijitrack = ijitrack_system(closed_port())  # the platform is down
    mailchimp_system(mailchimp_server.url)
    request = erasure_request(subject, actor=dpo)

    request = _erase(request, dpo, django_capture_on_commit_callbacks)

    down = ConnectorTask.objects.get(request=request, system=ijitrack)
    assert down.state == ConnectorTask.State.WAITING
    assert down.attempts == 1
    assert down.next_attempt_at is not None
    assert "unreachable" in down.last_error
    assert down.lookup()["email"] == subject.email  # kept, encrypted, until the platform confirms
    with pytest.raises(ValidationError) as refused:
        _decide(request, dpo)
    assert "Plateforme ijitrack" in " ".join(refused.value.messages)
    assert "waiting" in " ".join(refused.value.messages)
    request.refresh_from_db()
    assert request.state == State.AWAITING_DECISION

    # The platform comes back; the next attempt, when due, carries the erasure out.
    ijitrack.base_url = ijitrack_server.url
    ijitrack.save(update_fields=["base_url"])
    assert task_run(task_id=down.pk, now=down.next_attempt_at - dt.timedelta(seconds=1)) is None  # not due yet
    done = task_run(task_id=down.pk, now=down.next_attempt_at)

    assert done.state == ConnectorTask.State.DONE
    assert ijitrack_server.accounts == {}
    assert len(ijitrack_server.carried_out) == 1
    _decide(request, dpo)
    request.refresh_from_db()
    assert request.state == State.COMPLETED


def test_a_503_is_retried_with_the_same_idempotency_key(ijitrack_server, django_capture_on_commit_callbacks):
    dpo = dpo_user()
    subject = client_to_erase()
    ijitrack_server.add_account(subject.email)
    ijitrack_server.fail_next(503)
    ijitrack_system(ijitrack_server.url)
    request = erasure_request(subject, actor=dpo)

    request = _erase(request, dpo, django_capture_on_commit_callbacks)
    task = ConnectorTask.objects.get(request=request)
    assert (task.state, task.attempts) == ("waiting", 1)
    assert task.last_error == "HTTP 503: POST answered 503 (forced_by_test)"
    first_wait = task.next_attempt_at - task.started_at

    task = task_run(task_id=task.pk, now=task.next_attempt_at)

    assert task.state == ConnectorTask.State.DONE
    keys = [call.headers["Idempotency-Key"] for call in ijitrack_server.calls]
    assert keys == [str(task.idempotency_key)] * 2
    assert first_wait == dt.timedelta(seconds=30)
    assert [action for action, _key in ijitrack_server.carried_out] == ["erase"]


def test_back_off_doubles_and_a_system_that_never_answers_fails_after_its_attempts(
    django_capture_on_commit_callbacks,
):
    dpo = dpo_user()
    subject = client_to_erase()
    system = ijitrack_system(closed_port(), max_attempts=3)
    request = erasure_request(subject, actor=dpo)
    request = _erase(request, dpo, django_capture_on_commit_callbacks)
    task = ConnectorTask.objects.get(request=request)
    waits = [task.next_attempt_at - task.started_at]

    task = task_run(task_id=task.pk, now=task.next_attempt_at)
    waits.append(task.next_attempt_at - task.started_at)
    task = task_run(task_id=task.pk, now=task.next_attempt_at)

    assert waits == [dt.timedelta(seconds=30), dt.timedelta(seconds=60)]
    assert (task.state, task.attempts) == (ConnectorTask.State.FAILED, 3)
    assert system.name in request.events.filter(kind=RequestEvent.Kind.WARNING).last().reason


def test_a_permanent_refusal_fails_with_its_reason_and_the_dpo_waives_it(
    ijitrack_server, django_capture_on_commit_callbacks
):
    dpo = dpo_user()
    subject = client_to_erase()
    ijitrack_server.add_account(subject.email)
    ijitrack_server.refuse_with = (422, "account_under_litigation")
    ijitrack_system(ijitrack_server.url)
    request = erasure_request(subject, actor=dpo)

    request = _erase(request, dpo, django_capture_on_commit_callbacks)

    task = ConnectorTask.objects.get(request=request)
    assert task.state == ConnectorTask.State.FAILED
    assert task.last_error == "HTTP 422: POST answered 422 (account_under_litigation)"
    with pytest.raises(ValidationError) as refused:
        _decide(request, dpo)
    assert "account_under_litigation" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        task_waive(task=task, reason="  ", actor=dpo)
    with pytest.raises(PermissionDenied):
        task_waive(task=task, reason="Litige en cours", actor=support_user())

    task_waive(task=task, reason="Compte sous litige : conservé au titre de l'art. 17(3)(e)", actor=dpo)

    task.refresh_from_db()
    assert (task.state, task.waived_by_username) == (ConnectorTask.State.WAIVED, "dpo")
    assert AuditEvent.objects.filter(object_type="connectors.connectortask", object_id=str(task.pk)).exists()
    _decide(request, dpo)
    request.refresh_from_db()
    assert request.state == State.COMPLETED


def test_the_dpo_retries_a_failed_task_after_a_fix(ijitrack_server, django_capture_on_commit_callbacks):
    dpo = dpo_user()
    subject = client_to_erase()
    ijitrack_server.add_account(subject.email)
    system = ijitrack_system(ijitrack_server.url)
    system.set_credential("wrong-token")
    system.save(update_fields=["credential_encrypted"])
    request = erasure_request(subject, actor=dpo)
    request = _erase(request, dpo, django_capture_on_commit_callbacks)
    task = ConnectorTask.objects.get(request=request)
    assert (task.state, task.last_error) == ("failed", "HTTP 401: POST answered 401 (unauthorized)")
    key = task.idempotency_key

    system.set_credential(ijitrack_server.TOKEN)
    system.save(update_fields=["credential_encrypted"])
    with django_capture_on_commit_callbacks(execute=True):
        task_retry(task=task, actor=dpo)

    task.refresh_from_db()
    assert (task.state, task.idempotency_key) == (ConnectorTask.State.DONE, key)
    assert ijitrack_server.accounts == {}


def test_a_task_whose_message_was_lost_is_published_again_by_the_sweep(
    ijitrack_server, django_capture_on_commit_callbacks
):
    dpo = dpo_user()
    subject = client_to_erase()
    ijitrack_server.add_account(subject.email)
    ijitrack_system(ijitrack_server.url)
    request = erasure_request(subject, actor=dpo)
    with mock.patch("connectors.services.tasks._publish", side_effect=ConnectionError("broker down")):
        request = _erase(request, dpo, django_capture_on_commit_callbacks)
    task = ConnectorTask.objects.get(request=request)
    assert (task.state, task.dispatched_at, ijitrack_server.calls) == ("waiting", None, [])

    published = tasks_sweep()

    task.refresh_from_db()
    assert published == 1
    assert task.state == ConnectorTask.State.DONE


def test_a_task_left_running_by_a_dead_worker_is_put_back_and_done(ijitrack_server, django_capture_on_commit_callbacks):
    dpo = dpo_user()
    subject = client_to_erase()
    ijitrack_server.add_account(subject.email)
    ijitrack_system(ijitrack_server.url)
    request = erasure_request(subject, actor=dpo)
    with mock.patch("connectors.services.tasks._publish"):
        request = _erase(request, dpo, django_capture_on_commit_callbacks)
    task = ConnectorTask.objects.get(request=request)
    started = timezone.now() - dt.timedelta(hours=1)
    ConnectorTask.objects.filter(pk=task.pk).update(state=ConnectorTask.State.RUNNING, started_at=started)

    tasks_sweep()

    task.refresh_from_db()
    assert task.state == ConnectorTask.State.DONE


def test_an_inactive_system_gets_no_task_and_does_not_hold_the_request(
    ijitrack_server, django_capture_on_commit_callbacks
):
    dpo = dpo_user()
    subject = client_to_erase()
    ijitrack_system(ijitrack_server.url, active=False)
    request = erasure_request(subject, actor=dpo)

    request = _erase(request, dpo, django_capture_on_commit_callbacks)

    assert not ConnectorTask.objects.exists()
    assert request.state == State.COMPLETED
    assert ijitrack_server.calls == []


def test_art_19_a_recipient_that_is_a_connected_system_is_told_through_its_connector(
    mailchimp_server, django_capture_on_commit_callbacks
):
    dpo = dpo_user()
    subject = client_to_erase()
    disclose(subject, "emailing", actor=dpo)
    disclose(subject, "carriers", actor=dpo)
    member = mailchimp_server.add_member(subject.email)
    emailing = mailchimp_system(mailchimp_server.url, recipient=recipient("emailing"))
    request = erasure_request(subject, actor=dpo)

    request = _erase(request, dpo, django_capture_on_commit_callbacks)

    by_recipient = {n.recipient.code: n for n in RecipientNotification.objects.filter(request=request)}
    task = ConnectorTask.objects.get(request=request, system=emailing)
    assert task.notification == by_recipient["emailing"]
    assert task.action == Action.ERASE
    assert by_recipient["emailing"].status == RecipientNotification.Status.ACKNOWLEDGED
    assert by_recipient["emailing"].closed_by_username == "system:connectors"
    assert by_recipient["carriers"].status == RecipientNotification.Status.PENDING  # told by hand, as before
    assert mailchimp_server.deleted_permanently == {member}
