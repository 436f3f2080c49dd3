"""Every write on subjects data: validated, saved and audited in one transaction.

Audit events carry field *names* only. Free text is screened for special-category data (§3.6,
R4.6) by the service that saves it; a hit opens a flag for the DPO, never a log line with the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ijinus_privacy import audit
from ijinus_privacy.identifiers import normalise_email

from ..admission import OwnAct, admission_record, subject_admission_check
from ..models import (
    AssumedInterest,
    Contract,
    DataSubject,
    Delivery,
    Invoice,
    MobileDevice,
    NavigationRecord,
    Order,
    Payment,
    PromotionParticipation,
    SensitiveDataFlag,
    SubjectRole,
    SupportTicket,
    ThirdPartyData,
)
from ..sensitive import detect_categories
from .restriction import assert_editable

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

# Free-text fields screened for Art. 9/10 data (R4.6.1).
SCREENED_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    DataSubject: ("notes",),
    SupportTicket: ("summary", "text"),
    ThirdPartyData: ("declaration",),
}

# Contacts that move the "last inbound contact" clock; an e-mail open never does (R4.2).
INBOUND_CONTACT_EVENTS = frozenset({"reply", "order", "call", "message", "click", "login"})

# Roles whose clock starts at the latest product delivery (R4.2 product_delivered_at).
DELIVERY_ROLES = (SubjectRole.Role.IJITRACK_USER, SubjectRole.Role.PURCHASER)

PURGE_PERMISSION = "subjects.purge_sensitivedata"


def _subject_id(instance: models.Model) -> int | None:
    return instance.pk if isinstance(instance, DataSubject) else getattr(instance, "subject_id", None)


def _changed_fields(instance: models.Model, fields: Mapping[str, Any]) -> list[str]:
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


# --- Screening -------------------------------------------------------------------------------


def screen_instance(instance: models.Model, *, field_names: Iterable[str] | None = None) -> list[SensitiveDataFlag]:
    """Open a flag per (field, category) found in the instance's free text; skip ones already open."""
    screened = SCREENED_FIELDS.get(type(instance), ())
    names = [name for name in (field_names or screened) if name in screened]
    subject_id = _subject_id(instance)
    label = instance._meta.label_lower
    flags = []
    for name in names:
        for category in detect_categories(getattr(instance, name)):
            flag, created = SensitiveDataFlag.objects.get_or_create(
                subject_id=subject_id,
                model=label,
                object_id=instance.pk,
                field_name=name,
                category=category,
                status=SensitiveDataFlag.Status.OPEN,
            )
            if created:
                flags.append(flag)
    return flags


def screen_all(*, batch_size: int = 2000) -> int:
    """Rescan every screened field of every row (keyset batches); return the number of new flags."""
    created = 0
    for model, names in SCREENED_FIELDS.items():
        non_blank = Q()
        for name in names:
            non_blank |= ~Q(**{name: ""})
        last_id = 0
        while True:
            batch = list(model._default_manager.filter(non_blank, pk__gt=last_id).order_by("pk")[:batch_size])
            if not batch:
                break
            with transaction.atomic():
                for instance in batch:
                    created += len(screen_instance(instance))
            last_id = batch[-1].pk
    return created


@transaction.atomic
def sensitive_purge(*, flag: SensitiveDataFlag, actor: User) -> SensitiveDataFlag:
    """Blank the flagged field at once and close its flags (R4.6.2); the audit names the field only."""
    if not actor.has_perm(PURGE_PERMISSION):
        raise PermissionDenied(_("Only the DPO purges sensitive data."))
    flag = SensitiveDataFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.status != SensitiveDataFlag.Status.OPEN:
        raise ValidationError(_("This flag is already resolved."))
    from django.apps import apps

    model = apps.get_model(flag.model)
    if flag.field_name not in SCREENED_FIELDS.get(model, ()):
        raise ValidationError(_("This field is not a screened free-text field."))
    model._default_manager.filter(pk=flag.object_id).update(**{flag.field_name: ""})
    now = timezone.now()
    SensitiveDataFlag.objects.filter(
        model=flag.model, object_id=flag.object_id, field_name=flag.field_name, status=SensitiveDataFlag.Status.OPEN
    ).update(status=SensitiveDataFlag.Status.PURGED, resolved_at=now, resolved_by=actor)
    audit.record(
        action=audit.Action.CHANGE,
        actor=actor,
        object_type=flag.model,
        object_id=flag.object_id,
        subject_id=flag.subject_id,
        fields=[flag.field_name],
        reason="Sensitive data purged (Art. 9)",
    )
    flag.refresh_from_db()
    return flag


@transaction.atomic
def sensitive_dismiss(*, flag: SensitiveDataFlag, actor: User) -> SensitiveDataFlag:
    """Close a flag as a false positive (DPO only); the text stays."""
    if not actor.has_perm(PURGE_PERMISSION):
        raise PermissionDenied(_("Only the DPO reviews sensitive-data flags."))
    if flag.status != SensitiveDataFlag.Status.OPEN:
        raise ValidationError(_("This flag is already resolved."))
    flag.status = SensitiveDataFlag.Status.DISMISSED
    flag.resolved_at = timezone.now()
    flag.resolved_by = actor
    flag.save(update_fields=["status", "resolved_at", "resolved_by"])
    audit.record(
        action=audit.Action.CHANGE,
        actor=actor,
        obj=flag,
        fields=["status"],
        reason="Sensitive-data flag dismissed as a false positive",
    )
    return flag


# --- Generic save of any subjects record -----------------------------------------------------


@transaction.atomic
def record_save(
    *,
    instance: models.Model,
    actor: User | None,
    changed: Iterable[str] | None = None,
    own_act: OwnAct | None = None,
) -> models.Model:
    """Validate, save, screen and audit one record (subject, role or relationship data).

    ``changed`` lists the field names that changed (all concrete fields for a new record). A new
    person passes the admission gate (``subjects.admission``): erased or suppressed people are
    refused unless ``own_act`` is their own later request or consent (Art. 17, R1.10.7).
    """
    creating = instance._state.adding
    assert_editable(instance)  # restricted data: storage only (Art. 18, R1.11.3)
    admission = None
    if isinstance(instance, DataSubject):
        instance.email = normalise_email(instance.email)
        if creating:
            admission = subject_admission_check(email=instance.email, phone=instance.phone, own_act=own_act)
    instance.full_clean()
    instance.save()
    if admission is not None:
        admission_record(admission=admission, subject_id=instance.pk, actor=actor)
    names = (
        sorted(changed)
        if changed is not None
        else [f.name for f in instance._meta.concrete_fields if not f.primary_key and not f.auto_created]
    )
    audit.record(
        action=audit.Action.CREATE if creating else audit.Action.CHANGE, actor=actor, obj=instance, fields=names
    )
    screened = [name for name in names if name in SCREENED_FIELDS.get(type(instance), ())]
    if screened:
        screen_instance(instance, field_names=screened)
    if isinstance(instance, Delivery):
        _delivery_moves_clock(instance, actor=actor)
    return instance


def _delivery_moves_clock(delivery: Delivery, *, actor: User | None) -> None:
    roles = SubjectRole.objects.filter(subject_id=delivery.subject_id, role__in=DELIVERY_ROLES).filter(
        Q(product_delivered_on__isnull=True) | Q(product_delivered_on__lt=delivery.delivered_on)
    )
    for role in roles.select_for_update():
        role.product_delivered_on = delivery.delivered_on
        role.save(update_fields=["product_delivered_on"])
        audit.record(action=audit.Action.CHANGE, actor=actor, obj=role, fields=["product_delivered_on"])


# --- Subjects and roles ----------------------------------------------------------------------


@transaction.atomic
def record_delete(*, instance: models.Model, actor: User | None) -> None:
    """Delete one relationship record (a role, an order, a ticket...) with its audit event.

    A person is never deleted here: they are erased through a request (``requests_dsar.erasure``).
    Restricted data is kept for storage only (Art. 18, R1.11.3): its deletion is refused.
    """
    if isinstance(instance, DataSubject):
        raise ValidationError(_("A person is erased through an erasure request, not deleted."))
    assert_editable(instance)
    audit.record(action=audit.Action.DELETE, actor=actor, obj=instance)
    instance.delete()


@transaction.atomic
def subject_create(*, fields: Mapping[str, Any], actor: User | None, own_act: OwnAct | None = None) -> DataSubject:
    """Add a person through the admission gate; ``own_act`` is their own new request or consent, if any."""
    return record_save(instance=DataSubject(**fields), actor=actor, own_act=own_act)


@transaction.atomic
def subject_update(*, subject: DataSubject, fields: Mapping[str, Any], actor: User | None) -> DataSubject:
    if "email" in fields:
        fields = {**fields, "email": normalise_email(fields["email"])}
    changed = _changed_fields(subject, fields)
    if not changed:
        return subject
    return record_save(instance=subject, actor=actor, changed=changed)


@transaction.atomic
def subject_delete(*, subject_ids: Sequence[int], actor: User) -> int:
    """Delete subjects and everything hanging on them (DPO only; R1.10). Returns subjects deleted."""
    if not actor.has_perm("subjects.delete_datasubject"):
        raise PermissionDenied(_("Only the DPO deletes data subjects."))
    ids = list(DataSubject.objects.filter(id__in=list(subject_ids)).values_list("id", flat=True))
    for subject_id in ids:
        audit.record(
            action=audit.Action.DELETE,
            actor=actor,
            object_type="subjects.datasubject",
            object_id=subject_id,
            subject_id=subject_id,
        )
    _total, per_model = DataSubject.objects.filter(id__in=ids).delete()
    return per_model.get(DataSubject._meta.label, 0)


@transaction.atomic
def role_set(
    *,
    subject: DataSubject,
    role: str,
    collected_on: date,
    actor: User | None,
    last_inbound_contact_on: date | None = None,
    contract_end_on: date | None = None,
    unsubscribed_on: date | None = None,
    product_delivered_on: date | None = None,
) -> SubjectRole:
    """Give the subject a role, or update its dates. ``collected_on`` never changes once set (R4.2)."""
    dates = {
        "last_inbound_contact_on": last_inbound_contact_on,
        "contract_end_on": contract_end_on,
        "unsubscribed_on": unsubscribed_on,
        "product_delivered_on": product_delivered_on,
    }
    existing = SubjectRole.objects.select_for_update().filter(subject=subject, role=role).first()
    if existing is None:
        return record_save(
            instance=SubjectRole(subject=subject, role=role, collected_on=collected_on, **dates), actor=actor
        )
    changed = _changed_fields(existing, {key: value for key, value in dates.items() if value is not None})
    if not changed:
        return existing
    return record_save(instance=existing, actor=actor, changed=changed)


@transaction.atomic
def role_record_inbound_contact(
    *, subject: DataSubject, role: str, on: date, event: str, actor: User | None
) -> SubjectRole:
    """Move the last-inbound-contact clock; only contact coming from the person counts (R4.2)."""
    if event not in INBOUND_CONTACT_EVENTS:
        raise ValidationError(
            {"last_inbound_contact_on": _("Only a reply, order, call, message, click or login counts as contact.")}
        )
    role_obj = SubjectRole.objects.select_for_update().get(subject=subject, role=role)
    if role_obj.last_inbound_contact_on and role_obj.last_inbound_contact_on >= on:
        return role_obj
    role_obj.last_inbound_contact_on = on
    return record_save(instance=role_obj, actor=actor, changed=["last_inbound_contact_on"])


@transaction.atomic
def role_record_unsubscription(
    *, subject: DataSubject, role: str, on: date | None, actor: User | None, reason: str = ""
) -> SubjectRole | None:
    """Start (``on``) or stop (``None``, a new subscription) the unsubscription clock of a role (R4.2, R2.9.1).

    The role's retention rule counts from ``unsubscribed_on``. Recording the person's own
    unsubscription is not an edit Art. 18 forbids: it is the fact their instruction created, so a
    restriction does not block it (the restriction still suspends the sweep). No role, nothing to do.
    """
    role_obj = SubjectRole.objects.select_for_update().filter(subject=subject, role=role).first()
    if role_obj is None or role_obj.unsubscribed_on == on:
        return role_obj
    role_obj.unsubscribed_on = on
    role_obj.full_clean()
    role_obj.save(update_fields=["unsubscribed_on"])
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=role_obj, fields=["unsubscribed_on"], reason=reason)
    return role_obj


# --- Relationship and collected data ---------------------------------------------------------


def contract_create(*, subject: DataSubject, actor: User | None, **fields: Any) -> Contract:
    return record_save(instance=Contract(subject=subject, **fields), actor=actor)


def order_create(*, subject: DataSubject, actor: User | None, **fields: Any) -> Order:
    return record_save(instance=Order(subject=subject, **fields), actor=actor)


def delivery_record(*, subject: DataSubject, delivered_on: date, actor: User | None, **fields: Any) -> Delivery:
    return record_save(instance=Delivery(subject=subject, delivered_on=delivered_on, **fields), actor=actor)


def invoice_create(*, subject: DataSubject, actor: User | None, **fields: Any) -> Invoice:
    return record_save(instance=Invoice(subject=subject, **fields), actor=actor)


def payment_record(*, subject: DataSubject, actor: User | None, **fields: Any) -> Payment:
    return record_save(instance=Payment(subject=subject, **fields), actor=actor)


def promotion_record(*, subject: DataSubject, actor: User | None, **fields: Any) -> PromotionParticipation:
    return record_save(instance=PromotionParticipation(subject=subject, **fields), actor=actor)


def ticket_create(*, subject: DataSubject, actor: User | None, **fields: Any) -> SupportTicket:
    return record_save(instance=SupportTicket(subject=subject, **fields), actor=actor)


@transaction.atomic
def ticket_update(*, ticket: SupportTicket, fields: Mapping[str, Any], actor: User | None) -> SupportTicket:
    changed = _changed_fields(ticket, fields)
    return record_save(instance=ticket, actor=actor, changed=changed) if changed else ticket


def navigation_record(*, subject: DataSubject, actor: User | None, **fields: Any) -> NavigationRecord:
    return record_save(instance=NavigationRecord(subject=subject, **fields), actor=actor)


def device_register(*, subject: DataSubject, actor: User | None, **fields: Any) -> MobileDevice:
    return record_save(instance=MobileDevice(subject=subject, **fields), actor=actor)


def interest_set(
    *, subject: DataSubject, product_family: str, inferred_on: date, actor: User | None
) -> AssumedInterest:
    """Record an assumed interest; its review falls due a year later (policy §5)."""
    interest = AssumedInterest(
        subject=subject,
        product_family=product_family,
        inferred_on=inferred_on,
        review_due_on=inferred_on + timedelta(days=365),
    )
    return record_save(instance=interest, actor=actor)


def third_party_data_record(*, subject: DataSubject, actor: User | None, **fields: Any) -> ThirdPartyData:
    """Record data a third party gave us, with the acceptance it declared (§3.5)."""
    recorded_by = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return record_save(instance=ThirdPartyData(subject=subject, recorded_by=recorded_by, **fields), actor=actor)
