"""Deterministic synthetic demo data (Faker ``fr_FR``), inserted in bulk.

Same seed and same empty database, same data. Dates spread the way retention needs to be shown:
prospects up to four and a half years old, inactive clients whose contract ended years ago, cookie
records older than 13 months, assumed interests overdue for their yearly review, and a few
customer-service tickets carrying sensitive text (flagged, as screening would).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import models, transaction
from faker import Faker

from ijinus_privacy.choices import ContactChannel, Language

from .admission import admission_refusals
from .models import (
    AssumedInterest,
    Contract,
    DataSubject,
    DeathRecord,
    Delivery,
    Invoice,
    MobileDevice,
    NavigationRecord,
    Objection,
    Order,
    Payment,
    PostMortemDirective,
    ProductFamily,
    PromotionParticipation,
    Rectification,
    Restriction,
    RestrictionOverride,
    SensitiveDataFlag,
    SubjectRole,
    SupportTicket,
    ThirdPartyData,
)
from .sensitive import detect_categories

BATCH = 2000
DEFAULT_TODAY = date(2026, 11, 1)

TICKET_TEXTS = (
    "Le capteur de niveau n'envoie plus de mesures depuis hier.",
    "Demande de duplicata de facture.",
    "Question sur le paramétrage des alertes ijitrack.",
    "Livraison reçue incomplète : il manque un câble.",
    "Demande de prolongation de la location.",
    "The flow meter shows negative values after the firmware update.",
    "Please change the delivery address for the next order.",
)
SENSITIVE_TICKET_TEXTS = (
    "Le client est en arrêt maladie, rappeler le mois prochain.",
    "Contact absent : réunion du syndicat CGT cette semaine.",
    "Customer said the delay was due to his chemotherapy.",
)
PROMOTIONS = ("Salon Pollutec", "Offre printemps débitmètres", "Webinaire ijitrack", "Journée portes ouvertes Mellac")
FAMILIES = ProductFamily.values


def _date_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


@dataclass
class _Rows:
    roles: list[SubjectRole] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    deliveries: list[tuple[Order, Delivery]] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    payments: list[tuple[Invoice, Payment]] = field(default_factory=list)
    promotions: list[PromotionParticipation] = field(default_factory=list)
    tickets: list[SupportTicket] = field(default_factory=list)
    navigation: list[NavigationRecord] = field(default_factory=list)
    devices: list[MobileDevice] = field(default_factory=list)
    interests: list[AssumedInterest] = field(default_factory=list)
    third_party: list[ThirdPartyData] = field(default_factory=list)


def seed_demo(*, subjects: int, seed: int = 2026, today: date | None = None) -> int:
    """Insert ``subjects`` synthetic data subjects with data in every subjects model. Same seed, same data."""
    today = today or DEFAULT_TODAY
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    start_id = (DataSubject.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    created = 0
    for offset in range(0, subjects, BATCH):
        with transaction.atomic():
            people = [_person(fake, rng, start_id + n) for n in range(offset, min(offset + BATCH, subjects))]
            # Synthetic people go through the admission gate too: none matches an erasure or a suppression.
            refused = admission_refusals([(person.email, person.phone) for person in people])
            people = [person for position, person in enumerate(people) if position not in refused]
            # The primary keys come back from the INSERT (PostgreSQL, SQLite >= 3.35).
            ids = [person.pk for person in DataSubject.objects.bulk_create(people, batch_size=BATCH)]
            rows = _Rows()
            for subject_id in ids:
                _relationship(rows, subject_id, fake, rng, today)
            _insert(rows)
            _rights(ids, fake, today)
            created += len(people)
    return created


def _person(fake: Faker, rng: random.Random, number: int) -> DataSubject:
    professional = rng.random() < 0.7
    return DataSubject(
        kind=DataSubject.Kind.PROFESSIONAL if professional else DataSubject.Kind.CONSUMER,
        last_name=fake.last_name(),
        first_names=fake.first_name(),
        email=f"demo{number}.{fake.user_name()}@{fake.free_email_domain()}".lower(),
        phone=fake.phone_number(),
        street_address=fake.street_address(),
        postal_code=fake.postcode(),
        city=fake.city(),
        organisation=fake.company() if professional else "",
        job_title=fake.job()[:150] if professional else "",
        language=Language.FRENCH if rng.random() < 0.85 else Language.ENGLISH,
    )


def _relationship(rows: _Rows, subject_id: int, fake: Faker, rng: random.Random, today: date) -> None:
    kind = rng.random()
    if kind < 0.4:
        # Prospects, some older than the 3-year limit (up to 4.5 years).
        collected = _date_between(rng, today - timedelta(days=int(4.5 * 365)), today)
        contact = _date_between(rng, collected, today) if rng.random() < 0.5 else None
        rows.roles.append(
            SubjectRole(
                subject_id=subject_id,
                role=SubjectRole.Role.PROSPECT,
                collected_on=collected,
                last_inbound_contact_on=contact,
            )
        )
    else:
        active = kind < 0.75
        collected = _date_between(rng, today - timedelta(days=12 * 365), today - timedelta(days=30))
        if active:
            end = None
        else:
            # Inactive clients: contracts ended between a few months and eleven years ago.
            end = _date_between(rng, max(collected, today - timedelta(days=11 * 365)), today - timedelta(days=60))
        _client(rows, subject_id, fake, rng, today, collected=collected, end=end)
    if rng.random() < 0.3:
        collected = _date_between(rng, today - timedelta(days=6 * 365), today)
        rows.roles.append(
            SubjectRole(
                subject_id=subject_id,
                role=SubjectRole.Role.NEWSLETTER,
                collected_on=collected,
                unsubscribed_on=_date_between(rng, collected, today) if rng.random() < 0.2 else None,
            )
        )
    _collected_automatically(rows, subject_id, fake, rng, today)
    if rng.random() < 0.15:
        rows.promotions.append(
            PromotionParticipation(
                subject_id=subject_id,
                kind=rng.choice(PromotionParticipation.Kind.values),
                name=rng.choice(PROMOTIONS),
                participated_on=_date_between(rng, today - timedelta(days=5 * 365), today),
            )
        )
    if rng.random() < 0.3:
        inferred = _date_between(rng, today - timedelta(days=3 * 365), today)
        rows.interests.append(
            AssumedInterest(
                subject_id=subject_id,
                product_family=rng.choice(FAMILIES),
                inferred_on=inferred,
                review_due_on=inferred + timedelta(days=365),  # many already overdue
            )
        )
    if rng.random() < 0.03:
        received = _date_between(rng, today - timedelta(days=4 * 365), today)
        rows.third_party.append(
            ThirdPartyData(
                subject_id=subject_id,
                received_on=received,
                provided_by_name=fake.name(),
                provided_by_email=f"partenaire{subject_id:08d}@example.org",
                declaration="La personne a accepté la transmission de ses coordonnées à IJINUS.",
                accepted_on=received - timedelta(days=rng.randint(0, 30)),
            )
        )
    ticket_roll = rng.random()
    if ticket_roll < 0.2:
        sensitive = ticket_roll < 0.004
        rows.tickets.append(
            SupportTicket(
                subject_id=subject_id,
                opened_on=_date_between(rng, today - timedelta(days=4 * 365), today),
                channel=rng.choice(ContactChannel.values),
                status=SupportTicket.Status.CLOSED if rng.random() < 0.8 else SupportTicket.Status.OPEN,
                summary="Demande client",
                text=rng.choice(SENSITIVE_TICKET_TEXTS if sensitive else TICKET_TEXTS),
            )
        )


def _client(
    rows: _Rows, subject_id: int, fake: Faker, rng: random.Random, today: date, *, collected: date, end: date | None
) -> None:
    family = rng.choice(FAMILIES)
    rows.roles.append(
        SubjectRole(
            subject_id=subject_id,
            role=SubjectRole.Role.ACTIVE_CLIENT if end is None else SubjectRole.Role.INACTIVE_CLIENT,
            collected_on=collected,
            last_inbound_contact_on=_date_between(rng, collected, end or today),
            contract_end_on=end,
        )
    )
    rows.contracts.append(
        Contract(
            subject_id=subject_id,
            kind=Contract.Kind.RENTAL if rng.random() < 0.4 else Contract.Kind.SALE,
            reference=f"C-{subject_id:08d}",
            product_family=family,
            started_on=collected,
            ended_on=end,
        )
    )
    ordered = _date_between(rng, collected, end or today)
    order = Order(
        subject_id=subject_id,
        reference=f"CMD-{subject_id:08d}",
        ordered_on=ordered,
        product_family=family,
        quantity=rng.randint(1, 12),
    )
    rows.orders.append(order)
    delivered = min(ordered + timedelta(days=rng.randint(2, 20)), today)
    rows.deliveries.append(
        (
            order,
            Delivery(
                subject_id=subject_id,
                delivered_on=delivered,
                carrier=rng.choice(("Chronopost", "DB Schenker", "La Poste Colissimo")),
                tracking_number=f"TRK{subject_id:010d}",
                street_address=fake.street_address(),
                postal_code=fake.postcode(),
                city=fake.city(),
            ),
        )
    )
    rows.roles.append(
        SubjectRole(
            subject_id=subject_id,
            role=SubjectRole.Role.PURCHASER,
            collected_on=collected,
            contract_end_on=end,
            product_delivered_on=delivered,
        )
    )
    if rng.random() < 0.5:
        rows.roles.append(
            SubjectRole(
                subject_id=subject_id,
                role=SubjectRole.Role.IJITRACK_USER,
                collected_on=delivered,
                last_inbound_contact_on=_date_between(rng, delivered, end or today),
                product_delivered_on=delivered,
            )
        )
    for number in range(rng.randint(1, 3)):
        issued = _date_between(rng, ordered, end or today)
        amount = Decimal(rng.randint(15_000, 900_000)) / 100
        invoice = Invoice(
            subject_id=subject_id,
            number=f"F{subject_id:09d}-{number + 1}",
            issued_on=issued,
            amount=amount,
            billing_name=fake.company(),
            billing_address=fake.address().replace("\n", ", ")[:300],
        )
        rows.invoices.append(invoice)
        rows.payments.append(
            (
                invoice,
                Payment(
                    subject_id=subject_id,
                    paid_on=min(issued + timedelta(days=rng.randint(5, 60)), today),
                    amount=amount,
                    method=rng.choice(Payment.Method.values),
                    payer_reference=f"****{rng.randint(0, 9999):04d}",
                ),
            )
        )


def _collected_automatically(rows: _Rows, subject_id: int, fake: Faker, rng: random.Random, today: date) -> None:
    for _n in range(rng.randint(0, 4)):
        # Up to two years back: about half the records are past the 13-month limit.
        day = _date_between(rng, today - timedelta(days=730), today)
        moment = datetime.combine(day, time(rng.randint(7, 22), rng.randint(0, 59)), tzinfo=UTC)
        rows.navigation.append(
            NavigationRecord(
                subject_id=subject_id,
                occurred_at=moment,
                purpose=rng.choice(NavigationRecord.Purpose.values),
                cookie_id=f"{rng.getrandbits(64):016x}",
                page=rng.choice(("/", "/produits/", "/contact/", "/ijitrack/", "/devis/")),
                referrer=rng.choice(("", "https://www.google.fr/", "https://www.linkedin.com/")),
                browser=rng.choice(("Firefox 140", "Chrome 141", "Safari 19")),
                ip_address=fake.ipv4_public(),
            )
        )
    if rng.random() < 0.1:
        rows.devices.append(
            MobileDevice(
                subject_id=subject_id,
                registered_on=_date_between(rng, today - timedelta(days=3 * 365), today),
                device_type=rng.choice(MobileDevice.DeviceType.values),
                os_version=rng.choice(("Android 15", "Android 16", "iOS 19.1", "iOS 26.0")),
                connectivity=rng.choice(MobileDevice.Connectivity.values),
                app_version=f"3.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
                push_token=f"{rng.getrandbits(128):032x}",
                geolocation_consent=rng.random() < 0.3,
            )
        )


def _bulk(model: type[models.Model], objs: list) -> None:
    if objs:
        model.objects.bulk_create(objs, batch_size=BATCH)


def _insert(rows: _Rows) -> None:
    _bulk(SubjectRole, rows.roles)
    _bulk(Contract, rows.contracts)
    _bulk(Order, rows.orders)
    for order, delivery in rows.deliveries:
        delivery.order = order
    _bulk(Delivery, [delivery for _order, delivery in rows.deliveries])
    _bulk(Invoice, rows.invoices)
    for invoice, payment in rows.payments:
        payment.invoice = invoice
    _bulk(Payment, [payment for _invoice, payment in rows.payments])
    _bulk(PromotionParticipation, rows.promotions)
    _bulk(SupportTicket, rows.tickets)
    _bulk(NavigationRecord, rows.navigation)
    _bulk(MobileDevice, rows.devices)
    _bulk(AssumedInterest, rows.interests)
    _bulk(ThirdPartyData, rows.third_party)
    flags = [
        SensitiveDataFlag(
            subject_id=ticket.subject_id,
            model=SupportTicket._meta.label_lower,
            object_id=ticket.pk,
            field_name="text",
            category=category,
        )
        for ticket in rows.tickets
        for category in detect_categories(ticket.text)
    ]
    _bulk(SensitiveDataFlag, flags)


def _rights(ids: list[int], fake: Faker, today: date) -> None:
    """A few people per batch exercising their rights (R1.9, R1.11, R1.13, R1.15), at fixed places."""
    at = datetime.combine(today, time(9, 30), tzinfo=UTC)
    for first in range(0, len(ids) - 4, 97):
        contested, objecting, unsubscribed, planning, deceased = ids[first : first + 5]
        Rectification.objects.create(
            subject_id=contested, field_name="city", proposed_value=fake.city(), accuracy_contested=True, proposed_at=at
        )
        accuracy = Restriction.objects.create(
            subject_id=contested,
            ground=Restriction.Ground.ACCURACY_CONTESTED,
            scope=Restriction.Scope.CATEGORIES,
            categories=[DataSubject._meta.label_lower],
            started_at=at,
        )
        RestrictionOverride.objects.create(
            restriction=accuracy,
            purpose=RestrictionOverride.Purpose.CONSENT,
            operation=RestrictionOverride.Operation.EXPORT,
            justification="La personne demande une copie de ses données (Art. 15).",
            granted_at=at,
            valid_until=at + timedelta(days=7),
        )
        pending = Restriction.objects.create(
            subject_id=objecting, ground=Restriction.Ground.OBJECTION_PENDING, started_at=at
        )
        Objection.objects.create(
            subject_id=objecting,
            kind=Objection.Kind.LEGITIMATE_INTEREST,
            processing="P08",
            status=Objection.Status.PENDING,
            restriction=pending,
            received_at=at,
        )
        Objection.objects.create(
            subject_id=unsubscribed,
            kind=Objection.Kind.DIRECT_MARKETING,
            channel=Objection.ALL_CHANNELS,
            status=Objection.Status.APPLIED,
            received_at=at,
            decided_at=at,
        )
        directives = [
            PostMortemDirective.objects.create(
                subject_id=subject_id,
                kind=PostMortemDirective.Kind.PARTICULAR,
                instruction=PostMortemDirective.Instruction.COMMUNICATE,
                designated_person_name=fake.name(),
                content_summary="Communiquer les données du compte ijitrack à la personne désignée.",
                specific_consent=True,
                registered_at=at,
            )
            for subject_id in (planning, deceased)
        ]
        died_on = today - timedelta(days=20)
        DataSubject.objects.filter(pk=deceased).update(deceased_on=died_on)
        DeathRecord.objects.create(
            subject_id=deceased,
            died_on=died_on,
            evidence_type=DeathRecord.Evidence.DEATH_CERTIFICATE,
            directive=directives[1],
            outcome=DeathRecord.Outcome.COMMUNICATE,
            recorded_at=at,
        )
