"""Information and re-consent duties: consent wording check, re-consent flags, policy-change notices, Art. 14.

* A consent wording is usable only once the DPO confirmed each required element and the text
  passes the structural checks (names the controller, mentions withdrawal in French or English):
  ``consent_text_check`` (EDPB Guidelines 05/2020 §3.3.1; Art. 7(3), Art. 13(2)(c)).
* A substantive register change (new purpose, new recipients, new transfers) flags every person
  whose current consent to a dependent purpose predates it, in one ``INSERT ... SELECT``
  (``reconsent_flag``); so does a purpose's refresh interval (``reconsent_flag_refresh_due``).
  A flagged consent does not cover the purpose (``consent_covers``, ``consents.selectors``) until
  the person answers again (``reconsent_clear``, called by ``consent_record``).
* A substantive new privacy-policy version starts a campaign: one outbox e-mail per person
  concerned, queued in batches by a task, recorded per person (``policy_notification_*``).
* Data not obtained from the person carry their source and an Art. 14(3) due date; the DPO
  records when and how the person was told (``indirect_collection_*``).

Every write records its audit event in the same transaction. Bulk flags record one event per
cause (with the count), as the imports do for a batch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ijinus_privacy import actors, audit, conditions
from ijinus_privacy.dates import add_months, expiry_cutoff
from ijinus_privacy.models import OutboxMessage
from ijinus_privacy.outbox import outbox_enqueue
from subjects.models import DataSubject

from ..models import (
    ConsentEvent,
    ConsentPurposeSetting,
    ConsentTextReview,
    Controller,
    IndirectCollection,
    Notice,
    PolicyNotification,
    PolicyNotificationCampaign,
    ProcessingActivity,
    ReconsentCause,
    ReconsentFlag,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser as User


# --- Consent wording check -----------------------------------------------------------------------

# The right to withdraw, as a wording says it in French or English (Art. 7(3)).
WITHDRAWAL_WORDS = re.compile(
    r"retir|d[ée]sinscri|d[ée]sabonn|r[ée]voqu|opposer|withdraw|unsubscrib|opt[- ]?out|revok",
    re.IGNORECASE,
)

# A wording that makes a service depend on the consent (Art. 7(4): consent must be freely given):
# "obligatoire", "required to get your quote", "condition of access".
CONDITIONAL_WORDS = re.compile(
    r"\bobligatoire|\bindispensable|\brequis\b|\bconditionn|\bà condition\b|\bmandatory\b|\brequired\b"
    r"|\bcondition of\b|\bconditional on\b",
    re.IGNORECASE,
)

CHECKLIST_FIELDS = (
    "states_controller",
    "states_purpose",
    "states_data",
    "states_withdrawal",
    "transfers_relevant",
    "states_transfers",
    "automated_decisions_relevant",
    "states_automated_decisions",
)


def _element_labels() -> dict[str, str]:
    return {
        "states_controller": _("the controller's identity"),
        "states_purpose": _("the purpose"),
        "states_data": _("the data collected"),
        "states_withdrawal": _("the right to withdraw consent at any time"),
        "states_transfers": _("the transfers outside the EU/EEA and their risks"),
        "states_automated_decisions": _("the automated decisions"),
    }


def _register_transfers(channel: str) -> bool:
    """The register entry this purpose depends on sends data outside the EU/EEA (or may)."""
    setting = ConsentPurposeSetting.objects.select_related("activity").filter(channel=channel).first()
    activity = setting.activity if setting else None
    if activity is None:
        return False
    return activity.transfers_outside_eu == ProcessingActivity.Transfers.YES or bool(activity.transfer_recipients())


def consent_text_missing(*, notice: Notice, checklist: Mapping[str, bool]) -> list[str]:
    """What this wording still lacks, in words the DPO reads: an empty list means it may be used."""
    labels = _element_labels()
    missing: list[str] = []
    text = notice.text or ""
    controller = Controller.current()
    for element in ("states_controller", "states_purpose", "states_data", "states_withdrawal"):
        if not checklist.get(element):
            missing.append(_("%(element)s (not confirmed by the DPO)") % {"element": labels[element]})
    if controller is not None and checklist.get("states_controller"):
        name = controller.name.split()[0] if controller.name.split() else ""
        if name and name.lower() not in text.lower():
            missing.append(
                _("%(element)s (the text does not name %(name)s)")
                % {"element": labels["states_controller"], "name": name}
            )
    if checklist.get("states_withdrawal") and not WITHDRAWAL_WORDS.search(text):
        missing.append(
            _("%(element)s (the text never says withdraw, unsubscribe, retirer or se désinscrire)")
            % {"element": labels["states_withdrawal"]}
        )
    transfers = bool(checklist.get("transfers_relevant")) or _register_transfers(notice.channel)
    if transfers and not checklist.get("states_transfers"):
        missing.append(
            _("%(element)s (the register entry has recipients outside the EU/EEA, or not yet assessed)")
            % {"element": labels["states_transfers"]}
            if _register_transfers(notice.channel)
            else labels["states_transfers"]
        )
    if checklist.get("automated_decisions_relevant") and not checklist.get("states_automated_decisions"):
        missing.append(labels["states_automated_decisions"])
    conditional = CONDITIONAL_WORDS.search(text)
    if conditional:
        missing.append(
            _(
                "that no service depends on it: it must be freely given (Art. 7(4)), and the text says "
                "“%(words)s”: a quote, an order or access to the platform never needs a marketing consent"
            )
            % {"words": conditional.group(0)}
        )
    return missing


def consent_text_review_open(*, notice: Notice) -> ConsentTextReview | None:
    """A new consent wording starts unchecked: not usable until ``consent_text_check`` passes."""
    if notice.kind != Notice.Kind.CONSENT_TEXT:
        return None
    review = ConsentTextReview(notice=notice)
    review.save()
    return review


@transaction.atomic
def consent_text_check(*, notice: Notice, checklist: Mapping[str, bool], actor: User | None) -> ConsentTextReview:
    """Activate a consent wording once each required element is confirmed and found (Art. 7, Art. 13).

    Raises ``ValidationError`` listing every missing element; nothing is saved then.
    """
    if notice.kind != Notice.Kind.CONSENT_TEXT:
        raise ValidationError(_("Only a consent wording is checked this way."))
    unknown = set(checklist) - set(CHECKLIST_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown checklist element(s): %(names)s") % {"names": ", ".join(sorted(unknown))})
    missing = consent_text_missing(notice=notice, checklist=checklist)
    if missing:
        raise ValidationError(
            _("This consent wording cannot be used: it must state %(missing)s.") % {"missing": "; ".join(missing)}
        )
    review, _created = ConsentTextReview.objects.select_for_update().get_or_create(notice=notice)
    for name in CHECKLIST_FIELDS:
        setattr(review, name, bool(checklist.get(name)))
    review.status = ConsentTextReview.Status.ACTIVATED
    review.reviewed_by = actors.staff_or_none(actor)
    review.reviewed_at = timezone.now()
    review.save()
    audit.record(
        action=audit.Action.CHANGE, actor=actor, obj=review, fields=[*CHECKLIST_FIELDS, "status"], reason="Art. 13"
    )
    return review


def consent_text_usable(notice: Notice) -> bool:
    if notice.kind != Notice.Kind.CONSENT_TEXT:
        return True
    return ConsentTextReview.objects.filter(notice=notice, status__in=ConsentTextReview.USABLE).exists()


# --- Re-consent ----------------------------------------------------------------------------------


def _current_positive(*, channels: Iterable[str], at: datetime) -> models.QuerySet:
    """The current positive consent event of each (subject, channel) at ``at``: two NOT EXISTS
    anti-joins on the (subject, channel, occurred_at) index, set-based at any volume."""
    later = ConsentEvent.objects.filter(
        subject_id=OuterRef("subject_id"), channel=OuterRef("channel"), occurred_at__lte=at
    ).filter(Q(occurred_at__gt=OuterRef("occurred_at")) | Q(occurred_at=OuterRef("occurred_at"), pk__gt=OuterRef("pk")))
    return (
        ConsentEvent.objects.filter(channel__in=list(channels), subject__isnull=False, occurred_at__lte=at)
        .exclude(Exists(later))
        .filter(action__in=ConsentEvent.POSITIVE_ACTIONS)
    )


def _typed(value: Value) -> Value | Cast:
    """PostgreSQL types a parameter of a SELECT list as text: cast it to the column's type there."""
    return Cast(value, output_field=value.output_field) if connection.vendor == "postgresql" else value


def _insert_flags(events: models.QuerySet, *, cause: ReconsentCause, flagged_at: datetime) -> int:
    """``INSERT INTO flags SELECT ...``: one statement, whatever the number of consents."""
    open_flag = ReconsentFlag.objects.filter(
        subject_id=OuterRef("subject_id"), channel=OuterRef("channel"), cleared_at__isnull=True
    )
    rows = (
        events.exclude(Exists(open_flag))
        .order_by()
        .annotate(
            f_subject=F("subject_id"),
            f_channel=F("channel"),
            f_cause=_typed(Value(cause.pk, output_field=models.BigIntegerField())),
            f_event=F("pk"),
            f_at=_typed(Value(flagged_at, output_field=models.DateTimeField())),
        )
        .values_list("f_subject", "f_channel", "f_cause", "f_event", "f_at")
    )
    select_sql, params = rows.query.sql_with_params()
    opts = ReconsentFlag._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(opts.get_field(name).column) for name in ("subject", "channel", "cause", "consent_event", "flagged_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(opts.db_table)} ({columns}) {select_sql}", params)
        return cursor.rowcount


@transaction.atomic
def reconsent_flag(
    *,
    channel: str,
    kind: str,
    reason: str,
    actor: User | None,
    effective_at: datetime | None = None,
    activity: ProcessingActivity | None = None,
    given_before: datetime | None = None,
) -> ReconsentCause:
    """Flag everyone whose current consent to ``channel`` was given before the change (EDPB 05/2020 ¶110).

    ``given_before``: only consents older than this (a refresh interval, ¶111). A person already
    flagged for this purpose keeps their open flag (one per person and purpose).
    """
    if not (reason or "").strip():
        raise ValidationError(_("Say what changed: it is shown with each flag."))
    now = timezone.now()
    effective_at = effective_at or now
    cause = ReconsentCause(
        kind=kind,
        channel=channel,
        activity=activity,
        reason=reason[:500],
        effective_at=effective_at,
        created_by=actors.staff_or_none(actor),
    )
    cause.full_clean()
    cause.save()
    events = _current_positive(channels=[channel], at=effective_at).filter(occurred_at__lt=given_before or effective_at)
    cause.flagged_count = _insert_flags(events, cause=cause, flagged_at=now)
    cause.save(update_fields=["flagged_count"])
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=cause,
        fields=["flags"],
        reason=f"re-consent flags: {cause.flagged_count} ({kind}, {channel})",
    )
    return cause


@transaction.atomic
def purpose_setting_save(*, setting: ConsentPurposeSetting, actor: User | None) -> ConsentPurposeSetting:
    """Change which register entry a consent purpose depends on, or its refresh interval."""
    actors.require(actor, "consents.change_consentpurposesetting")
    setting.full_clean()
    setting.save()
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=setting, fields=["activity", "refresh_months"])
    return setting


def register_change_is_substantive(previous: Mapping | None, state: Mapping) -> list[str]:
    """What changed substantively between two register states of an activity (EDPB 05/2020 ¶110):
    a new or reworded purpose or legal basis, a new recipient, new transfers. Wording elsewhere, the
    status or the open questions are not. Returns the changes, in words; empty when none."""
    if not previous:
        return []
    changes: list[str] = []
    before = {(p.get("description"), p.get("legal_basis")) for p in previous.get("purposes", [])}
    after = {(p.get("description"), p.get("legal_basis")) for p in state.get("purposes", [])}
    if after - before:
        changes.append(_("new or changed purpose"))
    if set(state.get("recipients", [])) - set(previous.get("recipients", [])):
        changes.append(_("new recipients"))
    if (
        state.get("transfers_outside_eu") == ProcessingActivity.Transfers.YES
        and previous.get("transfers_outside_eu") != ProcessingActivity.Transfers.YES
    ):
        changes.append(_("new transfers outside the EU/EEA"))
    new_categories = {c.get("category") for c in state.get("data_categories", [])} - {
        c.get("category") for c in previous.get("data_categories", [])
    }
    if new_categories:
        changes.append(_("new data categories"))
    return changes


@transaction.atomic
def reconsent_on_register_change(
    *,
    activity: ProcessingActivity,
    previous: Mapping | None,
    state: Mapping,
    actor: User | None,
    changed_at: datetime | None = None,
) -> list[ReconsentCause]:
    """The register's hook: after an activity changed, flag the consents of every purpose that depends
    on it, when the change is substantive. Called from ``RegisterVersion`` (``consents.apps``)."""
    changes = register_change_is_substantive(previous, state)
    if not changes:
        return []
    reason = _("Register entry %(code)s: %(changes)s") % {"code": activity.code, "changes": ", ".join(changes)}
    return [
        reconsent_flag(
            channel=setting.channel,
            kind=ReconsentCause.Kind.PURPOSE_CHANGED,
            reason=reason,
            activity=activity,
            effective_at=changed_at,
            actor=actor,
        )
        for setting in ConsentPurposeSetting.objects.filter(activity=activity).order_by("channel")
    ]


def reconsent_flag_refresh_due(*, today: date | None = None, actor: User | None = None) -> list[ReconsentCause]:
    """Flag the consents older than their purpose's refresh interval (EDPB 05/2020 ¶111); idempotent."""
    today = today or timezone.localdate()
    actor = actor or actors.system("reconsent-refresh")
    causes = []
    for setting in ConsentPurposeSetting.objects.filter(refresh_months__isnull=False, refresh_months__gt=0):
        # Consents given on or before the cutoff day have run their interval on ``today``.
        cutoff = expiry_cutoff(today, setting.refresh_months)
        given_before = timezone.make_aware(datetime.combine(cutoff + timedelta(days=1), time.min))
        open_flag = ReconsentFlag.objects.filter(
            subject_id=OuterRef("subject_id"), channel=OuterRef("channel"), cleared_at__isnull=True
        )
        due = _current_positive(channels=[setting.channel], at=timezone.now()).filter(occurred_at__lt=given_before)
        if not due.exclude(Exists(open_flag)).exists():
            continue
        causes.append(
            reconsent_flag(
                channel=setting.channel,
                kind=ReconsentCause.Kind.REFRESH_DUE,
                reason=_("Consent older than %(months)d months") % {"months": setting.refresh_months},
                activity=setting.activity,
                given_before=given_before,
                actor=actor,
            )
        )
    return causes


def reconsent_clear(*, event: ConsentEvent, actor: User | None) -> int:
    """The person answered again (a new consent, or a refusal or withdrawal): their flag is closed."""
    if event.subject_id is None:
        return 0
    flags = list(
        ReconsentFlag.objects.select_for_update().filter(
            subject_id=event.subject_id,
            channel=event.channel,
            cleared_at__isnull=True,
            flagged_at__lte=event.recorded_at,
            # an older proof recorded late is no answer to a change made after it
            cause__effective_at__lte=event.occurred_at,
        )
    )
    for flag in flags:
        flag.cleared_at = event.recorded_at
        flag.clearing_event = event
        flag.save(update_fields=["cleared_at", "clearing_event"])
        audit.record(action=audit.Action.CHANGE, actor=actor, obj=flag, fields=["cleared_at"], reason="answered")
    return len(flags)


def consent_covers(*, subject: DataSubject, channel: str, at: datetime | None = None) -> bool:
    """May we rely on this person's consent for this purpose now: a current consent given, not flagged."""
    at = at or timezone.now()
    event = ConsentEvent.objects.filter(subject=subject, channel=channel).current(at=at).first()
    if event is None or event.action not in ConsentEvent.POSITIVE_ACTIONS:
        return False
    return not ReconsentFlag.objects.filter(subject=subject, channel=channel).open_at(at).exists()


# --- Privacy-policy change notifications ----------------------------------------------------------

POLICY_NOTIFICATION_PURPOSE = "privacy_policy_change"
BATCH_SIZE = 500


def _concerned(campaign: PolicyNotificationCampaign) -> models.QuerySet:
    """The people told: those reading the version's language, with an e-mail, alive, not archived."""
    return (
        DataSubject.objects.filter(language=campaign.notice.language, deceased_on__isnull=True)
        .exclude(email="")
        .exclude(conditions.holds(conditions.ARCHIVED))
    )


@transaction.atomic
def policy_notification_start(*, notice: Notice, summary: str, actor: User | None) -> PolicyNotificationCampaign:
    """Mark a privacy-policy version as a substantive change and start telling everyone concerned.

    The batches run in ``policy_notification_batch_task``, queued after commit (WP260 rev.01 ¶¶29-30).
    """
    actors.require(actor, "consents.add_policynotificationcampaign")
    if notice.kind != Notice.Kind.PRIVACY_POLICY:
        raise ValidationError(_("Only a privacy-policy version is notified to the people concerned."))
    if PolicyNotificationCampaign.objects.filter(notice=notice).exists():
        raise ValidationError(_("The people concerned are already being told of this version."))
    if not (summary or "").strip():
        raise ValidationError(_("Say what changes: the e-mail tells each person."))
    campaign = PolicyNotificationCampaign(notice=notice, summary=summary, created_by=actors.staff_or_none(actor))
    campaign.full_clean()
    campaign.save()
    campaign.total = _concerned(campaign).count()
    campaign.save(update_fields=["total"])
    audit.record(action=audit.Action.CREATE, actor=actor, obj=campaign, fields=["notice", "summary"])
    from ..tasks import policy_notification_batch_task

    campaign_id = campaign.pk
    transaction.on_commit(lambda: policy_notification_batch_task.delay(campaign_id))
    return campaign


def _message(campaign: PolicyNotificationCampaign, subject: DataSubject) -> tuple[str, str]:
    notice = campaign.notice
    with translation.override(notice.language):
        title = _("Our privacy policy changes on %(date)s") % {"date": notice.effective_on.strftime("%d/%m/%Y")}
        body = "\n\n".join(
            [
                _("Hello,"),
                _(
                    "We are changing how we process your personal data. The new version of our privacy "
                    "policy applies from %(date)s. What changes:"
                )
                % {"date": notice.effective_on.strftime("%d/%m/%Y")},
                campaign.summary,
                _(
                    "You can object, withdraw a consent or exercise your other rights at any time by "
                    "replying to this e-mail."
                ),
                _("The full text of the new version follows."),
                notice.text,
            ]
        )
    return title, body


def policy_notification_batch(*, campaign: PolicyNotificationCampaign, batch_size: int = BATCH_SIZE) -> bool:
    """Queue the next batch of e-mails (one per person, in id order); True when more remain.

    One transaction per batch: the e-mails, the per-person records and the progress commit
    together, so a re-run after a crash resumes after the last person reached.
    """
    with transaction.atomic():
        campaign = PolicyNotificationCampaign.objects.select_for_update().select_related("notice").get(pk=campaign.pk)
        if campaign.status == PolicyNotificationCampaign.Status.DONE:
            return False
        told = PolicyNotification.objects.filter(campaign=campaign, subject_id=OuterRef("pk"))
        people = list(
            _concerned(campaign)
            .filter(pk__gt=campaign.last_subject_id)
            .exclude(Exists(told))
            .order_by("pk")[:batch_size]
        )
        actor = actors.system("policy-notification")
        now = timezone.now()
        for person in people:
            title, body = _message(campaign, person)
            message = outbox_enqueue(
                purpose=POLICY_NOTIFICATION_PURPOSE,
                to=[person.email],
                subject=title,
                body=body,
                object_id=campaign.pk,
                context={"campaign": campaign.pk, "subject": person.pk},
                subject_id=person.pk,
                actor=actor,
            )
            notification = PolicyNotification.objects.create(
                campaign=campaign, subject=person, outbox_message_id=message.pk, queued_at=now
            )
            audit.record(action=audit.Action.CREATE, actor=actor, obj=notification, fields=["queued_at"])
        campaign.notified += len(people)
        if people:
            campaign.last_subject_id = people[-1].pk
        more = len(people) == batch_size
        if not more:
            campaign.status = PolicyNotificationCampaign.Status.DONE
            campaign.finished_at = now
        campaign.save(update_fields=["notified", "last_subject_id", "status", "finished_at"])
    return more


def policy_notification_sent(message: OutboxMessage, sent_at: datetime) -> None:
    """Outbox hook: the person's record shows when their e-mail left (``register_on_sent``)."""
    PolicyNotification.objects.filter(outbox_message_id=message.pk).update(sent_at=sent_at)


# --- Art. 14: data not obtained from the person --------------------------------------------------


def art14_due_on(*, collected_on: date, first_communication_on: date | None) -> date:
    """One month after obtaining the data, or the first communication if that comes first (Art. 14(3))."""
    due = add_months(collected_on, 1)
    if first_communication_on is not None and first_communication_on < due:
        return first_communication_on
    return due


@transaction.atomic
def indirect_collection_record(
    *,
    subject: DataSubject,
    source_kind: str,
    source_detail: str,
    collected_on: date,
    actor: User | None,
    first_communication_on: date | None = None,
) -> IndirectCollection:
    """Record that data about ``subject`` came from someone else, with the source (Art. 14(2)(f))."""
    record = IndirectCollection(
        subject=subject,
        source_kind=source_kind,
        source_detail=(source_detail or "").strip(),
        collected_on=collected_on,
        first_communication_on=first_communication_on,
        recorded_by=actors.staff_or_none(actor),
    )
    record.due_on = art14_due_on(collected_on=collected_on, first_communication_on=first_communication_on)
    record.full_clean()
    record.save()
    audit.record(
        action=audit.Action.CREATE,
        actor=actor,
        obj=record,
        fields=["source_kind", "source_detail", "collected_on", "first_communication_on", "due_on"],
    )
    return record


@transaction.atomic
def indirect_collection_informed(
    *,
    record: IndirectCollection,
    informed_on: date,
    informed_how: str,
    actor: User | None,
    notice: Notice | None = None,
) -> IndirectCollection:
    """Record when and how the person was told (Art. 14(1)-(3)); a date in the future is refused."""
    record = IndirectCollection.objects.select_for_update().get(pk=record.pk)
    errors: dict[str, list] = {}
    if informed_on > timezone.localdate():
        errors["informed_on"] = [_("The person cannot have been told in the future.")]
    if informed_on < record.collected_on:
        errors["informed_on"] = [_("The person was told before the data were obtained: check the dates.")]
    if not informed_how:
        errors["informed_how"] = [_("Say how the person was told.")]
    if notice is not None and notice.kind != Notice.Kind.PRIVACY_POLICY:
        errors["notice"] = [_("The information given is a privacy-policy version.")]
    if errors:
        raise ValidationError(errors)
    record.informed_on = informed_on
    record.informed_how = informed_how
    record.notice = notice
    record.full_clean()
    record.save(update_fields=["informed_on", "informed_how", "notice"])
    audit.record(action=audit.Action.CHANGE, actor=actor, obj=record, fields=["informed_on", "informed_how", "notice"])
    return record


# --- Dashboard -----------------------------------------------------------------------------------


def information_dashboard_counts(*, today: date | None = None) -> dict[str, int | bool | date | None]:
    """Counts for the DPO's dashboard: Art. 14 overdue, open re-consent flags, campaigns running,
    and the age of the telephone opposition list."""
    from .bloctel import bloctel_status

    today = today or timezone.localdate()
    status = bloctel_status(today=today)
    return {
        "art14_overdue": IndirectCollection.objects.overdue(today=today).count(),
        "reconsent_open": ReconsentFlag.objects.open().count(),
        "policy_campaigns_running": PolicyNotificationCampaign.objects.filter(
            status=PolicyNotificationCampaign.Status.RUNNING
        ).count(),
        "bloctel_list_date": status.list_date,
        "bloctel_stale": status.stale,
    }


__all__ = [
    "CHECKLIST_FIELDS",
    "POLICY_NOTIFICATION_PURPOSE",
    "art14_due_on",
    "consent_covers",
    "consent_text_check",
    "consent_text_missing",
    "consent_text_review_open",
    "consent_text_usable",
    "indirect_collection_informed",
    "indirect_collection_record",
    "information_dashboard_counts",
    "policy_notification_batch",
    "policy_notification_sent",
    "policy_notification_start",
    "purpose_setting_save",
    "reconsent_clear",
    "reconsent_flag",
    "reconsent_flag_refresh_due",
    "reconsent_on_register_change",
    "register_change_is_substantive",
]
