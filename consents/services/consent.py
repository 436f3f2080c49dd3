"""Writes on notices, consent events, marketing bases and the suppression list (R2, R1.13, R5.6).

Every function validates (``full_clean``), saves and records its audit event in one transaction.
Consent events are only ever added (R2.1.1); a withdrawal is a new event, never an edit, and it
takes effect from its own time on (R2.3.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit
from ijinus_privacy.dates import expiry_cutoff
from ijinus_privacy.identifiers import IdentifierKind, identifier_hash, subject_identifier_hashes
from subjects import services as subject_services
from subjects.models import DataSubject, SubjectRole

from ..admission import own_act_of_consent
from ..models import (
    COOKIE_CHANNELS,
    COOKIE_LIFETIME_MONTHS,
    MARKETING_CHANNELS,
    Channel,
    ConsentEvent,
    MarketingBasis,
    Notice,
    Suppression,
)
from . import information

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

EVENT_PROOF_FIELDS = [
    "channel",
    "action",
    "occurred_at",
    "requested_at",
    "confirmed_at",
    "notice",
    "collection_point",
    "collection_detail",
    "interface_version",
    "mechanism",
    "language",
    "entered_by",
    "staff_reference",
    "ip_address",
    "confirmation_ip_address",
    "tool_reference",
]


# The role whose retention clock starts at the unsubscription from this channel (seeded rule
# "newsletter", trigger ``unsubscription_or_contact``). The "website-subscriber" rule counts from
# the closing of the website account, not from a marketing channel: no channel maps to it.
UNSUBSCRIPTION_ROLES = {Channel.NEWSLETTER_EMAIL: SubjectRole.Role.NEWSLETTER}


def _unsubscription_clock(*, subject: DataSubject, channel: str, event: ConsentEvent, actor: User | None) -> None:
    """Start the role's retention clock on the day of the withdrawal; a new consent stops it (R4.2, R2.9.1)."""
    role = UNSUBSCRIPTION_ROLES.get(channel)
    if role is None:
        return
    subscribed = event.action in ConsentEvent.POSITIVE_ACTIONS
    subject_services.role_record_unsubscription(
        subject=subject,
        role=role,
        on=None if subscribed else timezone.localdate(event.occurred_at),
        actor=actor,
        reason="Subscription given again" if subscribed else "Unsubscription starts the retention clock",
    )


# --- Notices ---------------------------------------------------------------------------------


@transaction.atomic
def notice_create(
    *,
    kind: str,
    language: str,
    effective_on: date,
    title: str,
    text: str,
    actor: User | None,
    channel: str = "",
    checklist: Mapping[str, bool] | None = None,
) -> Notice:
    """Store a new version (numbered after the last one of the same kind, channel and language).

    A consent wording starts unchecked and cannot be used until the DPO confirms its required
    content (``information.consent_text_check``); ``checklist`` runs that check at once.
    """
    last = Notice.objects.filter(kind=kind, channel=channel, language=language).aggregate(last=Max("version"))
    notice = Notice(
        kind=kind,
        channel=channel,
        language=language,
        version=(last["last"] or 0) + 1,
        effective_on=effective_on,
        title=title,
        text=text,
        created_by=actors.staff_or_none(actor),
    )
    notice.full_clean(exclude=["sha256"])
    notice.save()
    audit.record(action=audit.Action.CREATE, actor=actor, obj=notice, fields=["text", "effective_on", "version"])
    information.consent_text_review_open(notice=notice)
    if checklist is not None and notice.kind == Notice.Kind.CONSENT_TEXT:
        information.consent_text_check(notice=notice, checklist=checklist, actor=actor)
    return notice


# --- Consent events ----------------------------------------------------------------------------


def current_event(*, subject: DataSubject, channel: str, at: datetime | None = None) -> ConsentEvent | None:
    return ConsentEvent.objects.filter(subject=subject, channel=channel).current(at=at).first()


def current_state(*, subject: DataSubject, at: datetime | None = None) -> dict[str, ConsentEvent]:
    """The latest event per channel for one subject: one query (``ConsentEventQuerySet.current``)."""
    events = ConsentEvent.objects.filter(subject=subject).current(at=at).select_related("notice")
    return {event.channel: event for event in events}


@transaction.atomic
def consent_record(
    *,
    channel: str,
    action: str,
    collection_point: str,
    mechanism: str,
    language: str,
    entered_by: str,
    actor: User | None,
    subject: DataSubject | None = None,
    visitor_id: str = "",
    notice: Notice | None = None,
    occurred_at: datetime | None = None,
    requested_at: datetime | None = None,
    confirmed_at: datetime | None = None,
    collection_detail: str = "",
    interface_version: str = "",
    staff_reference: str = "",
    ip_address: str | None = None,
    confirmation_ip_address: str | None = None,
    tool_reference: str = "",
) -> ConsentEvent:
    """Append one consent event with its proof (R2.1); refuse it when a proof field is missing (R2.2).

    A new consent given by the person lifts the suppression of that channel for their identifiers:
    they asked again, with a fresh proof. An import never does (``consents.imports`` refuses
    suppressed addresses instead).
    """
    if occurred_at is None:
        occurred_at = confirmed_at or timezone.now()
    if notice is not None and action in ConsentEvent.CHOICE_ACTIONS and not information.consent_text_usable(notice):
        raise ValidationError(
            {
                "notice": _(
                    "This consent wording has not been checked by the DPO yet (Art. 7, Art. 13): it cannot be used."
                )
            }
        )
    event = ConsentEvent(
        subject=subject,
        visitor_id=visitor_id,
        channel=channel,
        action=action,
        occurred_at=occurred_at,
        requested_at=requested_at,
        confirmed_at=confirmed_at,
        notice=notice,
        collection_point=collection_point,
        collection_detail=collection_detail,
        interface_version=interface_version,
        mechanism=mechanism,
        language=language,
        entered_by=entered_by,
        staff_member=actors.staff_or_none(actor) if entered_by == ConsentEvent.EnteredBy.STAFF else None,
        staff_reference=staff_reference,
        ip_address=ip_address or None,
        confirmation_ip_address=confirmation_ip_address or None,
        tool_reference=tool_reference,
    )
    event.full_clean()
    event.save()
    audit.record(action=audit.Action.CREATE, actor=actor, obj=event, fields=EVENT_PROOF_FIELDS)
    if subject is None or current_event(subject=subject, channel=channel) != event:
        return event
    information.reconsent_clear(event=event, actor=actor)
    if action == ConsentEvent.Action.GIVEN and _given_by_the_person(event):
        _suppression_lift(subject=subject, channel=channel, event=event, actor=actor)
        _unsubscription_clock(subject=subject, channel=channel, event=event, actor=actor)
    elif action == ConsentEvent.Action.WITHDRAWN:
        _unsubscription_clock(subject=subject, channel=channel, event=event, actor=actor)
    return event


def _given_by_the_person(event: ConsentEvent) -> bool:
    """Only the person's own consent lifts a suppression (R1.13.3): entered by them, and confirmed
    when the mechanism is a double opt-in (R2.1.3). Staff cannot lift it by entering a consent."""
    if event.entered_by != ConsentEvent.EnteredBy.SUBJECT:
        return False
    return event.mechanism != ConsentEvent.Mechanism.DOUBLE_OPT_IN or event.confirmed_at is not None


@transaction.atomic
def subject_create_with_consent(*, fields: Mapping[str, Any], consent: ConsentEvent, actor: User | None) -> DataSubject:
    """Add a person together with the consent they gave (``consent``: unsaved, with its proof).

    Their own consent, given after an erasure or a suppression, lets them in again through the
    admission gate (``consents.admission.own_act_of_consent``); one entered by staff does not.
    """
    subject = subject_services.subject_create(fields=fields, actor=actor, own_act=own_act_of_consent(consent))
    consent_record(
        subject=subject,
        channel=consent.channel,
        action=consent.action,
        collection_point=consent.collection_point,
        mechanism=consent.mechanism,
        language=consent.language or subject.language,
        entered_by=consent.entered_by,
        actor=actor,
        notice=consent.notice,
        occurred_at=consent.occurred_at,
        requested_at=consent.requested_at,
        confirmed_at=consent.confirmed_at,
        collection_detail=consent.collection_detail,
        interface_version=consent.interface_version,
        ip_address=consent.ip_address,
        confirmation_ip_address=consent.confirmation_ip_address,
        tool_reference=consent.tool_reference,
    )
    return subject


@transaction.atomic
def consent_withdraw(
    *,
    subject: DataSubject,
    channel: str,
    collection_point: str,
    mechanism: str,
    actor: User | None,
    entered_by: str = ConsentEvent.EnteredBy.SUBJECT,
    language: str | None = None,
    collection_detail: str = "",
    staff_reference: str = "",
    reason: str = Suppression.Reason.WITHDRAWAL,
) -> tuple[ConsentEvent | None, bool]:
    """Record a withdrawal (Art. 7(3)) or a marketing objection (Art. 21(3)); suppress the identifiers.

    Returns ``(event, True)`` when a withdrawal was recorded, ``(latest event, False)`` when the
    person had already withdrawn or refused (a reused unsubscribe link): nothing new is written
    then, except a missing suppression entry.
    """
    DataSubject.objects.select_for_update().filter(pk=subject.pk).first()  # one withdrawal at a time
    latest = current_event(subject=subject, channel=channel)
    if channel in MARKETING_CHANNELS:
        suppression_add_for_subject(subject=subject, channels=[channel], reason=reason, actor=actor)
    if latest is not None and latest.action in (ConsentEvent.Action.WITHDRAWN, ConsentEvent.Action.REFUSED):
        role = UNSUBSCRIPTION_ROLES.get(channel)
        if role and SubjectRole.objects.filter(subject=subject, role=role, unsubscribed_on__isnull=True).exists():
            _unsubscription_clock(subject=subject, channel=channel, event=latest, actor=actor)
        return latest, False
    event = consent_record(
        subject=subject,
        channel=channel,
        action=ConsentEvent.Action.WITHDRAWN,
        collection_point=collection_point,
        mechanism=mechanism,
        language=language or subject.language,
        entered_by=entered_by,
        staff_reference=staff_reference,
        collection_detail=collection_detail,
        actor=actor,
    )
    return event, True


@transaction.atomic
def marketing_objection_record(
    *, subject: DataSubject, actor: User | None, staff_reference: str, collection_point: str
) -> list[ConsentEvent]:
    """Objection to all direct marketing (Art. 21(2)-(3), R1.13.2): absolute, immediate, every channel."""
    events = []
    for channel in MARKETING_CHANNELS:
        event, created = consent_withdraw(
            subject=subject,
            channel=channel,
            collection_point=collection_point,
            mechanism=ConsentEvent.Mechanism.ORAL,
            entered_by=ConsentEvent.EnteredBy.STAFF,
            staff_reference=staff_reference,
            reason=Suppression.Reason.OBJECTION,
            actor=actor,
        )
        if created:
            events.append(event)
    return events


# --- Cookies (R2.5) ----------------------------------------------------------------------------


@transaction.atomic
def cookie_consents_expire(*, now: datetime | None = None) -> int:
    """Record an ``expired`` event for each cookie consent older than 13 months (R2.5.2).

    Idempotent: once expired, the latest event is no longer a consent, so a re-run finds nothing.
    The expiry takes effect at the 13-month mark, not at the time the task happens to run. The mark
    is the same day 13 months on, or that month's last day (a consent of 31 January 2026 ends on
    28 February 2027, and one of 29 January too): "now - 13 months" would miss those at month ends.
    """
    now = now or timezone.now()
    lifetime = relativedelta(months=COOKIE_LIFETIME_MONTHS)
    # Every consent whose mark falls on or before today's date, then the exact moment per row.
    # (In UTC, as the database returns ``occurred_at`` and as the expiry event is dated.)
    latest_day = expiry_cutoff(now.astimezone(UTC).date(), COOKIE_LIFETIME_MONTHS)
    due = (
        ConsentEvent.objects.filter(channel__in=COOKIE_CHANNELS)
        .current(at=now)
        .filter(
            action__in=ConsentEvent.POSITIVE_ACTIONS,
            occurred_at__lt=datetime.combine(latest_day + timedelta(days=1), time.min, tzinfo=UTC),
        )
        .order_by("pk")
    )
    count = 0
    for given in due.iterator(chunk_size=1000):
        if given.occurred_at + lifetime > now:
            continue
        expired = ConsentEvent(
            subject_id=given.subject_id,
            visitor_id=given.visitor_id,
            channel=given.channel,
            action=ConsentEvent.Action.EXPIRED,
            occurred_at=given.occurred_at + lifetime,
            collection_point=ConsentEvent.CollectionPoint.SYSTEM,
            collection_detail=_("Cookie consent lifetime of 13 months reached (CNIL 2020-092)."),
            mechanism=ConsentEvent.Mechanism.AUTOMATIC,
            language=given.language,
            entered_by=ConsentEvent.EnteredBy.SYSTEM,
        )
        expired.full_clean()
        expired.save()
        audit.record(
            action=audit.Action.CREATE,
            actor=actors.system("cookie-expiry"),
            obj=expired,
            fields=["action"],
            reason="Cookie consent lifetime of 13 months reached (CNIL 2020-092)",
        )
        count += 1
    return count


# --- Marketing bases (R2.6) ---------------------------------------------------------------------


@transaction.atomic
def marketing_basis_record(
    *,
    subject: DataSubject,
    channel: str,
    basis: str,
    informed_on: date,
    opt_out_offered: bool,
    actor: User | None,
    contract=None,
    job_function: str = "",
) -> MarketingBasis:
    record = MarketingBasis(
        subject=subject,
        channel=channel,
        basis=basis,
        contract=contract,
        informed_on=informed_on,
        opt_out_offered=opt_out_offered,
        job_function=job_function,
        recorded_by=actors.staff_or_none(actor),
    )
    record.full_clean()
    record.save()
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=record,
        fields=["channel", "basis", "contract", "product_family", "opt_out_offered", "informed_on", "job_function"],
    )
    return record


# --- Suppression list (R1.13.3) ----------------------------------------------------------------


def suppressed_hashes(*, channel: str, hashes: Iterable[str]) -> set[str]:
    return set(
        Suppression.objects.for_channel(channel).matching(list(hashes)).values_list("identifier_hash", flat=True)
    )


def is_suppressed(*, channel: str, email: str = "", phone: str = "") -> bool:
    return bool(suppressed_hashes(channel=channel, hashes=subject_identifier_hashes(email=email, phone=phone).values()))


@transaction.atomic
def suppression_add(
    *, kind: IdentifierKind | str, value: str, channels: Iterable[str], reason: str, actor: User | None
) -> list[Suppression]:
    """Suppress an e-mail or phone on channels (or ``ALL_CHANNELS``); only its keyed hash is kept."""
    digest = identifier_hash(kind, value)
    if not digest:
        raise ValidationError(_("There is no e-mail or phone to suppress."))
    added = []
    for channel in channels:
        entry, created = Suppression.objects.get_or_create(
            identifier_hash=digest,
            channel=channel,
            defaults={"identifier_kind": IdentifierKind(kind).value, "reason": reason},
        )
        if created:
            audit.record(action=audit.Action.CREATE, actor=actor, obj=entry, fields=["identifier_hash", "channel"])
            added.append(entry)
    return added


@transaction.atomic
def suppression_add_for_subject(
    *, subject: DataSubject, channels: Iterable[str], reason: str, actor: User | None
) -> list[Suppression]:
    """Suppress every identifier the subject has (e-mail and phone) on these channels."""
    channels = list(channels)
    added: list[Suppression] = []
    for kind, value in ((IdentifierKind.EMAIL, subject.email), (IdentifierKind.PHONE, subject.phone)):
        if value:
            added += suppression_add(kind=kind, value=value, channels=channels, reason=reason, actor=actor)
    return added


def _suppression_lift(*, subject: DataSubject, channel: str, event: ConsentEvent, actor: User | None) -> int:
    """Lift the channel's suppression after the person's own new consent (see ``_given_by_the_person``).

    Conservative by design: an all-channel entry and a death are never lifted here; an Art. 21(3)
    objection only by a consent the person gave after they objected (a backdated consent does not
    undo a later objection).
    """
    hashes = list(subject_identifier_hashes(email=subject.email, phone=subject.phone).values())
    entries = [
        entry
        for entry in Suppression.objects.filter(channel=channel, identifier_hash__in=hashes).exclude(
            reason=Suppression.Reason.DECEASED
        )
        if entry.reason != Suppression.Reason.OBJECTION or entry.created_at < event.occurred_at
    ]
    for entry in entries:
        audit.record(
            action=audit.Action.DELETE,
            actor=actor,
            obj=entry,
            subject_id=subject.pk,
            reason="Suppression lifted by a new consent given by the person",
        )
        entry.delete()
    return len(entries)
