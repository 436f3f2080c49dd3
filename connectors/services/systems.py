"""Connected systems: the DPO adds, changes, activates them; the credential is encrypted at rest."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ijinus_privacy import actors, audit

from ..models import ConnectedSystem

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

M2M_FIELDS = ("data_categories", "activities")


def _apply(system: ConnectedSystem, values: dict[str, Any], credential: str | None) -> list[str]:
    m2m = {name: values.pop(name) for name in M2M_FIELDS if name in values}
    changed = [name for name, value in values.items() if getattr(system, name) != value]
    for name, value in values.items():
        setattr(system, name, value)
    if credential:  # blank keeps the stored one: it is never shown back
        system.set_credential(credential)
        changed.append("credential")
    system.full_clean()
    system.save()
    for name, objects in m2m.items():
        getattr(system, name).set(list(objects))
        changed.append(name)
    return changed


@transaction.atomic
def connected_system_create(*, values: dict[str, Any], credential: str = "", actor: User | None) -> ConnectedSystem:
    actors.require(actor, "connectors.add_connectedsystem")
    system = ConnectedSystem()
    changed = _apply(system, dict(values), credential)
    audit.record(action=audit.Action.CREATE, actor=actor, obj=system, fields=sorted(set(changed)))
    return system


@transaction.atomic
def connected_system_update(
    *, system: ConnectedSystem, values: dict[str, Any], credential: str = "", actor: User | None
) -> ConnectedSystem:
    actors.require(actor, "connectors.change_connectedsystem")
    system = ConnectedSystem.objects.select_for_update().get(pk=system.pk)
    changed = _apply(system, dict(values), credential)
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=system, fields=sorted(set(changed)))
    return system


def active_systems_supporting(action: str) -> Iterable[ConnectedSystem]:
    return ConnectedSystem.objects.active().supporting(action).order_by("name")
