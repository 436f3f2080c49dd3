"""Demo consent records (``seed_demo``): newsletter consents given and withdrawn, cookie choices and
a few marketing bases other than consent, all written by the services so each has its proof and audit event.

Consents follow the demo subjects' newsletter roles: given on the day the role was collected,
withdrawn on the day they unsubscribed. The notices shown are created once, in force long before.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ijinus_privacy import actors
from subjects.models import Contract, DataSubject, SubjectRole

from . import services
from .models import Channel, ConsentEvent, MarketingBasis, Notice, Suppression

DEMO = actors.system("seed-demo")

NOTICE_TEXTS = {
    (Notice.Kind.CONSENT_TEXT, "fr"): (
        "Lettre d'information IJINUS",
        "J'accepte de recevoir la lettre d'information d'IJINUS SAS par e-mail. Je peux me désinscrire à tout "
        "moment par le lien présent dans chaque envoi.",
    ),
    (Notice.Kind.CONSENT_TEXT, "en"): (
        "IJINUS newsletter",
        "I agree to receive the IJINUS SAS newsletter by e-mail. I can unsubscribe at any time with the link in "
        "every issue.",
    ),
    (Notice.Kind.COOKIE_BANNER, "fr"): (
        "Bandeau cookies",
        "Nous utilisons des cookies de mesure d'audience et de personnalisation. Vous pouvez accepter, refuser "
        "ou choisir par finalité.",
    ),
    (Notice.Kind.COOKIE_BANNER, "en"): (
        "Cookie banner",
        "We use audience-measurement and personalisation cookies. You may accept, refuse or choose per purpose.",
    ),
}


# The demo wordings name IJINUS SAS, the newsletter, the e-mail address and the unsubscribe link.
CHECKED = {
    "states_controller": True,
    "states_purpose": True,
    "states_data": True,
    "states_withdrawal": True,
    "transfers_relevant": True,
    "states_transfers": True,
}


def _at(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of ``day``, never in the future (events dated today are seeded at any hour)."""
    moment = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 21), rng.randint(0, 59))))
    return min(moment, timezone.now())


def _notices(*, since: date) -> dict[tuple[str, str], Notice]:
    """The consent wording and cookie banner shown, per language, in force since ``since``."""
    notices = {}
    for (kind, language), (title, text) in NOTICE_TEXTS.items():
        channel = Channel.NEWSLETTER_EMAIL if kind == Notice.Kind.CONSENT_TEXT else ""
        notice = Notice.objects.filter(kind=kind, channel=channel, language=language, effective_on__lte=since).first()
        if notice is None:
            notice = services.notice_create(
                kind=kind,
                channel=channel,
                language=language,
                effective_on=since,
                title=title,
                text=text,
                actor=DEMO,
                checklist=CHECKED if kind == Notice.Kind.CONSENT_TEXT else None,
            )
        notices[(kind, language)] = notice
    return notices


@transaction.atomic
def seed_consents(*, subject_ids: list[int], today: date, seed: int, actor: AbstractBaseUser | None) -> int:
    """Record consent events for the demo subjects among ``subject_ids``; returns how many events."""
    rng = random.Random(seed)
    notices = _notices(since=today - timedelta(days=7 * 365))
    roles = (
        SubjectRole.objects.filter(subject_id__in=subject_ids, role=SubjectRole.Role.NEWSLETTER)
        .select_related("subject")
        .order_by("subject_id", "pk")
    )
    count = 0
    for role in roles:
        subject = role.subject
        language = subject.language or "fr"
        given = min(role.collected_on, today)
        services.consent_record(
            subject=subject,
            channel=Channel.NEWSLETTER_EMAIL,
            action=ConsentEvent.Action.GIVEN,
            notice=notices[(Notice.Kind.CONSENT_TEXT, language)],
            collection_point=ConsentEvent.CollectionPoint.WEB_FORM,
            collection_detail="newsletter-footer-form",
            mechanism=ConsentEvent.Mechanism.UNTICKED_CHECKBOX,
            language=language,
            entered_by=ConsentEvent.EnteredBy.SUBJECT,
            occurred_at=_at(given, rng),
            actor=DEMO,
        )
        count += 1
        if role.unsubscribed_on:
            services.consent_record(
                subject=subject,
                channel=Channel.NEWSLETTER_EMAIL,
                action=ConsentEvent.Action.WITHDRAWN,
                collection_point=ConsentEvent.CollectionPoint.EMAIL_LINK,
                mechanism=ConsentEvent.Mechanism.ONE_CLICK,
                language=language,
                entered_by=ConsentEvent.EnteredBy.SUBJECT,
                occurred_at=_at(max(role.unsubscribed_on, given), rng) + timedelta(minutes=1),
                actor=DEMO,
            )
            services.suppression_add_for_subject(
                subject=subject, channels=[Channel.NEWSLETTER_EMAIL], reason=Suppression.Reason.WITHDRAWAL, actor=DEMO
            )
            count += 1
    for subject in DataSubject.objects.filter(pk__in=rng.sample(subject_ids, len(subject_ids) // 5)).order_by("pk"):
        # Cookie choices over two years: those older than 13 months are due to expire (R2.5.2).
        day = today - timedelta(days=rng.randint(0, 730))
        accepted = rng.random() < 0.6
        for channel in (Channel.COOKIES_AUDIENCE, Channel.COOKIES_PERSONALISATION):
            services.consent_record(
                subject=subject,
                channel=channel,
                action=ConsentEvent.Action.GIVEN if accepted else ConsentEvent.Action.REFUSED,
                notice=notices[(Notice.Kind.COOKIE_BANNER, subject.language or "fr")],
                collection_point=ConsentEvent.CollectionPoint.COOKIE_BANNER,
                interface_version="banner-v3",
                mechanism=ConsentEvent.Mechanism.BUTTON,
                language=subject.language or "fr",
                entered_by=ConsentEvent.EnteredBy.SUBJECT,
                occurred_at=_at(day, rng),
                actor=DEMO,
            )
            count += 1
    _marketing_bases(subject_ids=subject_ids, rng=rng, actor=actor)
    return count


def _marketing_bases(*, subject_ids: list[int], rng: random.Random, actor: AbstractBaseUser | None) -> None:
    """Soft opt-in for a few clients (R2.6.3) and a professional basis for a few prospects (R2.6.4)."""
    contracts = list(Contract.objects.filter(subject_id__in=subject_ids).select_related("subject").order_by("pk")[:40])
    for contract in rng.sample(contracts, min(4, len(contracts))):
        services.marketing_basis_record(
            subject=contract.subject,
            channel=Channel.NEWSLETTER_EMAIL,
            basis=MarketingBasis.Basis.SOFT_OPT_IN,
            contract=contract,
            informed_on=contract.started_on,
            opt_out_offered=True,
            actor=actor,
        )
    professionals = list(
        DataSubject.objects.filter(
            pk__in=subject_ids, kind=DataSubject.Kind.PROFESSIONAL, roles__role=SubjectRole.Role.PROSPECT
        )
        .exclude(job_title="")
        .order_by("pk")[:40]
    )
    for person in rng.sample(professionals, min(3, len(professionals))):
        collected = person.roles.filter(role=SubjectRole.Role.PROSPECT).values_list("collected_on", flat=True).first()
        services.marketing_basis_record(
            subject=person,
            channel=Channel.PHONE_MARKETING if rng.random() < 0.3 else Channel.NEWSLETTER_EMAIL,
            basis=MarketingBasis.Basis.B2B_PROFESSIONAL,
            informed_on=collected,
            opt_out_offered=True,
            job_function=person.job_title,
            actor=actor,
        )


def seed_register(*, dpo: AbstractBaseUser) -> list[str]:
    """The DPO validates the register entries that are complete (Art. 30(1), R3.1.1): the demo shows
    who validated them and when, beside the entries still to review. Returns the validated codes."""
    from .models import ProcessingActivity

    validated = []
    for activity in ProcessingActivity.objects.with_register().filter(status=ProcessingActivity.Status.TO_REVIEW):
        if activity.is_complete:
            services.activity_validate(activity=activity, actor=dpo)
            validated.append(activity.code)
    return validated


DEMO_REASON = "Newsletter: a new purpose added (offers from partners), not covered by earlier consents."


def seed_information(*, subject_ids: list[int], today: date, seed: int, dpo: AbstractBaseUser) -> dict[str, int]:
    """The information duties, as the DPO meets them in the demo (Art. 13-14; EDPB 05/2020 ¶110):
    a re-consent flag raised by a purpose change on the newsletter, prospects met at a trade fair
    (one told, one overdue), and the telephone opposition list imported ten days ago with one of
    the demo's consumers on it."""
    from .models import IndirectCollection
    from .services import information as info
    from .services.bloctel import bloctel_import

    rng = random.Random(seed + 14)
    summary = {"flagged": 0, "art14": 0, "bloctel": 0}
    today = min(today, timezone.localdate())  # nothing is told or listed in the future
    flagged_before = _at(today - timedelta(days=30), rng)
    if ConsentEvent.objects.filter(channel=Channel.NEWSLETTER_EMAIL, occurred_at__lt=flagged_before).exists():
        cause = info.reconsent_flag(
            channel=Channel.NEWSLETTER_EMAIL,
            kind="purpose_changed",
            reason=DEMO_REASON,
            actor=dpo,
            effective_at=flagged_before,
        )
        summary["flagged"] = cause.flagged_count
    prospects = list(
        SubjectRole.objects.filter(subject_id__in=subject_ids, role=SubjectRole.Role.PROSPECT)
        .order_by("subject_id")
        .values_list("subject_id", flat=True)[:20]
    )
    for index, subject_id in enumerate(rng.sample(prospects, min(2, len(prospects)))):
        record = info.indirect_collection_record(
            subject=DataSubject.objects.get(pk=subject_id),
            source_kind=IndirectCollection.SourceKind.TRADE_FAIR,
            source_detail="Salon Pollutec, Lyon: badge scanned at the IJINUS stand",
            collected_on=today - timedelta(days=50),
            actor=dpo,
        )
        if index == 0:  # the other one is overdue: on the dashboard
            info.indirect_collection_informed(
                record=record, informed_on=today - timedelta(days=40), informed_how="email", actor=dpo
            )
        summary["art14"] += 1
    consumers = DataSubject.objects.filter(pk__in=subject_ids, kind=DataSubject.Kind.CONSUMER).exclude(phone="")
    on_list = consumers.order_by("pk").values_list("phone", flat=True).first()
    numbers = [number for number in (on_list, "06 00 00 00 01", "06 00 00 00 02") if number]
    list_date = today - timedelta(days=10)
    report = bloctel_import(content="\n".join(numbers).encode(), list_date=list_date, actor=dpo)
    if report.errors:  # a demo number the list's format refuses: the list without it
        report = bloctel_import(content="\n".join(numbers[-2:]).encode(), list_date=list_date, actor=dpo)
    summary["bloctel"] = report.numbers
    return summary
