"""The connector contract: kinds, transient vs permanent failures, timeouts, and no personal data in
what is kept of an error."""

from __future__ import annotations

import socket
import threading

import pytest

from connectors.contract import Connector, PermanentError, TransientError, registry
from connectors.http import call
from connectors.models import ConnectedSystem, ConnectorTask
from connectors.services import task_run
from tests.factories import DataSubjectFactory

from .servers import IjitrackServer, closed_port

pytestmark = pytest.mark.django_db


class _Refusing(IjitrackServer):
    def answer(self, method, path, headers, body):
        return 422, {"error": "jeanne.martin@exemple.fr", "detail": "jeanne.martin@exemple.fr is locked"}


def test_an_error_body_quoting_an_address_is_not_kept():
    server = _Refusing().start()
    try:
        with pytest.raises(PermanentError) as error:
            call("POST", f"{server.url}/subjects/erase", headers={}, body={}, timeout=5)
    finally:
        server.stop()

    assert str(error.value) == "HTTP 422: POST answered 422"
    assert "@" not in str(error.value)


def test_a_refused_connection_is_transient():
    with pytest.raises(TransientError, match="unreachable"):
        call("GET", closed_port(), headers={}, timeout=2)


def test_a_system_that_accepts_but_never_answers_times_out_as_transient():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    try:
        with pytest.raises(TransientError, match=r"no answer within 0\.5 s"):
            call("GET", f"http://127.0.0.1:{listener.getsockname()[1]}/", headers={}, timeout=0.5)
    finally:
        for connection, _address in accepted:
            connection.close()
        listener.close()


def test_a_non_http_address_is_refused():
    with pytest.raises(PermanentError):
        call("GET", "file:///etc/passwd", headers={}, timeout=1)


def test_the_platform_and_emailing_kinds_have_connectors_and_an_action_not_implemented_fails_permanently():
    assert set(registry.kinds()) >= {"ijitrack", "emailing"}
    system = ConnectedSystem(name="x", kind=ConnectedSystem.Kind.EMAILING, base_url="https://x.example")
    task = ConnectorTask(system=system, action="anonymise", subject_ref=1)

    with pytest.raises(PermanentError, match="not supported"):
        registry.for_system(system).run(task)
    assert isinstance(registry.for_system(system), Connector)


def test_a_task_for_a_kind_without_a_connector_fails_with_the_reason():
    system = ConnectedSystem.objects.create(
        name="Sans connecteur", kind="unknown-kind", base_url="https://x.example", active=True
    )
    task = ConnectorTask.objects.create(system=system, action="erase", subject_ref=DataSubjectFactory().pk)

    task = task_run(task_id=task.pk)

    assert task.state == ConnectorTask.State.FAILED
    assert task.last_error == "no connector is installed for the kind unknown-kind"
