"""The demo's connected systems: both kinds, example addresses, inactive so the demo never calls out."""

from __future__ import annotations

import pytest

from connectors.demo import seed_connected_systems
from connectors.models import ConnectedSystem
from tests.factories import dpo_user

pytestmark = pytest.mark.django_db


def test_the_demo_adds_the_platform_and_the_emailing_tool_inactive_and_only_once():
    dpo = dpo_user()

    seed_connected_systems(dpo=dpo)
    seed_connected_systems(dpo=dpo)

    systems = {system.kind: system for system in ConnectedSystem.objects.all()}
    assert set(systems) == {"ijitrack", "emailing"}
    assert not any(system.active for system in systems.values())
    assert all(".example" in system.base_url for system in systems.values())
    assert systems["emailing"].recipient.code == "emailing"
    assert systems["emailing"].supports_suppress
    assert list(systems["ijitrack"].activities.values_list("code", flat=True)) == ["P05"]
