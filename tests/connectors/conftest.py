"""The connector test servers (tests/connectors/servers.py), started and stopped around each test."""

from __future__ import annotations

import pytest

from connectors.models import ConnectedSystem
from connectors.services import connected_system_create
from tests.factories import dpo_user

from .servers import IjitrackServer, MailchimpServer


@pytest.fixture
def ijitrack_server():
    server = IjitrackServer().start()
    yield server
    server.stop()


@pytest.fixture
def mailchimp_server():
    server = MailchimpServer().start()
    yield server
    server.stop()


def ijitrack_system(base_url: str, *, actor=None, **values) -> ConnectedSystem:
    fields = {
        "name": "Plateforme ijitrack",
        "kind": ConnectedSystem.Kind.IJITRACK,
        "base_url": base_url,
        "active": True,
        "supports_collect": True,
        "supports_erase": True,
        "supports_restrict": True,
        "supports_rectify": True,
        "timeout_seconds": 5,
        **values,
    }
    return connected_system_create(values=fields, credential=IjitrackServer.TOKEN, actor=actor or dpo_user())


def mailchimp_system(base_url: str, *, actor=None, **values) -> ConnectedSystem:
    fields = {
        "name": "Outil d'e-mailing",
        "kind": ConnectedSystem.Kind.EMAILING,
        "base_url": base_url,
        "audience_id": MailchimpServer.LIST_ID,
        "active": True,
        "supports_collect": True,
        "supports_erase": True,
        "supports_restrict": True,
        "supports_suppress": True,
        "supports_rectify": True,
        "timeout_seconds": 5,
        **values,
    }
    return connected_system_create(values=fields, credential=MailchimpServer.API_KEY, actor=actor or dpo_user())
