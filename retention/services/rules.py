"""Writes on retention rules: every change is versioned (previous state kept) and audited."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import audit

from ..models import RetentionRule, RetentionRuleVersion

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# Changing any of these changes what a committed run does: a rule needing approval needs it again.
SUBSTANTIVE_FIELDS = frozenset(
    {"scope", "role", "sweeper", "trigger", "active_months", "end_of_active_action", "archive_months", "final_action"}
)
_NOT_EDITABLE = frozenset({"id", "version", "approved_by", "approved_at"})


def rule_state(rule: RetentionRule) -> dict[str, Any]:
    state = {field.attname: getattr(rule, field.attname) for field in rule._meta.concrete_fields}
    return json.loads(json.dumps(state, cls=DjangoJSONEncoder))


@transaction.atomic
def rule_create(*, actor: AbstractBaseUser | None, **fields: Any) -> RetentionRule:
    rule = RetentionRule(**fields)
    rule.full_clean()
    rule.save()
    audit.record(action=audit.Action.CREATE, actor=actor, obj=rule, fields=sorted(fields))
    return rule


@transaction.atomic
def rule_update(*, rule: RetentionRule, changes: dict[str, Any], actor: AbstractBaseUser | None) -> RetentionRule:
    """Apply ``changes``; keep the previous state as a version; reset approval on substantive changes."""
    forbidden = set(changes) & _NOT_EDITABLE
    if forbidden:
        raise ValidationError(_("These fields are not edited directly: %(f)s.") % {"f": ", ".join(sorted(forbidden))})
    current = RetentionRule.objects.select_for_update().get(pk=rule.pk)
    previous = rule_state(current)
    changed = sorted(name for name, value in changes.items() if getattr(current, name) != value)
    if not changed:
        return current
    for name in changed:
        setattr(current, name, changes[name])
    if current.requires_approval and SUBSTANTIVE_FIELDS & set(changed):
        current.approved_by, current.approved_at = None, None
    current.full_clean()
    RetentionRuleVersion.objects.create(
        rule=current, version=current.version, previous_state=previous, changed_fields=changed, changed_by=actor
    )
    current.version += 1
    current.save()
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=current, fields=changed)
    return current


@transaction.atomic
def rule_approve(*, rule: RetentionRule, actor: AbstractBaseUser) -> RetentionRule:
    """The DPO's go for committed runs of a rule that requires approval (R4.7.1)."""
    if not actor.has_perm("retention.approve_retentionrule"):
        raise ValidationError(_("Only the DPO approves retention rules."))
    current = RetentionRule.objects.select_for_update().get(pk=rule.pk)
    if current.approved_at is not None:
        return current
    current.approved_by, current.approved_at = actor, timezone.now()
    current.save(update_fields=["approved_by", "approved_at"])
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=current, fields=["approved_by", "approved_at"])
    return current
