"""Restriction, rectification, objection to direct marketing and withdrawal carried out in the
connected systems (Mailchimp-style audience: members by MD5 of the lower-cased address)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError

from connectors.emailing import subscriber_hash
from connectors.models import Action, ConnectorTask
from ijinus_privacy.choices import Channel
from requests_dsar import fulfilment
from requests_dsar.models import Request, Right, State
from requests_dsar.services import request_decide
from subjects.services.rectification import rectification_apply
from tests.factories import DataSubjectFactory, dpo_user, logged_request

from .conftest import ijitrack_system, mailchimp_system

pytestmark = pytest.mark.django_db


def _awaiting(*rights, email="Aurore.Le-Gall@Exemple.fr"):
    dpo = dpo_user()
    request = logged_request(rights=rights, subject=DataSubjectFactory(email=email), actor=dpo)
    Request.objects.filter(pk=request.pk).update(state=State.AWAITING_DECISION)
    request.refresh_from_db()
    return request, dpo


def test_the_member_id_is_the_md5_of_the_lower_cased_address():
    assert (
        subscriber_hash(" Aurore.Le-Gall@Exemple.fr ")
        == hashlib.md5(b"aurore.le-gall@exemple.fr", usedforsecurity=False).hexdigest()
    )


def test_a_restriction_archives_the_member_and_restricts_the_platform_account(
    ijitrack_server, mailchimp_server, django_capture_on_commit_callbacks
):
    request, dpo = _awaiting(Right.RESTRICTION)
    email = request.subject.email
    ijitrack_server.add_account(email)
    member = mailchimp_server.add_member(email)
    ijitrack_system(ijitrack_server.url)
    mailchimp_system(mailchimp_server.url)

    with django_capture_on_commit_callbacks(execute=True):
        fulfilment.restriction_from_request(request=request, ground="18_1_b", actor=dpo)

    tasks = ConnectorTask.objects.filter(request=request)
    assert {(task.action, task.state) for task in tasks} == {(Action.RESTRICT, ConnectorTask.State.DONE)}
    assert ijitrack_server.restricted == {email.lower()}
    assert mailchimp_server.archived == {member}
    request_decide(request=request, justification="Limitation en place", actor=dpo)
    request.refresh_from_db()
    assert request.state == State.COMPLETED


def test_a_rectification_is_carried_to_both_systems(
    ijitrack_server, mailchimp_server, django_capture_on_commit_callbacks
):
    request, dpo = _awaiting(Right.RECTIFICATION)
    email = request.subject.email
    ijitrack_server.add_account(email)
    member = mailchimp_server.add_member(email, FNAME="Aurore", LNAME="Legall")
    ijitrack_system(ijitrack_server.url)
    mailchimp_system(mailchimp_server.url)
    proposals = fulfilment.rectification_from_request(request=request, changes={"last_name": "Le Gall"}, actor=dpo)

    with django_capture_on_commit_callbacks(execute=True):
        rectification_apply(rectifications=proposals, actor=dpo)

    assert {task.state for task in ConnectorTask.objects.filter(request=request, action=Action.RECTIFY)} == {"done"}
    assert ijitrack_server.accounts[email.lower()]["last_name"] == "Le Gall"
    assert mailchimp_server.members[member]["merge_fields"]["LNAME"] == "Le Gall"


def test_an_objection_to_direct_marketing_unsubscribes_the_member(mailchimp_server, django_capture_on_commit_callbacks):
    request, dpo = _awaiting(Right.OBJECTION_MARKETING)
    member = mailchimp_server.add_member(request.subject.email)
    mailchimp_system(mailchimp_server.url)
    mailchimp_server.fail_next(500)

    with django_capture_on_commit_callbacks(execute=True):
        fulfilment.objection_from_request(request=request, actor=dpo)

    task = ConnectorTask.objects.get(request=request)
    assert (task.action, task.state) == (Action.SUPPRESS, ConnectorTask.State.WAITING)
    with pytest.raises(ValidationError, match="Outil d'e-mailing"):
        request_decide(request=request, justification="Opposition enregistrée", actor=dpo)

    from connectors.services import task_run

    task = task_run(task_id=task.pk, now=task.next_attempt_at)

    assert task.state == ConnectorTask.State.DONE
    assert mailchimp_server.members[member]["status"] == "unsubscribed"
    patch = [call for call in mailchimp_server.calls if call.method == "PATCH"]
    assert [call.body for call in patch] == [{"status": "unsubscribed"}] * 2
    assert {call.path for call in patch} == {f"/lists/{mailchimp_server.LIST_ID}/members/{member}"}
    request_decide(request=request, justification="Opposition enregistrée", actor=dpo)


def test_withdrawing_the_newsletter_consent_unsubscribes_a_known_member_and_ignores_a_stranger(
    mailchimp_server, django_capture_on_commit_callbacks
):
    request, dpo = _awaiting(Right.CONSENT_WITHDRAWAL)
    mailchimp_system(mailchimp_server.url)

    with django_capture_on_commit_callbacks(execute=True):
        fulfilment.withdrawal_from_request(request=request, channel=Channel.NEWSLETTER_EMAIL, actor=dpo)

    task = ConnectorTask.objects.get(request=request)
    assert (task.action, task.state) == (Action.SUPPRESS, ConnectorTask.State.DONE)
    assert task.remote_ref.endswith("(not a member)")


def test_the_one_click_unsubscribe_link_unsubscribes_the_member_in_the_emailing_tool(
    client, mailchimp_server, django_capture_on_commit_callbacks
):
    from django.urls import reverse
    from django.utils import translation

    from consents.unsubscribe import unsubscribe_token
    from tests.factories import give

    person = DataSubjectFactory(consumer=True, admitted=True, email="Gwenaelle.Kerouac@Exemple.fr")
    give(person)
    member = mailchimp_server.add_member(person.email)
    mailchimp_system(mailchimp_server.url)
    token = unsubscribe_token(subject_id=person.pk, channel=Channel.NEWSLETTER_EMAIL)
    with translation.override("fr"):
        url = reverse("consents_public:unsubscribe", kwargs={"token": token})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 200
    task = ConnectorTask.objects.get()
    assert (task.action, task.state, task.request) == (Action.SUPPRESS, ConnectorTask.State.DONE, None)
    assert mailchimp_server.members[member]["status"] == "unsubscribed"


def test_a_withdrawal_for_a_request_makes_one_task_only(mailchimp_server, django_capture_on_commit_callbacks):
    request, dpo = _awaiting(Right.CONSENT_WITHDRAWAL)
    mailchimp_server.add_member(request.subject.email)
    mailchimp_system(mailchimp_server.url)

    with django_capture_on_commit_callbacks(execute=True):
        fulfilment.withdrawal_from_request(request=request, channel=Channel.NEWSLETTER_EMAIL, actor=dpo)

    assert list(ConnectorTask.objects.values_list("request_id", "action")) == [(request.pk, Action.SUPPRESS)]
