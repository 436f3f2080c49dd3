"""Post-mortem directives and recorded deaths (LIL arts 84-85, R1.15).

A directive is stored in versions: a change writes a new version and marks the old one
superseded, a revocation marks it revoked; nothing is overwritten, so the history is kept
(R1.15.2). Recording a death (R1.15.3) sets ``deceased_on``, suppresses all marketing at once
(the marketable selection excludes the deceased, and the identifiers go on the suppression list
for every channel), and applies the current directive: a death record names what it asks and
stays an open task until staff mark it done, which is the proof heirs may ask for (R1.15.5).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consents.models import ALL_CHANNELS, Suppression
from consents.services import suppression_add_for_subject
from ijinus_privacy import actors, audit
from subjects.models import DataSubject, DeathRecord, PostMortemDirective

from ..models import Request

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


DIRECTIVE_FIELDS = (
    "kind",
    "instruction",
    "trusted_third_party",
    "designated_person_name",
    "designated_person_email",
    "content_summary",
    "specific_consent",
)

OUTCOME_BY_INSTRUCTION = {
    PostMortemDirective.Instruction.COMMUNICATE: DeathRecord.Outcome.COMMUNICATE,
    PostMortemDirective.Instruction.ERASE: DeathRecord.Outcome.ERASE,
    PostMortemDirective.Instruction.KEEP: DeathRecord.Outcome.KEEP,
}


@transaction.atomic
def directive_register(
    *,
    subject: DataSubject,
    kind: str,
    instruction: str,
    content_summary: str,
    actor: User | None,
    request: Request | None = None,
    trusted_third_party: str = "",
    designated_person_name: str = "",
    designated_person_email: str = "",
    specific_consent: bool = False,
) -> PostMortemDirective:
    """Store a directive; it replaces the subject's current directive of the same kind."""
    current = (
        PostMortemDirective.objects.select_for_update().current().filter(subject=subject, kind=kind).order_by("-pk")
    )
    previous = current.first()
    directive = PostMortemDirective(
        subject=subject,
        request=request,
        kind=kind,
        instruction=instruction,
        content_summary=content_summary,
        trusted_third_party=trusted_third_party,
        designated_person_name=designated_person_name,
        designated_person_email=designated_person_email,
        specific_consent=specific_consent,
        version=previous.version + 1 if previous else 1,
        registered_by=actors.staff_or_none(actor),
    )
    directive.full_clean()
    if previous is not None:
        previous.superseded_at = timezone.now()
        previous.save(update_fields=["superseded_at"])
        audit.record(action=audit.Action.CHANGE, actor=actor, obj=previous, fields=["superseded_at"])
    directive.save()
    audit.record(action=audit.Action.CREATE, actor=actor, obj=directive, fields=DIRECTIVE_FIELDS, reason="LIL art. 85")
    return directive


@transaction.atomic
def directive_modify(
    *, directive: PostMortemDirective, changes: Mapping[str, Any], actor: User | None
) -> PostMortemDirective:
    """Write a new version with ``changes``; the old version stays, superseded (R1.15.2)."""
    unknown = sorted(set(changes) - set(DIRECTIVE_FIELDS))
    if unknown:
        raise ValidationError(_("Only the directive's own fields can change."))
    if directive.superseded_at or directive.revoked_at:
        raise ValidationError(_("Only the current version of a directive can be modified."))
    values = {name: getattr(directive, name) for name in DIRECTIVE_FIELDS}
    values.update(changes)
    return directive_register(subject=directive.subject, request=directive.request, actor=actor, **values)


@transaction.atomic
def directive_revoke(*, directive: PostMortemDirective, actor: User | None) -> PostMortemDirective:
    directive = PostMortemDirective.objects.select_for_update().get(pk=directive.pk)
    if directive.superseded_at or directive.revoked_at:
        raise ValidationError(_("Only the current version of a directive can be revoked."))
    directive.revoked_at = timezone.now()
    directive.save(update_fields=["revoked_at"])
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=directive, fields=["revoked_at"], reason="LIL art. 85")
    return directive


def current_directive(subject: DataSubject) -> PostMortemDirective | None:
    """The directive to apply: a particular one (about IJINUS processing) before a general one."""
    directives = list(PostMortemDirective.objects.current().filter(subject=subject))
    directives.sort(key=lambda d: (d.kind != PostMortemDirective.Kind.PARTICULAR, -d.pk))
    return directives[0] if directives else None


@transaction.atomic
def subject_record_death(*, subject: DataSubject, died_on: date, actor: User | None, evidence_type: str) -> DeathRecord:
    """Record a death with its evidence, stop all marketing at once and apply the directive (R1.15.3)."""

    subject = DataSubject.objects.select_for_update().get(pk=subject.pk)
    if subject.deceased_on is not None:
        raise ValidationError(_("This person's death is already recorded."))
    directive = current_directive(subject)
    record = DeathRecord(
        subject=subject,
        died_on=died_on,
        evidence_type=evidence_type,
        directive=directive,
        outcome=OUTCOME_BY_INSTRUCTION[directive.instruction] if directive else DeathRecord.Outcome.NO_DIRECTIVE,
        task_status=DeathRecord.TaskStatus.OPEN,
        recorded_by=actors.staff_or_none(actor),
    )
    record.full_clean()
    # A status, not a change of the person's data: it applies even under a restriction.
    DataSubject.objects.filter(pk=subject.pk).update(deceased_on=died_on, updated_at=timezone.now())
    subject.deceased_on = died_on
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=subject, fields=["deceased_on"], reason="LIL art. 85")
    suppression_add_for_subject(
        subject=subject, channels=[ALL_CHANNELS], reason=Suppression.Reason.DECEASED, actor=actor
    )
    record.save()
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=record,
        fields=["died_on", "evidence_type", "directive", "outcome"],
        reason="Death recorded; directive applied (LIL art. 85)",
    )
    return record


@transaction.atomic
def death_task_complete(*, record: DeathRecord, actor: User | None) -> DeathRecord:
    """Mark what the directive asked as done: the proof given to heirs on request (R1.15.5)."""
    record = DeathRecord.objects.select_for_update().get(pk=record.pk)
    if record.task_status == DeathRecord.TaskStatus.DONE:
        raise ValidationError(_("This task is already done."))
    record.task_status = DeathRecord.TaskStatus.DONE
    record.done_at = timezone.now()
    record.save(update_fields=["task_status", "done_at"])
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=record, fields=["task_status", "done_at"])
    return record
