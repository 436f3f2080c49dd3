"""Who may be contacted on a marketing channel on a given day (R2.6, R1.13, R1.15.3).

``marketable(channel=..., on=...)`` answers it; every marketing selection
or export goes through it (R1.13.3). A subject is marketable when all of these hold:

1. a basis for the channel (R2.6.1): their latest consent event up to that day is ``given`` or
   ``reconfirmed``; or, with no consent event at all, a recorded soft opt-in (e-mail, a sale of an
   analogous product family, opt-out offered; R2.6.3) or B2B professional basis (R2.6.4);
2. no opposition: a latest event ``withdrawn``, ``refused`` or ``expired`` overrides every basis;
3. not deceased (R1.15.3), and no block from another app: the conditions of kind
   ``MARKETING_BLOCKED`` (restriction marks, archive, legal holds) that the apps register in
   ``AppConfig.ready()`` (``ijinus_privacy.conditions``);
4. neither their e-mail nor their phone is on the suppression list for that channel (R1.13.3);
5. their consent is not flagged for re-consent on that day: the purpose changed substantively
   since, or the consent outgrew its refresh interval (EDPB 05/2020 ¶¶110-111).

Step 4 compares HMAC hashes, which SQL cannot compute portably: the candidates of steps 1-3 are
hashed in Python, in chunks (about 1 µs each), and the few that match are excluded by id. The
result is a plain queryset; the suppression list is read when ``marketable()`` is called.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ijinus_privacy import conditions
from ijinus_privacy.identifiers import subject_identifier_hashes
from subjects.models import DataSubject

from .models import Channel, ConsentEvent, MarketingBasis, ProductFamilyAnalogy, ReconsentFlag, Suppression

# Which bases other than consent each marketing channel accepts (R2.6.1-R2.6.5, R2.7).
OTHER_BASES: dict[str, tuple[str, ...]] = {
    Channel.NEWSLETTER_EMAIL: (MarketingBasis.Basis.SOFT_OPT_IN, MarketingBasis.Basis.B2B_PROFESSIONAL),
    # Consumers: consent only (L.223-1 as amended, from 11 Aug 2026; DESIGN before). Professionals: R2.7.3.
    Channel.PHONE_MARKETING: (MarketingBasis.Basis.B2B_PROFESSIONAL,),
    Channel.MARKETING_PUSH: (),
    Channel.PARTNER_SHARING: (),  # R2.6.5: prior consent naming that purpose
}


def _end_of(on: date) -> datetime:
    return timezone.make_aware(datetime.combine(on, time.max))


def _latest_action(channel: str, until: datetime) -> Subquery:
    return Subquery(
        ConsentEvent.objects.filter(subject_id=OuterRef("pk"), channel=channel, occurred_at__lte=until)
        .order_by("-occurred_at", "-id")
        .values("action")[:1]
    )


def _other_bases(channel: str, on: date, product_family: str | None) -> Q:
    allowed = OTHER_BASES.get(channel, ())
    condition = Q(pk__in=[])
    if MarketingBasis.Basis.SOFT_OPT_IN in allowed and product_family:
        soft = MarketingBasis.objects.filter(
            subject_id=OuterRef("pk"),
            channel=channel,
            basis=MarketingBasis.Basis.SOFT_OPT_IN,
            opt_out_offered=True,
            informed_on__lte=on,
            product_family__in=ProductFamilyAnalogy.analogous_to(product_family),
        )
        condition |= Exists(soft)
    if MarketingBasis.Basis.B2B_PROFESSIONAL in allowed:
        b2b = MarketingBasis.objects.filter(
            subject_id=OuterRef("pk"),
            channel=channel,
            basis=MarketingBasis.Basis.B2B_PROFESSIONAL,
            opt_out_offered=True,
            informed_on__lte=on,
        )
        condition |= Q(Exists(b2b), kind="professional")
    return condition


def marketable(*, channel: str, on: date | None = None, product_family: str | None = None) -> QuerySet:
    """Everyone who may receive marketing on ``channel`` on day ``on``: the one question every campaign asks."""
    return marketable_subjects(DataSubject.objects.all(), channel=channel, on=on, product_family=product_family)


def marketable_subjects(
    queryset: QuerySet, *, channel: str, on: date | None = None, product_family: str | None = None
) -> QuerySet:
    """Subjects of ``queryset`` who may receive marketing on ``channel`` on day ``on`` (default today).

    ``product_family`` is the family the campaign promotes: the soft opt-in only covers analogous
    products (R2.6.3), so without it the soft opt-in never applies.
    """
    if channel not in OTHER_BASES:
        raise ValueError(f"{channel!r} is not a marketing channel")
    on = on or timezone.localdate()
    latest = _latest_action(channel, _end_of(on))
    candidates = (
        queryset.alias(_consent_latest=latest)
        .filter(
            Q(_consent_latest__in=ConsentEvent.POSITIVE_ACTIONS)
            | (Q(_consent_latest__isnull=True) & _other_bases(channel, on, product_family))
        )
        .filter(deceased_on__isnull=True)
    )
    candidates = candidates.exclude(conditions.holds(conditions.MARKETING_BLOCKED))
    flagged = ReconsentFlag.objects.filter(subject_id=OuterRef("pk"), channel=channel).open_at(_end_of(on))
    candidates = candidates.exclude(Exists(flagged))
    return candidates.exclude(pk__in=_suppressed_ids(candidates, channel))


def _suppressed_ids(candidates: QuerySet, channel: str, chunk_size: int = 5000) -> list[int]:
    if not Suppression.objects.for_channel(channel).exists():
        return []
    matched: list[int] = []
    rows = candidates.order_by().values_list("pk", "email", "phone")
    batch: dict[str, list[int]] = {}

    def flush() -> None:
        hits = Suppression.objects.for_channel(channel).matching(list(batch)).values_list("identifier_hash", flat=True)
        for digest in hits:
            matched.extend(batch[digest])
        batch.clear()

    for pk, email, phone in rows.iterator(chunk_size=chunk_size):
        for digest in subject_identifier_hashes(email=email, phone=phone).values():
            batch.setdefault(digest, []).append(pk)
        if len(batch) >= chunk_size:
            flush()
    if batch:
        flush()
    return sorted(set(matched))
