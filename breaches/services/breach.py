"""Recording, changing and closing a breach: every change versioned (fields before and after) and audited."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consents.models import DataCategory, ProcessingActivity
from ijinus_privacy import actors, audit

from .. import obligations
from ..models import AffectedPerson, Breach, BreachVersion

if TYPE_CHECKING:
    from datetime import datetime

ADD_PERMISSION = "breaches.add_breach"
CHANGE_PERMISSION = "breaches.change_breach"
CLOSE_PERMISSION = "breaches.close_breach"

M2M_FIELDS = ("activities", "data_categories")
# Written by the services themselves, never through ``breach_update``.
NOT_EDITABLE = frozenset(
    {"id", "status", "reminder_sent_at", "closed_at", "closure_note", "created_at", "created_by", "created_by_username"}
)
EDITABLE = frozenset(
    field.name for field in Breach._meta.concrete_fields if field.name not in NOT_EDITABLE and field.name != "id"
) | frozenset(M2M_FIELDS)


def breach_state(breach: Breach) -> dict[str, Any]:
    """The breach's fields and the codes of its activities and data categories, as JSON values."""
    state: dict[str, Any] = {field.attname: getattr(breach, field.attname) for field in Breach._meta.concrete_fields}
    if breach.pk is not None:
        state["activities"] = sorted(breach.activities.values_list("code", flat=True))
        state["data_categories"] = sorted(breach.data_categories.values_list("code", flat=True))
        state["people_linked"] = breach.affected.count()
    return json.loads(json.dumps(state, cls=DjangoJSONEncoder))


def version_write(
    breach: Breach, *, before: dict[str, Any], summary: str, actor: Any, now: datetime | None = None
) -> BreachVersion:
    """One version per change: the state before and after (only the keys that changed, on a change)."""
    after = breach_state(breach)
    if before:
        changed = sorted(key for key in after if before.get(key) != after[key])
        snapshot = {
            "changed": changed,
            "before": {key: before.get(key) for key in changed},
            "after": {key: after[key] for key in changed},
        }
    else:
        snapshot = {"changed": sorted(after), "before": {}, "after": after}
    return version_record(breach, snapshot=snapshot, summary=summary, actor=actor, now=now)


def version_record(
    breach: Breach, *, snapshot: dict[str, Any], summary: str, actor: Any, now: datetime | None = None
) -> BreachVersion:
    """The next version of the breach, numbered after the last one: a field change (``version_write``)
    or something done about the breach (letters sent, a public communication)."""
    last = breach.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return BreachVersion.objects.create(
        breach=breach,
        number=last + 1,
        changed_at=now or timezone.now(),
        changed_by_username=actors.username(actor),
        summary=summary[:300],
        snapshot=snapshot,
    )


def _validate(breach: Breach) -> None:
    errors: dict[str, list[str]] = {}
    if not (breach.nature_confidentiality or breach.nature_integrity or breach.nature_availability):
        errors["nature_confidentiality"] = [
            _("Say what the breach touched: confidentiality, integrity or availability (at least one).")
        ]
    if breach.discovered_at and breach.aware_at and breach.aware_at < breach.discovered_at:
        errors["aware_at"] = [_("IJINUS cannot have become aware of the breach before it was discovered.")]
    if breach.processor_informed_at and not breach.processor_id:
        errors["processor"] = [_("Name the processor that informed us (Art. 33(2)).")]
    if errors:
        raise ValidationError(errors)


def _set_m2m(breach: Breach, name: str, values: Iterable[Any]) -> None:
    model = ProcessingActivity if name == "activities" else DataCategory
    items = [value if isinstance(value, model) else model.objects.get(pk=value) for value in values]
    getattr(breach, name).set(items)


@transaction.atomic
def breach_record(
    *,
    actor: Any,
    activities: Iterable[Any] = (),
    data_categories: Iterable[Any] = (),
    now: datetime | None = None,
    **fields: Any,
) -> Breach:
    """Record a breach, suspected or known (customer service may). The DPO is e-mailed at once."""
    from .alerts import recorded_alert_send

    actors.require(actor, ADD_PERMISSION)
    forbidden = set(fields) & NOT_EDITABLE
    if forbidden:
        raise ValidationError(_("These fields are not set directly: %(f)s.") % {"f": ", ".join(sorted(forbidden))})
    breach = Breach(
        **fields,
        status=Breach.Status.OPEN,
        created_at=now or timezone.now(),
        created_by=actors.staff_or_none(actor),
        created_by_username=actors.username(actor),
    )
    _validate(breach)
    breach.full_clean()
    breach.save()
    _set_m2m(breach, "activities", activities)
    _set_m2m(breach, "data_categories", data_categories)
    _link_requester(breach, now=now)
    version_write(breach, before={}, summary=_("Recorded"), actor=actor, now=now)
    audit.record(action=audit.Action.CREATE, actor=actor, obj=breach, fields=sorted([*fields, *M2M_FIELDS]))
    recorded_alert_send(breach, actor=actor, now=now)
    return breach


def _link_requester(breach: Breach, *, now: datetime | None) -> None:
    """A breach arising from a request affects at least the person who asked (EDPB 01/2022 §§80-81)."""
    subject_id = breach.source_request.subject_id if breach.source_request_id else None
    if subject_id is None:
        return
    AffectedPerson.objects.create(
        breach=breach, subject_id=subject_id, source=AffectedPerson.Source.REQUEST, added_at=now or timezone.now()
    )


@transaction.atomic
def breach_update(*, breach: Breach, changes: dict[str, Any], actor: Any, now: datetime | None = None) -> Breach:
    """Change the breach's description; the fields before and after are kept as a version."""
    actors.require(actor, CHANGE_PERMISSION)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError(_("These fields are not edited directly: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    current = Breach.objects.select_for_update().get(pk=breach.pk)
    before = breach_state(current)
    for name, value in changes.items():
        if name not in M2M_FIELDS:
            setattr(current, name, value)
    _validate(current)
    current.full_clean()
    current.save()
    for name in M2M_FIELDS:
        if name in changes:
            _set_m2m(current, name, changes[name])
    after = breach_state(current)
    changed = sorted(key for key in after if before.get(key) != after[key])
    if not changed:
        return current
    version_write(current, before=before, summary=_("Changed: %(f)s") % {"f": ", ".join(changed)}, actor=actor, now=now)
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=current, fields=changed)
    return current


@transaction.atomic
def breach_close(*, breach: Breach, closure_note: str, actor: Any, now: datetime | None = None) -> Breach:
    """Close a breach once what its assessment requires is done; the documentation stays (Art. 33(5))."""
    actors.require(actor, CLOSE_PERMISSION)
    current = Breach.objects.select_for_update().get(pk=breach.pk)
    if current.status == Breach.Status.CLOSED:
        raise ValidationError(_("This breach is already closed."))
    if not closure_note.strip():
        raise ValidationError(_("Say how the breach ended (closure note)."))
    required = obligations.due(current)
    if required == obligations.Due.TO_ASSESS:
        raise ValidationError(_("Assess the risk before closing: the register must keep the reasoning (Art. 33(5))."))
    if obligations.notification_required(current) and not current.phases.exists():
        raise ValidationError(_("The assessment requires a notification to the CNIL (Art. 33): notify before closing."))
    if obligations.communication_required(current) and not obligations.communicated(current):
        raise ValidationError(
            _(
                "The assessment finds a high risk: send the letters to the people or publish a public "
                "communication before closing (Art. 34)."
            )
        )
    before = breach_state(current)
    current.status = Breach.Status.CLOSED
    current.closed_at = now or timezone.now()
    current.closure_note = closure_note.strip()
    current.save(update_fields=["status", "closed_at", "closure_note"])
    version_write(current, before=before, summary=_("Closed"), actor=actor, now=now)
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=current, fields=["status", "closed_at", "closure_note"])
    return current


def status_advance(breach: Breach, status: str) -> None:
    """Move the status forward only (open < assessed < notified); a closed breach stays closed."""
    order = [Breach.Status.OPEN, Breach.Status.ASSESSED, Breach.Status.NOTIFIED, Breach.Status.CLOSED]
    if order.index(status) > order.index(breach.status):
        breach.status = status
