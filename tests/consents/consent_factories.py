"""Consent-record factories: notices and events built through the services, as the site would."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from faker import Faker

from consents import services
from consents.models import Channel, ConsentEvent, Notice
from subjects import services as subject_services
from subjects.models import DataSubject

fake = Faker("fr_FR")


def consent_notice(channel: str = Channel.NEWSLETTER_EMAIL, *, language: str = "fr", effective_on=None) -> Notice:
    kind = Notice.Kind.COOKIE_BANNER if channel.startswith("cookies_") else Notice.Kind.CONSENT_TEXT
    existing = Notice.objects.filter(kind=kind, language=language, channel="" if kind != "consent_text" else channel)
    if existing.exists():
        return existing.first()
    return services.notice_create(
        kind=kind,
        channel=channel if kind == Notice.Kind.CONSENT_TEXT else "",
        language=language,
        effective_on=effective_on or date(2020, 1, 1),
        title="Lettre d'information",
        text="IJINUS SAS vous envoie sa lettre d'information. Vous pouvez vous désinscrire à tout moment.",
        actor=None,
    )


def subject(**fields) -> DataSubject:
    values = {
        "kind": DataSubject.Kind.CONSUMER,
        "last_name": fake.last_name(),
        "first_names": fake.first_name(),
        "email": fake.unique.email(),
        "phone": fake.phone_number(),
        **fields,
    }
    return subject_services.subject_create(fields=values, actor=None)


def give(
    person: DataSubject | None,
    channel: str = Channel.NEWSLETTER_EMAIL,
    *,
    at: datetime | None = None,
    action: str = ConsentEvent.Action.GIVEN,
    visitor_id: str = "",
) -> ConsentEvent:
    return services.consent_record(
        subject=person,
        visitor_id=visitor_id,
        channel=channel,
        action=action,
        notice=consent_notice(channel),
        collection_point=ConsentEvent.CollectionPoint.WEB_FORM,
        collection_detail="newsletter-footer-form",
        mechanism=ConsentEvent.Mechanism.UNTICKED_CHECKBOX,
        language="fr",
        entered_by=ConsentEvent.EnteredBy.SUBJECT,
        occurred_at=at or timezone.now(),
        actor=None,
    )


def withdraw(person: DataSubject, channel: str = Channel.NEWSLETTER_EMAIL):
    return services.consent_withdraw(
        subject=person,
        channel=channel,
        collection_point=ConsentEvent.CollectionPoint.EMAIL_LINK,
        mechanism=ConsentEvent.Mechanism.ONE_CLICK,
        actor=None,
    )
