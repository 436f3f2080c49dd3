"""Art. 19: the disclosure log and one notification task per recipient (R1.12).

``notifications_create_for`` is the entry point for every change that recipients must hear
about: erasure calls it here, rectification and restriction call it from their own services.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from consents.models import Channel
from consents.services.information import consent_covers
from ijinus_privacy import actors, audit
from subjects.models import DataSubject
from subjects.services.restriction import Operation, is_restricted, restrictions_in_force

from .. import connected
from ..models import ChangeKind, DisclosureLog, RecipientNotification, Request

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

    from consents.models import Recipient


def disclosure_refusal(*, subject: DataSubject, recipient: Recipient, disclosed_on: date) -> str | None:
    """Why this disclosure may not be made (or logged as made) on ``disclosed_on``; ``None`` when it may.

    The admin's form asks it before saving, so staff read the reason beside the form.
    """
    restricted_since = [timezone.localdate(mark.started_at) for mark in restrictions_in_force(subject.pk)]
    if (
        restricted_since
        and disclosed_on >= min(restricted_since)
        and is_restricted(subject.pk, operation=Operation.EXPORT)
    ):
        return _(
            "This person's data is restricted (Art. 18 GDPR): only storage is allowed. Record an "
            "Art. 18(2) override for exporting or disclosing the data before sharing it with a recipient."
        )
    if recipient.kind == recipient.Kind.PARTNER:
        end_of_day = timezone.make_aware(datetime.combine(disclosed_on, time.max))
        if not consent_covers(subject=subject, channel=Channel.PARTNER_SHARING, at=end_of_day):
            return _(
                "A commercial partner receives data for its own purposes: that needs the person's prior "
                "consent to sharing with partners (Art. 6(1)(a) GDPR; CPCE L.34-5), and none was in force "
                "on that day."
            )
    return None


@transaction.atomic
def disclosure_record(
    *,
    subject: DataSubject,
    recipient: Recipient,
    categories: Iterable[str],
    purpose: str,
    actor: User | None,
    disclosed_on: date | None = None,
) -> DisclosureLog:
    """Log one disclosure of the subject's data to a recipient (R1.12.1; feeds Art. 15(1)(c)).

    While the person's data is restricted (Art. 18), sharing it is refused unless an Art. 18(2)
    override for disclosure is in force (R1.11.3); a disclosure made before the restriction began
    can still be logged. A commercial partner (a third-party controller) receives the data for its
    own purposes: that needs the person's consent to that purpose, in force on the day of the
    disclosure (R2.6.5, R5.5.2; CPCE L.34-5).
    """
    disclosed_on = disclosed_on or timezone.localdate()
    refusal = disclosure_refusal(subject=subject, recipient=recipient, disclosed_on=disclosed_on)
    if refusal:
        raise ValidationError(refusal, code="disclosure_refused")
    entry = DisclosureLog(
        subject=subject,
        recipient=recipient,
        categories=sorted(set(categories)),
        purpose=purpose.strip(),
        disclosed_on=disclosed_on,
        recorded_by=actors.staff_or_none(actor),
    )
    entry.full_clean()
    entry.save()
    audit.record(action=audit.Action.CREATE, actor=actor, obj=entry, fields=["recipient", "categories", "purpose"])
    return entry


# Kinds of recipient the register names that are told about a change (Art. 19).
NOTIFIED_KINDS = ("processor", "partner", "social_network")


def subject_recipients(subject: DataSubject) -> dict[int, dict]:
    """Every recipient of this person's data, from the one source the access export also reads
    (Art. 15(1)(c), Art. 19): the disclosure log, and the register's recipients of the processing
    that applies to this person (a client's orders go to the carriers even if no disclosure was logged).

    Returns ``{recipient_id: {"categories": [...], "last": date | None}}``; internal departments are left out.
    """
    from ..exports import content

    found: dict[int, dict] = {}
    for row in (
        DisclosureLog.objects.for_subject(subject.pk)
        .values("recipient_id")
        .annotate(last=Max("disclosed_on"))
        .order_by("recipient_id")
    ):
        found[row["recipient_id"]] = {"categories": set(), "last": row["last"]}
    for recipient_id, codes in DisclosureLog.objects.filter(subject_id=subject.pk).values_list(
        "recipient_id", "categories"
    ):
        found[recipient_id]["categories"].update(codes)
    collection = content.collect(subject, language=subject.language or "fr")
    with_data = collection.with_data()
    for activity in content.applicable_activities(collection):
        categories = {
            code
            for source in with_data
            if activity.code in source.source.register_entries
            for code in source.categories
        }
        for recipient in activity.recipients.all():
            if recipient.kind not in NOTIFIED_KINDS:
                continue  # IJINUS's own departments; authorities receive data only on a logged request (R1.12.5)
            found.setdefault(recipient.pk, {"categories": set(), "last": None})["categories"].update(categories)
    return {key: {**value, "categories": sorted(value["categories"])} for key, value in sorted(found.items())}


@transaction.atomic
def notifications_create_for(
    *, subject: DataSubject, change_kind: str, request: Request | None, actor: User | None
) -> list[RecipientNotification]:
    """One pending notification per recipient of the person's data (R1.12.2): those in the
    disclosure log and those the register names for the processing that applies to them.

    Idempotent per request: a recipient already notified for this request and change is skipped.
    ``last_disclosed_on``: the last logged disclosure; for a recipient known from the register
    only, no dated disclosure exists and the day of the notification stands in.
    """
    if change_kind not in ChangeKind.values:
        raise ValidationError(_("Unknown change for a recipient notification."))
    created: list[RecipientNotification] = []
    for recipient_id, found in subject_recipients(subject).items():
        if (
            request is not None
            and RecipientNotification.objects.filter(
                request=request, recipient_id=recipient_id, change_kind=change_kind
            ).exists()
        ):
            continue
        notification = RecipientNotification(
            request=request,
            subject_ref=subject.pk,
            recipient_id=recipient_id,
            change_kind=change_kind,
            categories=found["categories"],
            last_disclosed_on=found["last"] or timezone.localdate(),
        )
        notification.full_clean()
        notification.save()
        audit.record(
            action=audit.Action.CREATE,
            actor=actor,
            obj=notification,
            subject_id=subject.pk,
            fields=["recipient", "change_kind"],
        )
        # A recipient that is a connected system is told through its connector (Art. 19).
        connected.notification_carried(notification, actor)
        created.append(notification)
    return created


def _update(notification: RecipientNotification, *, actor: User | None, fields: list[str]) -> RecipientNotification:
    notification.closed_by_username = actors.username(actor)
    notification.full_clean()
    notification.save(update_fields=[*fields, "closed_by_username"])
    audit.record(
        action=audit.Action.CHANGE,
        actor=actor,
        obj=notification,
        subject_id=notification.subject_ref,
        fields=fields,
        reason=notification.status,
    )
    return notification


@transaction.atomic
def notification_mark_sent(*, notification: RecipientNotification, actor: User | None) -> RecipientNotification:
    notification = RecipientNotification.objects.select_for_update().get(pk=notification.pk)
    if notification.status != RecipientNotification.Status.PENDING:
        raise ValidationError(_("Only a notification still to send can be marked as sent."))
    notification.status, notification.sent_at = RecipientNotification.Status.SENT, timezone.now()
    return _update(notification, actor=actor, fields=["status", "sent_at"])


@transaction.atomic
def notification_mark_acknowledged(*, notification: RecipientNotification, actor: User | None) -> RecipientNotification:
    notification = RecipientNotification.objects.select_for_update().get(pk=notification.pk)
    if notification.status not in (RecipientNotification.Status.PENDING, RecipientNotification.Status.SENT):
        raise ValidationError(_("This notification is already closed."))
    now = timezone.now()
    notification.sent_at = notification.sent_at or now
    notification.status, notification.acknowledged_at = RecipientNotification.Status.ACKNOWLEDGED, now
    return _update(notification, actor=actor, fields=["status", "sent_at", "acknowledged_at"])


@transaction.atomic
def notification_mark_impossible(
    *, notification: RecipientNotification, justification: str, actor: User | None
) -> RecipientNotification:
    """Close as impossible or disproportionate effort (Art. 19): a justification is required."""
    notification = RecipientNotification.objects.select_for_update().get(pk=notification.pk)
    if notification.status != RecipientNotification.Status.PENDING:
        raise ValidationError(_("Only a notification still to send can be closed as impossible."))
    notification.status = RecipientNotification.Status.IMPOSSIBLE
    notification.justification = justification.strip()
    return _update(notification, actor=actor, fields=["status", "justification"])


def recipients_notified(*, subject_id: int, request: Request | None = None) -> list[dict]:
    """The recipients told about the subject's changes, for the subject (Art. 19, 2nd sentence; R1.12.3)."""
    notifications = RecipientNotification.objects.for_subject(subject_id).select_related("recipient")
    if request is not None:
        notifications = notifications.filter(request=request)
    from ..exports import wording

    return [
        {
            "recipient": notification.recipient.name,
            # The name and kind as the person reads them, per language (a category is worded; a company as named).
            "names": {lang: wording.recipient_name(notification.recipient.name, lang)[0] for lang in ("fr", "en")},
            "kinds": {lang: wording.recipient_kind(notification.recipient.kind, lang) for lang in ("fr", "en")},
            "kind": notification.recipient.get_kind_display(),
            "change": notification.get_change_kind_display(),
            "status": notification.get_status_display(),
            "categories": list(notification.categories),
        }
        for notification in notifications.order_by("recipient__name", "id")
    ]


def notify_recipients_of_change(
    sender, *, subject_id: int, change_kind: str, request_id: int | None, actor_id: int | None, **kwargs
) -> None:
    """Receiver of ``subjects.signals.subject_data_changed``: Art. 19 tasks for a rectification or
    restriction made in the subjects app, in the same transaction (R1.12.2)."""
    from django.contrib.auth import get_user_model

    subject = DataSubject.objects.get(pk=subject_id)
    request = Request.objects.filter(pk=request_id).first() if request_id else None
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    if change_kind in (connected.RECTIFICATION, connected.RESTRICTION):
        # The connected systems rectify or restrict their own copy (one task per system).
        connected.right_carried_out(change=change_kind, subject=subject, request=request, actor=actor)
    notifications_create_for(subject=subject, change_kind=change_kind, request=request, actor=actor)
