"""Erasure (Art. 17; R1.10): the code that erases a person on the DPO's decision.

Read this before changing anything below.

* **Plan first.** ``erasure_plan`` (plan.py) lists, per personal-data source, what happens:
  delete, anonymise (the request file, kept for accountability) or keep in the intermediate archive
  under an Art. 17(3) exception, with its end date. The DPO sees it on the request before approving.
* **Refusals.** A legal hold in force refuses the erasure (R4.5.1): the DPO lifts it or refuses the
  right under Art. 17(3)(e). Only a holder of ``requests_dsar.decide_request`` (the DPO) executes.
* **One transaction per subject.** The subject row is locked; kept records are copied to
  ``ErasureKeep``; Art. 19 notifications are created from the disclosure log; a suppression entry
  is left when the erasure follows an objection or an unsubscription (R1.10.5); a tombstone of
  keyed hashes is written (R1.10.7); then every source disposes of the person through the one
  deletion path shared with retention (``subjects.disposal.dispose_subjects``), the request is
  decided (completed) and the report letter is written last. Any failure rolls everything back:
  the subject is untouched and nothing was sent.
* **No personal value survives in the active tables**: the request file's requester fields are
  blanked by its source, the erasure record and the audit events hold ids and counts, the report
  letter names no one. The report is e-mailed to the address the person had, read before disposal.
* **Re-apply after a restore** (``erasures_reapply``): subjects whose e-mail or phone hash matches a
  tombstone are erased again through the same path; a dry run unless ``commit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consents.models import ALL_CHANNELS, ConsentEvent, Suppression
from consents.services import suppression_add_for_subject
from ijinus_privacy import actors, audit
from ijinus_privacy.identifiers import IdentifierKind, identifier_hash
from ijinus_privacy.personal_data import Disposal, registry
from retention.models import held_subject_exists
from retention.services import archive_access_reason
from subjects.disposal import dispose_subjects
from subjects.models import DataSubject

from .. import connected
from ..models import (
    ChangeKind,
    ErasureGround,
    ErasureKeep,
    ErasureRecord,
    ErasureTombstone,
    Letter,
    Request,
    RequestEvent,
    Right,
    State,
)
from ..services.timeline import record_event
from .notifications import notifications_create_for, recipients_notified
from .plan import KEEP_EXCEPTIONS, ErasurePlan, erasure_plan

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User

DECIDE_PERMISSION = "requests_dsar.decide_request"
OBJECTION_RIGHTS = frozenset({Right.OBJECTION, Right.OBJECTION_MARKETING})


def hold_refusal_message(plan: ErasurePlan) -> str:
    return _(
        "Erasure refused: %(n)s legal hold(s) in force on this person. Lift the hold, or refuse "
        "the erasure under Art. 17(3)(e) (legal claims)."
    ) % {"n": len(plan.holds)}


def _suppression_reason(request: Request, subject: DataSubject) -> str:
    """Objection or unsubscription before the erasure: the person must not be re-imported (R1.10.5)."""
    rights = set(request.items.values_list("right", flat=True))
    if rights & OBJECTION_RIGHTS:
        return Suppression.Reason.OBJECTION
    unsubscribed = subject.roles.filter(unsubscribed_on__isnull=False).exists()
    withdrawn = ConsentEvent.objects.filter(subject=subject, action=ConsentEvent.Action.WITHDRAWN).exists()
    if Right.CONSENT_WITHDRAWAL in rights or unsubscribed or withdrawn:
        return Suppression.Reason.WITHDRAWAL
    return ""


@dataclass(frozen=True)
class ErasureResult:
    record: ErasureRecord
    letter: Letter


@transaction.atomic
def erasure_execute(*, request: Request, ground: str, justification: str, actor: User) -> ErasureResult:
    """Erase the request's subject on the DPO's decision, in one transaction (R1.10.3-R1.10.7)."""
    actors.require(actor, DECIDE_PERMISSION, _("Only the DPO approves and executes an erasure."), person=True)
    request = Request.objects.select_for_update().get(pk=request.pk)
    if ground not in ErasureGround.values:
        raise ValidationError(_("Record the Art. 17(1) ground relied on."))
    if not justification.strip():
        raise ValidationError(_("Write the reasons for the decision: the burden of proof is on IJINUS (Art. 12(5))."))
    if not request.items.filter(right=Right.ERASURE).exists():
        raise ValidationError(_("This request does not ask for erasure."))
    if request.subject_id is None:
        raise ValidationError(_("Link the request to the data subject before erasing."))
    if request.state not in (State.IN_PROGRESS, State.AWAITING_DECISION):
        raise ValidationError(_("Only a request in progress or awaiting the DPO's decision can be erased."))
    subject = DataSubject.objects.select_for_update().get(pk=request.subject_id)
    plan = erasure_plan(subject_id=subject.pk)
    if plan.blocked:
        raise ValidationError(hold_refusal_message(plan))
    contact_email = request.contact_email
    language = request.language
    record = ErasureRecord(
        request=request,
        subject_ref=subject.pk,
        ground=ground,
        approved_by=actor,
        approved_by_username=actors.username(actor),
        counts=plan.counts(),
        kept=plan.kept_summary(),
    )
    record.full_clean()
    record.save()
    ErasureKeep.objects.bulk_create(
        [
            ErasureKeep(
                erasure=record,
                subject_ref=subject.pk,
                source=kept.source,
                record_type=kept.record_type,
                record_ref=kept.record_ref,
                ground=kept.ground,
                reason=kept.reason[:300],
                keep_until=kept.keep_until,
                payload=kept.payload,
            )
            for kept in plan.kept_records
        ]
    )
    # The connected systems queue their own erasure while the person's identifiers are still here.
    connected.right_carried_out(change=connected.ERASURE, subject=subject, request=request, actor=actor)
    notifications = notifications_create_for(
        subject=subject, change_kind=ChangeKind.ERASURE, request=request, actor=actor
    )
    reason = _suppression_reason(request, subject)
    if reason:
        suppression_add_for_subject(subject=subject, channels=[ALL_CHANNELS], reason=reason, actor=actor)
    ErasureTombstone.objects.create(
        erasure=record,
        email_hash=identifier_hash(IdentifierKind.EMAIL, subject.email),
        phone_hash=identifier_hash(IdentifierKind.PHONE, subject.phone),
        erased_on=timezone.localdate(),
    )
    record.suppression_added = bool(reason)
    record.notifications = len(notifications)
    record.save(update_fields=["suppression_added", "notifications"])
    disposed = dispose_subjects([subject.pk], Disposal.DELETE)
    audit.record(
        action=audit.Action.DELETE,
        actor=actor,
        object_type="subjects.datasubject",
        object_id=subject.pk,
        subject_id=subject.pk,
        fields=sorted(plan.counts()),
        reason=f"erasure {record.pk}: " + ", ".join(f"{key} {value}" for key, value in sorted(disposed.items())),
    )
    if plan.kept_records:
        audit.record(
            action=audit.Action.CREATE,
            actor=actor,
            object_type="requests_dsar.erasurekeep",
            object_id=record.pk,
            subject_id=subject.pk,
            fields=sorted({kept.record_type for kept in plan.kept_records}),
            reason=f"kept {len(plan.kept_records)}",
        )
    from ..services import request_decide, request_transition

    if request.state == State.IN_PROGRESS:
        request_transition(request=request, to_state=State.AWAITING_DECISION, reason=_("Erasure plan"), actor=actor)
    pending_elsewhere = connected.completion_pending(request, set(request.items.values_list("right", flat=True)))
    if pending_elsewhere:
        # Erased here; the connected systems confirm later. The request stays open until every one
        # confirmed or the DPO waived it, then the DPO decides (request_decide).
        record_event(
            request=request,
            kind=RequestEvent.Kind.WARNING,
            actor=actor,
            reason=_("Erased here; waiting for the connected systems before the request can be completed."),
        )
    else:
        request_decide(request=request, justification=justification, actor=actor, send_refusal_letter=False)
    request.refresh_from_db()
    from ..letters import letter_send

    letter = letter_send(
        request=request,
        kind=Letter.Kind.ERASURE_REPORT,
        actor=actor,
        language=language,
        recipient=contact_email,
        extra_context=report_context(record),
    )
    return ErasureResult(record=record, letter=letter)


def report_context(record: ErasureRecord) -> dict:
    """What the report letter says (R1.10.3, R1.12.3): erased, kept (why, until), recipients told."""
    reasons = {str(exception.ground): exception.reason for exception in KEEP_EXCEPTIONS}
    labels = {source.name: source.label for source in registry}
    return {
        "requester_name": "",
        "erasure": record,
        "erased": [(labels.get(name, name), rows) for name, rows in sorted(record.counts.items()) if rows],
        "kept": [
            {
                **item,
                "reason": reasons.get(item["ground"], item["reason"]),
                "until": date.fromisoformat(item["until"]) if item["until"] else None,
            }
            for item in record.kept
        ],
        "recipients": recipients_notified(subject_id=record.subject_ref, request=record.request),
    }


@transaction.atomic
def kept_record_consult(*, kept: ErasureKeep, reason: str, reference: str, actor: User) -> ErasureKeep:
    """Open a record kept after an erasure: it is archive, so Archivist only, with a reason, audited (R4.4.2)."""
    if not actor.has_perm("requests_dsar.view_erasurekeep"):
        raise PermissionDenied(_("Only the Archivist role consults the intermediate archive."))
    audit.record(
        action=audit.Action.ARCHIVE_ACCESS,
        actor=actor,
        obj=kept,
        subject_id=kept.subject_ref,
        fields=["payload"],
        reason=archive_access_reason(reason=reason, reference=reference),
    )
    return kept


@transaction.atomic
def erasure_keeps_purge(*, today: date | None = None) -> int:
    """Delete archived records whose period has ended (end of the intermediate archive, R4.4.1)."""
    today = today or timezone.localdate()
    due = ErasureKeep.objects.due(today)
    count = due._raw_delete(due.db)
    if count:
        audit.record(
            actor=actors.system("erasure-keeps-purge"),
            action=audit.Action.DELETE,
            object_type="requests_dsar.erasurekeep",
            fields=["payload"],
            reason=f"kept records ended: {count}",
        )
    return count


@dataclass(frozen=True)
class Reappearance:
    subject_id: int
    tombstone_id: int
    held: bool


def reappeared_subjects() -> list[Reappearance]:
    """Subjects whose e-mail or phone matches an erasure tombstone (after a backup restore).

    A person admitted again on their own new request or consent (``subjects.admission``) is the
    tombstone's ``readmitted_subject_ref`` and is not a reappearance.
    """
    tombstones: dict[str, list[tuple[int, int | None]]] = {}
    rows = ErasureTombstone.objects.values_list("pk", "email_hash", "phone_hash", "readmitted_subject_ref")
    for pk, email_hash, phone_hash, readmitted in rows:
        for digest in (email_hash, phone_hash):
            if digest:
                tombstones.setdefault(digest, []).append((pk, readmitted))
    if not tombstones:
        return []
    found: list[Reappearance] = []
    subjects = (
        DataSubject.objects.exclude(email="", phone="")
        .annotate(held=held_subject_exists())
        .values_list("pk", "email", "phone", "held")
        .order_by("pk")
    )
    for pk, email, phone, held in subjects.iterator(chunk_size=2000):
        digests = (identifier_hash(IdentifierKind.EMAIL, email), identifier_hash(IdentifierKind.PHONE, phone))
        matching = [tombstone for digest in digests if digest for tombstone in tombstones.get(digest, [])]
        if any(readmitted == pk for _tombstone, readmitted in matching):
            continue
        if matching:
            found.append(Reappearance(subject_id=pk, tombstone_id=matching[0][0], held=bool(held)))
    return found


def erasures_reapply(*, commit: bool = False) -> list[Reappearance]:
    """Erase again the subjects a restore brought back (R1.10.7); held ones are left for the DPO.

    One transaction per subject, through the same deletion path as erasure. Kept records are
    already in the archive (``ErasureKeep``), so the restored active copies simply go. A held one
    marks its tombstone (``held_found_at``) so the DPO's dashboard shows it.
    """
    found = reappeared_subjects()
    if not commit:
        return found
    for match in found:
        if match.held:
            ErasureTombstone.objects.filter(pk=match.tombstone_id, held_found_at__isnull=True).update(
                held_found_at=timezone.now()
            )
            continue
        with transaction.atomic():
            disposed = dispose_subjects([match.subject_id], Disposal.DELETE)
            tombstone = ErasureTombstone.objects.select_for_update().get(pk=match.tombstone_id)
            tombstone.reapplied += 1
            tombstone.last_reapplied_at = timezone.now()
            tombstone.held_found_at = None
            tombstone.save(update_fields=["reapplied", "last_reapplied_at", "held_found_at"])
            audit.record(
                actor=actors.system("reapply-erasures"),
                action=audit.Action.DELETE,
                object_type="subjects.datasubject",
                object_id=match.subject_id,
                subject_id=match.subject_id,
                fields=["identity"],
                reason=f"erasure re-applied (tombstone {tombstone.pk}): "
                + ", ".join(f"{key} {value}" for key, value in sorted(disposed.items())),
            )
    return found


def erasures_reapply_scheduled() -> list[Reappearance]:
    """The daily beat run (R1.10.7): re-erase as ``reapply_erasures --commit`` does, then alert the DPO.

    The alert holds counts and ids only (``reapply_alert_send``); nothing is sent when no one came back.
    """
    from ..notifications import reapply_alert_send

    found = erasures_reapply(commit=True)
    if found:
        reapply_alert_send(found=found)
    return found


@transaction.atomic
def erasure_by_operator(*, subject: DataSubject, ground: str, actor: User) -> ErasureResult:
    """``dsar_erase --commit``: log an erasure request for the subject and execute it as the DPO.

    The request is logged, taken in hand and decided in the same transaction as the erasure, so a
    refusal (legal hold, permission) leaves no half-handled request behind.
    """
    from ijinus_privacy.choices import ContactChannel

    from ..services import RightAsked, request_log, request_transition

    actors.require(actor, DECIDE_PERMISSION, _("Only the DPO approves and executes an erasure."), person=True)
    request = request_log(
        received_on=timezone.localdate(),
        channel=ContactChannel.EMAIL,
        rights=[RightAsked(right=Right.ERASURE)],
        subject=subject,
        actor=actor,
    )
    request_transition(request=request, to_state=State.IN_PROGRESS, reason=_("Erasure by the DPO"), actor=actor)
    return erasure_execute(
        request=request,
        ground=ground,
        justification=_("Erasure executed by the DPO from the command line (dsar_erase)."),
        actor=actor,
    )
