"""A real Celery worker (Redis) carries out a connector task: a 503, then the retry it scheduled itself."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.utils import timezone

from connectors.models import ConnectorTask
from connectors.services import tasks_sweep
from requests_dsar.erasure.services import erasure_execute
from tests.factories import client_to_erase, dpo_user, erasure_request

from .conftest import ijitrack_system


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_after_a_503_and_completes_the_task(celery_worker_app, ijitrack_server):
    dpo = dpo_user()
    subject = client_to_erase()
    ijitrack_server.add_account(subject.email)
    ijitrack_server.fail_next(503)
    ijitrack_system(ijitrack_server.url)
    request = erasure_request(subject, actor=dpo)

    with mock.patch("connectors.services.tasks.BACKOFF_FIRST_SECONDS", 1):
        erasure_execute(request=request, ground="17_1_a", justification="Demande fondée", actor=dpo)
        task = ConnectorTask.objects.get(request=request)
        for tick in range(200):
            task.refresh_from_db()
            if task.state in (ConnectorTask.State.DONE, ConnectorTask.State.FAILED):
                break
            if tick % 25 == 24:  # a message taken by another test process's worker: beat's sweep
                tasks_sweep(now=timezone.now())
            time.sleep(0.1)

    assert task.state == ConnectorTask.State.DONE
    assert task.attempts == 2
    assert {call.headers["Idempotency-Key"] for call in ijitrack_server.calls} == {str(task.idempotency_key)}
    assert ijitrack_server.accounts == {}
