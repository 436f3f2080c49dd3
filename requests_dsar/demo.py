"""Demo data-subject requests, logged and moved through the workflow by the services (``seed_demo``).

Every request goes through ``services`` so it has its timeline and audit events; the timeline is then
dated back to the days the steps would have happened, and the closure date of answered requests is
set to the day the answer went out. Receipt dates are counted back from ``today`` so the dashboard
always shows a realistic mix: new requests, some due this week, some overdue, paused ones, extended
ones, answers in time and late, a refusal with its ground.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone
from faker import Faker

from ijinus_privacy.choices import ContactChannel
from subjects.models import DataSubject

from . import services
from .exports import services as export_services
from .models import ClockPause, ExportJob, Extension, RefusalGround, Request, RequestEvent, Right, State

ORAL_SUMMARIES = {
    ContactChannel.PHONE: "Appel au service client : la personne demande ce que IJINUS conserve sur elle.",
    ContactChannel.IN_PERSON: "Demande faite au salon Pollutec, notée par le commercial sur place.",
}


@dataclass(frozen=True)
class Scenario:
    """One demo request: received ``age`` days before today, then ``steps`` (see ``_play``)."""

    age: int
    rights: tuple[str, ...]
    steps: tuple[tuple[str, int], ...] = ()


# (step, day after receipt). Steps: ask_identity, ask_clarification, answer, start, extend, to_decision,
# grant, refuse_erasure, withdraw, close_unverified, export.
SCENARIOS: tuple[Scenario, ...] = (
    # Just received.
    Scenario(1, (Right.ACCESS,)),
    Scenario(3, (Right.OBJECTION_MARKETING,)),
    Scenario(6, (Right.ERASURE,)),
    Scenario(9, (Right.RECTIFICATION,), (("start", 2),)),
    # Paused: waiting for the requester (identity or clarification).
    Scenario(12, (Right.ACCESS, Right.PORTABILITY), (("ask_identity", 1),)),
    Scenario(20, (Right.ERASURE,), (("ask_identity", 2),)),
    Scenario(44, (Right.ACCESS,), (("start", 3), ("ask_clarification", 9))),
    # Due within the week.
    Scenario(25, (Right.ACCESS,), (("start", 2),)),
    Scenario(27, (Right.RESTRICTION,), (("start", 4),)),
    Scenario(28, (Right.OBJECTION,), (("start", 1), ("to_decision", 20))),
    # Awaiting the DPO, an access export built and waiting for approval.
    Scenario(18, (Right.ACCESS,), (("start", 1), ("export", 6), ("to_decision", 7))),
    Scenario(22, (Right.ACCESS, Right.PORTABILITY), (("start", 2), ("export", 9), ("to_decision", 10))),
    # Overdue: the one-month deadline has passed.
    Scenario(38, (Right.ACCESS,), (("start", 5),)),
    Scenario(52, (Right.ERASURE, Right.OBJECTION_MARKETING), (("start", 3),)),
    Scenario(35, (Right.OTHER,)),
    # Extended by two months (Art. 12(3)), still open.
    Scenario(58, (Right.ACCESS,), (("start", 2), ("extend", 20))),
    Scenario(80, (Right.PORTABILITY,), (("start", 1), ("extend", 25))),
    # Answered in time.
    Scenario(34, (Right.RESTRICTION,), (("start", 1), ("to_decision", 2), ("grant", 3))),
    Scenario(47, (Right.ACCESS,), (("start", 2), ("to_decision", 15), ("grant", 19))),
    Scenario(63, (Right.RECTIFICATION,), (("start", 1), ("to_decision", 6), ("grant", 8))),
    Scenario(76, (Right.OBJECTION,), (("ask_identity", 1), ("answer", 6), ("to_decision", 20), ("grant", 24))),
    Scenario(95, (Right.CONSENT_WITHDRAWAL,), (("start", 0), ("to_decision", 1), ("grant", 1))),
    Scenario(110, (Right.ACCESS, Right.PORTABILITY), (("start", 3), ("to_decision", 25), ("grant", 28))),
    # Answered within the extension, and one answered late.
    Scenario(118, (Right.ACCESS,), (("start", 2), ("extend", 21), ("to_decision", 60), ("grant", 66))),
    Scenario(102, (Right.RESTRICTION,), (("start", 9), ("to_decision", 36), ("grant", 41))),
    # Refused (erasure: invoices kept 10 years) and partly refused.
    Scenario(70, (Right.ERASURE,), (("start", 2), ("to_decision", 12), ("refuse_erasure", 15))),
    Scenario(88, (Right.ACCESS, Right.ERASURE), (("start", 1), ("to_decision", 18), ("refuse_erasure", 22))),
    # Withdrawn, and closed because the identity was never proved.
    Scenario(40, (Right.ACCESS,), (("start", 1), ("withdraw", 8))),
    Scenario(100, (Right.ERASURE,), (("ask_identity", 2), ("close_unverified", 45))),
)

CHANNELS = tuple(ContactChannel.values)


def seed_requests(
    *, subjects: Sequence[int], today: date, seed: int, dpo: AbstractBaseUser, support: AbstractBaseUser
) -> list[Request]:
    """Log the demo requests for subjects picked from ``subjects`` (ids); the same seed gives the same requests."""
    from .exports.demo_register import document_register

    # The DPO names the recipients and decides the open retention periods: access exports can be approved.
    document_register(dpo=dpo)
    rng = random.Random(seed)
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    # Only people the rules let the demo act for: the seeded rights (subjects.demo) restrict some (Art. 18).
    pool = list(_free_to_act().filter(pk__in=subjects).order_by("pk").values_list("pk", flat=True))
    people = list(DataSubject.objects.filter(pk__in=rng.sample(pool, min(len(pool), len(SCENARIOS)))))
    people.sort(key=lambda person: person.pk)
    rng.shuffle(people)
    # Requests answered in full are carried out on a known person: they get the first people picked.
    carried_out = [n for n, scenario in enumerate(SCENARIOS) if _carried_out(scenario)]
    rank = {n: i for i, n in enumerate(carried_out + [n for n in range(len(SCENARIOS)) if n not in carried_out])}
    created = []
    for number, scenario in enumerate(SCENARIOS):
        channel = CHANNELS[number % len(CHANNELS)]
        known = rank[number] < len(people) and (number % 7 != 5 or number in carried_out)
        subject = people[rank[number]] if known else None
        with transaction.atomic():
            request = _play(scenario, channel=channel, subject=subject, fake=fake, today=today, dpo=dpo, staff=support)
            if request.state in (State.IN_PROGRESS, State.AWAITING_DECISION) and number % 5:
                # Work goes on: a recent note, so only a few requests show as idle (R1.2.3).
                _note(request, day=today - timedelta(days=number % 4), staff=support)
            created.append(request)
    return created


def _free_to_act() -> models.QuerySet[DataSubject]:
    """People a request can be carried out for: alive, and no restriction in force (Art. 18(1): storage only)."""
    from subjects.services.restriction import restricted_subject_exists

    return DataSubject.objects.filter(deceased_on__isnull=True).exclude(restricted_subject_exists())


def _carried_out(scenario: Scenario) -> bool:
    return any(step in ("grant", "refuse_erasure") for step, _after in scenario.steps)


def _note(request: Request, *, day: date, staff: AbstractBaseUser) -> None:
    event = services.request_add_note(
        request=request, text="Extraction en cours dans le CRM et la facturation.", actor=staff
    )
    RequestEvent.objects.filter(pk=event.pk).update(occurred_at=_moment(day, 20))


def _moment(day: date, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)) + timedelta(minutes=17 * minute))


class _Timeline:
    """Dates the events each service call writes to the day the step happened."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.last_id = 0
        self.steps = 0

    def date_since_last(self, day: date) -> None:
        self.steps += 1
        events = RequestEvent.objects.filter(request=self.request, id__gt=self.last_id)
        for event_id in events.order_by("id").values_list("id", flat=True):
            RequestEvent.objects.filter(pk=event_id).update(occurred_at=_moment(day, self.steps))
            self.last_id = event_id
            self.steps += 1


def _play(
    scenario: Scenario,
    *,
    channel: str,
    subject: DataSubject | None,
    fake: Faker,
    today: date,
    dpo: AbstractBaseUser,
    staff: AbstractBaseUser,
) -> Request:
    received = today - timedelta(days=scenario.age)
    requester = {} if subject else {"requester_name": fake.name(), "requester_email": fake.unique.free_email()}
    request = services.request_log(
        received_on=received,
        channel=channel,
        rights=[services.RightAsked(right=right) for right in scenario.rights],
        subject=subject,
        oral_summary=ORAL_SUMMARIES.get(channel, ""),
        actor=staff,
        **requester,
    )
    timeline = _Timeline(request)
    timeline.date_since_last(received)
    for step, after in scenario.steps:
        day = min(received + timedelta(days=after), today)
        _step(step, request=request, day=day, dpo=dpo, staff=staff)
        request.refresh_from_db()
        timeline.date_since_last(day)
        if not request.is_open and request.closed_on != day:
            Request.objects.filter(pk=request.pk).update(closed_on=day)
    request.refresh_from_db()
    return request


def _step(step: str, *, request: Request, day: date, dpo: AbstractBaseUser, staff: AbstractBaseUser) -> None:
    if step in ("ask_identity", "ask_clarification"):
        reason = ClockPause.Reason.IDENTITY if step == "ask_identity" else ClockPause.Reason.CLARIFICATION
        services.request_ask_information(request=request, reason=reason, actor=staff, asked_on=day)
    elif step == "answer":
        services.request_information_received(request=request, actor=staff, received_on=day)
    elif step == "start":
        services.request_transition(request=request, to_state=State.IN_PROGRESS, actor=staff)
    elif step == "to_decision":
        services.request_transition(request=request, to_state=State.AWAITING_DECISION, actor=staff)
    elif step == "extend":
        services.request_extend(
            request=request,
            reason=Extension.Reason.LARGE_VOLUME,
            explanation="Vos données sont réparties entre le CRM, la facturation et la plateforme ijitrack.",
            actor=dpo,
            today=day,
            send_notice=False,
        )
    elif step == "grant":
        _grant(request=request, dpo=dpo, staff=staff)
    elif step == "refuse_erasure":
        erasure = request.items.get(right=Right.ERASURE)
        refusal = services.ItemRefusal(
            item=erasure,
            ground=RefusalGround.ERASURE_LEGAL_OBLIGATION,
            justification="Factures conservées 10 ans (art. L123-22 du Code de commerce).",
        )
        rights = set(request.items.values_list("right", flat=True)) - {Right.ERASURE}
        if rights and not _carry_out(request=request, rights=rights, dpo=dpo, staff=staff):
            return
        services.request_decide(
            request=request,
            refusals=[refusal],
            justification="Effacement refusé pour les pièces comptables ; le reste est traité.",
            actor=dpo,
            send_refusal_letter=False,
        )
    elif step == "withdraw":
        services.request_transition(
            request=request, to_state=State.WITHDRAWN, reason="La personne retire sa demande.", actor=dpo
        )
    elif step == "close_unverified":
        services.request_close_unverified(
            request=request, reason="Aucune réponse à la demande d'identité après relance.", actor=dpo
        )
    elif step == "export":
        _export(request=request)
    else:
        raise ValueError(step)


def _grant(*, request: Request, dpo: AbstractBaseUser, staff: AbstractBaseUser) -> None:
    """Carry out each right through its service, then grant: a right is granted only once done (R1.6.3)."""
    rights = set(request.items.values_list("right", flat=True))
    justification = "Demande satisfaite dans son intégralité."
    if _carry_out(request=request, rights=rights, dpo=dpo, staff=staff):
        services.request_decide(request=request, justification=justification, actor=dpo)


def _identify(*, request: Request, staff: AbstractBaseUser) -> bool:
    """Very small demo sets only: link the request to the first person on file the rules let the demo act
    for, to carry it out. ``False``: there is nobody, the request stays undecided."""
    subject = _free_to_act().order_by("pk").first()
    if subject is None:
        return False
    services.request_update(request=request, changes={"subject": subject}, actor=staff)
    request.refresh_from_db()
    return True


def _carry_out(*, request: Request, rights: set[str], dpo: AbstractBaseUser, staff: AbstractBaseUser) -> bool:
    """Do what each right asks, through the fulfilment and export services; ``False``: nobody to do it for."""
    from ijinus_privacy.choices import Channel as ConsentChannel
    from subjects.models import Objection, Restriction
    from subjects.services.rectification import rectification_apply

    from . import fulfilment
    from .services.objection import objection_decide

    if rights and request.subject_id is None and not _identify(request=request, staff=staff):
        return False
    if rights & {Right.OBJECTION, Right.OBJECTION_MARKETING}:
        for objection in fulfilment.objection_from_request(request=request, actor=dpo):
            if objection.kind == Objection.Kind.LEGITIMATE_INTEREST:
                objection_decide(objection=objection, upheld=True, actor=dpo)
    if Right.CONSENT_WITHDRAWAL in rights:
        # Service alerts: a withdrawal that moves no unsubscription clock the consent demo dates later.
        fulfilment.withdrawal_from_request(request=request, channel=ConsentChannel.SERVICE_PUSH, actor=staff)
    if Right.RESTRICTION in rights:
        fulfilment.restriction_from_request(request=request, ground=Restriction.Ground.UNLAWFUL, actor=dpo)
    if Right.RECTIFICATION in rights:
        proposals = fulfilment.rectification_from_request(
            request=request, changes={"street_address": "12 rue des Tilleuls, 69003 Lyon"}, actor=staff
        )
        rectification_apply(rectifications=proposals, actor=staff)
    if rights & {Right.ACCESS, Right.PORTABILITY}:
        for kind in export_services.kinds_for_request(request):
            _export(request=request, kind=kind)
        if Right.ACCESS in rights:
            _search_sources(request=request, staff=staff)
        export_services.export_approve_and_send(request=request, actor=dpo)
        _deliver_links(request)
    return True


def _search_sources(*, request: Request, staff: AbstractBaseUser) -> None:
    """Customer service went through every system of the register (R1.7.1): the back office holds the
    person, the other systems nothing."""
    from .models import SourceSearch
    from .searches import register_systems
    from .services import source_search_record

    names = [system.name for system in register_systems()]
    found = [name for name in names if "back office" in name.casefold()]
    for outcome, sources in ((SourceSearch.Outcome.FOUND, found), (SourceSearch.Outcome.NOTHING, names)):
        sources = [name for name in sources if outcome == SourceSearch.Outcome.FOUND or name not in found]
        if sources:
            source_search_record(request=request, sources=sources, outcome=outcome, actor=staff)


def _deliver_links(request: Request) -> None:
    """Send the queued download links now, as a worker would: the request shows them sent."""
    from ijinus_privacy.models import OutboxMessage
    from ijinus_privacy.outbox import outbox_send

    from .exports.delivery import LINK_PURPOSE

    for message_id in OutboxMessage.objects.for_purpose(LINK_PURPOSE, request.pk).unsent().values_list("pk", flat=True):
        outbox_send(message_id=message_id)


def _export(*, request: Request, kind: str = ExportJob.Kind.ACCESS_JSON) -> None:
    """Build the JSON access copy now (a worker does it in production); it waits for the DPO's approval."""
    if request.subject_id is None:
        return
    job = ExportJob(subject=request.subject, request=request, kind=kind, language=request.language)
    job.full_clean()
    job.save()
    RequestEvent.objects.create(request=request, kind=RequestEvent.Kind.EXPORT, reason=job.get_kind_display())
    export_services.export_build(job_id=job.pk)
