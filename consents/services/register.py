"""Every write to the register of processing (R3.1.4: versioned, with author, date and previous state).

Each service validates, saves, stores a ``RegisterVersion`` (the state before and after) and records
an audit event, all in one transaction. An activity's ``code`` never changes once created: personal-data
sources and retention rules point at it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit

from ..models import (
    ActivityDataCategory,
    Controller,
    DataCategory,
    ProcessingActivity,
    Purpose,
    Recipient,
    RegisterVersion,
    SecurityMeasure,
    SubjectCategory,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

ACTIVITY_SCALAR_FIELDS = tuple(
    field.name
    for field in ProcessingActivity._meta.concrete_fields
    if field.editable and field.name not in ("id", "code", "created_at", "updated_at")
)
ACTIVITY_M2M = {
    "subject_categories": SubjectCategory,
    "recipients": Recipient,
    "security_measures": SecurityMeasure,
}
PURPOSE_FIELDS = ("description", "legal_basis", "legal_basis_detail", "balancing_test_reference")


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def _fields_state(instance: models.Model, exclude: Iterable[str] = ()) -> dict[str, Any]:
    return {
        field.attname: _plain(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
        if field.name not in ("id", "updated_at", *exclude)
    }


def activity_snapshot(activity: ProcessingActivity) -> dict[str, Any]:
    """The full state of an entry, links by code, as stored in its versions."""
    state = _fields_state(activity, exclude=("created_at",))
    state["purposes"] = [
        {"id": purpose.pk, **{name: getattr(purpose, name) for name in PURPOSE_FIELDS}}
        for purpose in activity.purposes.order_by("position", "id")
    ]
    state["data_categories"] = [
        {"category": link.category.code, "retention": link.retention}
        for link in activity.data_category_links.select_related("category").order_by("category__code")
    ]
    for name in ACTIVITY_M2M:
        state[name] = sorted(getattr(activity, name).values_list("code", flat=True))
    return state


def _record_version(
    *,
    instance: models.Model,
    previous: dict[str, Any] | None,
    state: dict[str, Any],
    actor: AbstractBaseUser | None,
    reason: str,
    version: int | None = None,
) -> RegisterVersion:
    object_type = instance._meta.label_lower
    if version is None:
        last = RegisterVersion.objects.filter(object_type=object_type, object_id=str(instance.pk)).aggregate(
            models.Max("version")
        )["version__max"]
        version = (last or 0) + 1
    changed = sorted(key for key in state if previous is None or previous.get(key) != state.get(key))
    user = actors.staff_or_none(actor)
    row = RegisterVersion.objects.create(
        object_type=object_type,
        object_id=str(instance.pk),
        object_code=str(getattr(instance, "code", "") or ""),
        version=version,
        changed_by=user,
        changed_by_username=actors.username(actor),
        reason=reason[:500],
        changed_fields=changed,
        previous_state=previous,
        state=state,
    )
    audit.record(
        action=audit.Action.CREATE if previous is None else audit.Action.CHANGE,
        actor=actor,
        obj=instance,
        fields=changed,
        reason=f"register v{version}",
    )
    return row


def _resolve(model: type[models.Model], items: Iterable[Any]) -> list[models.Model]:
    items = list(items)
    codes = [item for item in items if isinstance(item, str)]
    found = {obj.code: obj for obj in model.objects.filter(code__in=codes)}
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise ValidationError(
            _("Unknown %(model)s code(s): %(codes)s") % {"model": model._meta.verbose_name, "codes": ", ".join(unknown)}
        )
    return [found[item] if isinstance(item, str) else item for item in items]


def _apply_links(activity: ProcessingActivity, changes: Mapping[str, Any]) -> None:
    for name, model in ACTIVITY_M2M.items():
        if name in changes:
            getattr(activity, name).set(_resolve(model, changes[name]))
    if "data_categories" in changes:
        rows = list(changes["data_categories"])
        categories = _resolve(DataCategory, [row["category"] for row in rows])
        if len({category.pk for category in categories}) != len(categories):
            raise ValidationError(_("A data category is listed twice."))
        activity.data_category_links.all().delete()
        for category, row in zip(categories, rows, strict=True):
            link = ActivityDataCategory(activity=activity, category=category, retention=row.get("retention", ""))
            link.full_clean()
            link.save()
    if "purposes" in changes:
        _sync_purposes(activity, list(changes["purposes"]))


def _sync_purposes(activity: ProcessingActivity, rows: list[Mapping[str, Any]]) -> None:
    existing = {purpose.pk: purpose for purpose in activity.purposes.all()}
    kept = set()
    for position, row in enumerate(rows, start=1):
        purpose = existing.get(row.get("id")) if row.get("id") else None
        if purpose is None:
            purpose = Purpose(activity=activity)
        for name in PURPOSE_FIELDS:
            if name in row:
                setattr(purpose, name, row[name] or "")
        purpose.position = position
        purpose.full_clean()
        purpose.save()
        kept.add(purpose.pk)
    activity.purposes.exclude(pk__in=kept).delete()


def _check_validation(activity: ProcessingActivity) -> None:
    if activity.status == ProcessingActivity.Status.VALIDATED:
        missing = activity.missing_fields()
        if missing:
            raise ValidationError(
                _("The entry cannot be validated while Art. 30(1) fields are missing: %(fields)s.")
                % {"fields": "; ".join(missing)}
            )


VALIDATION_FIELDS = ("validated_by", "validated_by_name", "validated_at")


def _reopen(activity: ProcessingActivity) -> None:
    """A validated entry that changes goes back to the DPO: the validation covered the old content."""
    if activity.status == ProcessingActivity.Status.VALIDATED:
        activity.status = ProcessingActivity.Status.TO_REVIEW
    activity.validated_by, activity.validated_by_name, activity.validated_at = None, "", None


def _dpo_name(actor: AbstractBaseUser) -> str:
    return (actor.get_full_name() or actor.get_username()).strip()


@transaction.atomic
def activity_validate(*, activity: ProcessingActivity, actor: AbstractBaseUser) -> ProcessingActivity:
    """The DPO validates an entry (Art. 39(1)(b)): by whom and when, as a new version with its audit event.

    Only a person holding ``consents.validate_processingactivity`` (the DPO) validates, and only an
    entry with every Art. 30(1) field filled (R3.1.1). Any later change re-opens it (``activity_update``).
    """
    actors.require(
        actor,
        "consents.validate_processingactivity",
        _("Only the DPO validates register entries."),
        person=True,
    )
    activity = ProcessingActivity.objects.select_for_update().get(pk=activity.pk)
    if activity.status == ProcessingActivity.Status.RETIRED:
        raise ValidationError(_("A retired entry is not validated."))
    previous = activity_snapshot(activity)
    activity.status = ProcessingActivity.Status.VALIDATED
    _check_validation(activity)
    activity.validated_by = actors.staff_or_none(actor)
    activity.validated_by_name = _dpo_name(actor)
    activity.validated_at = timezone.now()
    activity.version += 1
    activity.save()
    state = activity_snapshot(activity)
    state["version"] = activity.version
    _record_version(
        instance=activity,
        previous=previous,
        state=state,
        actor=actor,
        reason=_("Validated by the DPO (%(name)s)") % {"name": activity.validated_by_name},
        version=activity.version,
    )
    return activity


def _activities_reopen_for(recipient: Recipient, *, actor: AbstractBaseUser | None) -> None:
    """A recipient's change (country, safeguard, contract) changes every validated entry using it."""
    for activity in recipient.activities.filter(status=ProcessingActivity.Status.VALIDATED):
        locked = ProcessingActivity.objects.select_for_update().get(pk=activity.pk)
        previous = activity_snapshot(locked)
        _reopen(locked)
        locked.version += 1
        locked.save()
        state = activity_snapshot(locked)
        state["version"] = locked.version
        _record_version(
            instance=locked,
            previous=previous,
            state=state,
            actor=actor,
            reason=_("Re-opened: recipient %(name)s changed") % {"name": recipient.name},
            version=locked.version,
        )


@transaction.atomic
def activity_create(
    *, code: str, name: str, actor: AbstractBaseUser | None, reason: str = "", **changes: Any
) -> ProcessingActivity:
    """Create a register entry with its purposes, categories and links; version 1."""
    unknown = set(changes) - set(ACTIVITY_SCALAR_FIELDS) - set(ACTIVITY_M2M) - {"data_categories", "purposes"}
    if unknown:
        raise ValidationError(_("Unknown register field(s): %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if changes.get("status") == ProcessingActivity.Status.VALIDATED:
        raise ValidationError(
            _("Create the entry as a draft; the DPO validates it once every Art. 30(1) field is filled.")
        )
    activity = ProcessingActivity(code=code, name=name)
    for field_name in ACTIVITY_SCALAR_FIELDS:
        if field_name in changes:
            setattr(activity, field_name, changes[field_name])
    activity.version = 1
    activity.full_clean()
    activity.save()
    _apply_links(activity, changes)
    _check_validation(activity)
    _record_version(
        instance=activity, previous=None, state=activity_snapshot(activity), actor=actor, reason=reason, version=1
    )
    return activity


@transaction.atomic
def activity_update(
    *, activity: ProcessingActivity, changes: Mapping[str, Any], actor: AbstractBaseUser | None, reason: str = ""
) -> ProcessingActivity:
    """Apply ``changes`` (fields, links by instance or code, data categories, purposes) as one new version.

    ``data_categories`` is a list of ``{"category", "retention"}``; ``purposes`` a list of
    ``{"id"?, "description", "legal_basis", ...}`` in order, rows missing from it are removed.
    """
    if "code" in changes:
        raise ValidationError(_("The code of a register entry never changes: sources and rules refer to it."))
    unknown = set(changes) - set(ACTIVITY_SCALAR_FIELDS) - set(ACTIVITY_M2M) - {"data_categories", "purposes"}
    if unknown:
        raise ValidationError(_("Unknown register field(s): %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    activity = ProcessingActivity.objects.select_for_update().get(pk=activity.pk)
    was_validated = activity.status == ProcessingActivity.Status.VALIDATED
    if changes.get("status") == ProcessingActivity.Status.VALIDATED and not was_validated:
        probe = ProcessingActivity.objects.get(pk=activity.pk)
        probe.status = ProcessingActivity.Status.VALIDATED
        _check_validation(probe)  # say what is missing first, then who validates
        raise ValidationError(_("Only the DPO's validation step validates an entry: it records who and when."))
    previous = activity_snapshot(activity)
    for field_name in ACTIVITY_SCALAR_FIELDS:
        if field_name in changes:
            setattr(activity, field_name, changes[field_name])
    activity.full_clean()
    activity.save()
    _apply_links(activity, changes)
    state = activity_snapshot(activity)
    if state == previous:
        return activity
    if was_validated:
        _reopen(activity)
        activity.save()
        state = activity_snapshot(activity)
    _check_validation(activity)
    activity.version += 1
    activity.save(update_fields=["version", "updated_at"])
    state["version"] = activity.version
    _record_version(
        instance=activity, previous=previous, state=state, actor=actor, reason=reason, version=activity.version
    )
    return activity


@transaction.atomic
def recipient_save(*, recipient: Recipient, actor: AbstractBaseUser | None, reason: str = "") -> Recipient:
    """Create or change a recipient (R5.5.1); the register entries using it see the new country/mechanism,
    and those the DPO had validated go back to review."""
    existed = recipient.pk is not None
    before = Recipient.objects.filter(pk=recipient.pk).first() if existed else None
    saved = _reference_save(instance=recipient, actor=actor, reason=reason)
    if before is not None and _fields_state(before) != _fields_state(saved):
        _activities_reopen_for(saved, actor=actor)
    return saved


@transaction.atomic
def reference_save(
    *,
    instance: DataCategory | SecurityMeasure | SubjectCategory | Controller,
    actor: AbstractBaseUser | None,
    reason: str = "",
) -> models.Model:
    """Create or change a data category, security measure, subject category or the controller details."""
    return _reference_save(instance=instance, actor=actor, reason=reason)


def _reference_save(*, instance: models.Model, actor: AbstractBaseUser | None, reason: str) -> models.Model:
    previous = None
    if instance.pk is not None:
        stored = type(instance).objects.filter(pk=instance.pk).first()
        previous = _fields_state(stored) if stored is not None else None
    instance.full_clean()
    instance.save()
    state = _fields_state(instance)
    if previous is not None and previous == state:
        return instance
    _record_version(instance=instance, previous=previous, state=state, actor=actor, reason=reason)
    return instance


def register_export_record(*, actor: AbstractBaseUser | None, fmt: str, activity_count: int) -> None:
    """Audit an export of the register (R5.1.1)."""
    audit.record(
        action=audit.Action.EXPORT,
        actor=actor,
        object_type=ProcessingActivity._meta.label_lower,
        fields=[fmt],
        reason=f"register export {fmt}, {activity_count} entries",
    )
