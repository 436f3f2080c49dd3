"""The writes the API makes, composed from the apps' own services (issue 15).

Nothing here writes a row directly: a consent goes through ``consents.services`` (proof fields
validated by ``ConsentEvent.clean``), a new person through the admission gate
(``subjects.admission``: erasure tombstones, suppression list), a request through
``requests_dsar.services.request_log`` and ``identity_check_start``. Each function is one
transaction: a refusal leaves nothing half-written.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consents import services as consent_services
from consents.admission import own_act_of_consent
from consents.models import MARKETING_CHANNELS, Channel, ConsentEvent, Notice, Suppression
from ijinus_privacy import audit
from ijinus_privacy.identifiers import IdentifierKind
from requests_dsar import services as request_services
from requests_dsar.models import IdentityCheck, Request
from subjects import services as subject_services
from subjects.models import DataSubject, SubjectRole

from ..models import ApiClient, ApiRequestReference

# The role a consent to this channel makes the person hold (as the consent-proof import does).
CHANNEL_ROLES = {Channel.NEWSLETTER_EMAIL: SubjectRole.Role.NEWSLETTER}
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


@dataclass(frozen=True)
class ConsentOutcome:
    event: ConsentEvent | None
    recorded: bool
    subject_id: int | None
    suppressed: bool


@transaction.atomic
def api_consent_record(
    *,
    client: ApiClient,
    email: str,
    channel: str,
    action: str,
    collection_point: str,
    mechanism: str,
    entered_by: str = ConsentEvent.EnteredBy.SUBJECT,
    notice: Notice | None = None,
    first_names: str = "",
    last_name: str = "",
    language: str = "",
    collection_detail: str = "",
    interface_version: str = "",
    staff_reference: str = "",
    occurred_at: datetime | None = None,
    requested_at: datetime | None = None,
    confirmed_at: datetime | None = None,
    ip_address: str | None = None,
) -> ConsentOutcome:
    """Record a consent event (or a withdrawal) for the person with this e-mail; add them if new.

    A withdrawal for an e-mail nobody holds still suppresses it on the channel (Art. 21(3) GDPR): a
    later import does not bring the address in. A positive choice on a suppressed channel counts
    only when it is the person's own (entered by them, confirmed for a double opt-in), exactly as
    ``consents.services.consent_record`` lifts a suppression and the admission gate lets a person in.
    """
    actor = client.actor
    subject = DataSubject.objects.with_email(email).first()
    if action == ConsentEvent.Action.WITHDRAWN:
        if subject is None:
            if channel in MARKETING_CHANNELS:
                consent_services.suppression_add(
                    kind=IdentifierKind.EMAIL,
                    value=email,
                    channels=[channel],
                    reason=Suppression.Reason.WITHDRAWAL,
                    actor=actor,
                )
            return ConsentOutcome(
                event=None,
                recorded=False,
                subject_id=None,
                suppressed=consent_services.is_suppressed(channel=channel, email=email),
            )
        event, created = consent_services.consent_withdraw(
            subject=subject,
            channel=channel,
            collection_point=collection_point,
            mechanism=mechanism,
            entered_by=entered_by,
            language=language or None,
            collection_detail=collection_detail,
            staff_reference=staff_reference,
            actor=actor,
        )
        return ConsentOutcome(
            event=event if created else None,
            recorded=created,
            subject_id=subject.pk,
            suppressed=consent_services.is_suppressed(channel=channel, email=email),
        )
    proof = ConsentEvent(
        channel=channel,
        action=action,
        notice=notice,
        occurred_at=occurred_at or confirmed_at or timezone.now(),
        requested_at=requested_at,
        confirmed_at=confirmed_at,
        collection_point=collection_point,
        collection_detail=collection_detail,
        interface_version=interface_version,
        mechanism=mechanism,
        language=language,
        entered_by=entered_by,
        staff_reference=staff_reference,
        ip_address=ip_address or None,
    )
    if subject is None:
        fields = {"email": email, "first_names": first_names.strip(), "last_name": last_name.strip()}
        if language:
            fields["language"] = language
        subject = consent_services.subject_create_with_consent(fields=fields, consent=proof, actor=actor)
        event = consent_services.current_event(subject=subject, channel=channel)
    else:
        if (
            action in ConsentEvent.POSITIVE_ACTIONS
            and channel in MARKETING_CHANNELS
            and own_act_of_consent(proof) is None
            and consent_services.is_suppressed(channel=channel, email=subject.email, phone=subject.phone)
        ):
            raise ValidationError(
                {
                    "email": _(
                        "On the suppression list for this channel (withdrawal or objection): only the person's "
                        "own new consent lifts it (Art. 21(3) GDPR)."
                    )
                }
            )
        event = consent_services.consent_record(
            subject=subject,
            channel=channel,
            action=action,
            notice=notice,
            occurred_at=proof.occurred_at,
            requested_at=requested_at,
            confirmed_at=confirmed_at,
            collection_point=collection_point,
            collection_detail=collection_detail,
            interface_version=interface_version,
            mechanism=mechanism,
            language=language or subject.language,
            entered_by=entered_by,
            staff_reference=staff_reference,
            ip_address=ip_address or None,
            actor=actor,
        )
    role = CHANNEL_ROLES.get(channel)
    if role and action in ConsentEvent.POSITIVE_ACTIONS:
        subject_services.role_set(
            subject=subject, role=role, collected_on=timezone.localdate(event.occurred_at), actor=actor
        )
    return ConsentOutcome(
        event=event,
        recorded=True,
        subject_id=subject.pk,
        suppressed=consent_services.is_suppressed(channel=channel, email=subject.email),
    )


def _new_reference() -> str:
    groups = ["".join(secrets.choice(REFERENCE_ALPHABET) for _i in range(4)) for _g in range(4)]
    return "R-" + "-".join(groups)  # 80 random bits: not guessable, not enumerable


@dataclass(frozen=True)
class LoggedRequest:
    request: Request
    reference: str
    identity_check: IdentityCheck | None


@transaction.atomic
def api_request_log(
    *,
    client: ApiClient,
    received_on,
    channel: str,
    rights: list[str],
    details: str = "",
    identity: str = "",
    requester_name: str = "",
    requester_email: str = "",
    requester_phone: str = "",
    requester_address: str = "",
    language: str = "",
    representative_name: str = "",
    representative_authority: str = "",
    oral_summary: str = "",
) -> LoggedRequest:
    """Log a request (real receipt date and channel, Art. 12(3) GDPR), start its identity check if asked,
    and give it a public reference for the caller's "my request" page."""
    actor = client.actor
    request = request_services.request_log(
        received_on=received_on,
        channel=channel,
        rights=[request_services.RightAsked(right=right, details=details) for right in rights],
        requester_name=requester_name,
        requester_email=requester_email,
        requester_phone=requester_phone,
        requester_address=requester_address,
        language=language,
        representative_name=representative_name,
        representative_authority=representative_authority,
        oral_summary=oral_summary,
        actor=actor,
    )
    check = None
    if identity:
        reason = {
            IdentityCheck.Method.PLATFORM_SESSION: f"Received through the API ({client.name}) from a signed-in session",
            IdentityCheck.Method.EMAIL_LINK: f"Received through the API ({client.name}): confirm the address on file",
        }[identity]
        try:
            check = request_services.identity_check_start(
                request=request, method=identity, doubt_reason=reason, actor=actor
            ).check
        except ValidationError as error:
            raise ValidationError({"identity": error.messages}) from error
    reference = ApiRequestReference(reference=_new_reference(), request=request, client=client)
    reference.full_clean()
    reference.save()
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=reference,
        subject_id=request.subject_id,
        fields=["reference", "request", "client"],
    )
    request.refresh_from_db()
    if check is not None:
        check.refresh_from_db()
    return LoggedRequest(request=request, reference=reference.reference, identity_check=check)
