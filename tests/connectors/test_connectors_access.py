"""Access and portability: the connected systems' data in the export, collected by their connectors."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from connectors.models import Action, ConnectorTask
from requests_dsar.exports import content, services
from requests_dsar.models import ExportJob, Right
from requests_dsar.services import request_decide
from tests.factories import dpo_user, logged_request, subject_with_data, support_user

from .conftest import ijitrack_system, mailchimp_system
from .servers import closed_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def access_request():
    subject = subject_with_data(last_name="Quéméner", email="yann.quemener@exemple.fr")
    return logged_request(subject=subject, rights=(Right.ACCESS,), requester_email=subject.email)


def test_the_access_export_includes_the_data_of_both_systems(
    access_request, ijitrack_server, mailchimp_server, django_capture_on_commit_callbacks
):
    email = access_request.subject.email
    ijitrack_server.add_account(email, sites=3)
    mailchimp_server.add_member(email, FNAME="Yann")
    ijitrack_system(ijitrack_server.url)
    mailchimp_system(mailchimp_server.url)

    with django_capture_on_commit_callbacks(execute=True):
        services.export_jobs_create(request=access_request, actor=support_user())

    tasks = ConnectorTask.objects.filter(request=access_request)
    assert {(task.action, task.state) for task in tasks} == {(Action.COLLECT, ConnectorTask.State.DONE)}
    collection = content.collect(access_request.subject, language="fr")
    source = next(data for data in collection.sources if data.source.name == "connectors.connected_systems")
    by_system = {record["system"]: record for record in source.records}
    assert by_system["Plateforme ijitrack"]["sites"] == 3
    assert by_system["Plateforme ijitrack"]["login"] == email
    assert by_system["Outil d'e-mailing"]["email_address"] == email
    assert by_system["Outil d'e-mailing"]["status"] == "subscribed"
    assert {"identity", "navigation", "contact", "promotion"} <= set(source.categories)
    # The export built before the systems answered was built again, with their data.
    for job in ExportJob.objects.filter(request=access_request):
        assert job.status == ExportJob.Status.DONE
    assert access_request.events.filter(kind="export").count() == 2


def test_a_person_the_system_does_not_know_is_collected_as_nothing(
    access_request, mailchimp_server, django_capture_on_commit_callbacks
):
    mailchimp_system(mailchimp_server.url)

    with django_capture_on_commit_callbacks(execute=True):
        services.export_jobs_create(request=access_request, actor=support_user())

    task = ConnectorTask.objects.get(request=access_request)
    assert task.state == ConnectorTask.State.DONE
    collection = content.collect(access_request.subject, language="fr")
    source = next(data for data in collection.sources if data.source.name == "connectors.connected_systems")
    assert source.records == []


def test_access_is_not_granted_while_a_system_has_not_answered(access_request, django_capture_on_commit_callbacks):
    ijitrack_system(closed_port())

    with django_capture_on_commit_callbacks(execute=True):
        services.export_jobs_create(request=access_request, actor=support_user())

    task = ConnectorTask.objects.get(request=access_request)
    assert task.state == ConnectorTask.State.WAITING
    with pytest.raises(ValidationError) as refused:
        request_decide(request=access_request, justification="Copie envoyée", actor=dpo_user())
    assert any("Plateforme ijitrack" in message for message in refused.value.messages)
