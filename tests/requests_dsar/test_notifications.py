"""Art. 19 (R1.12): the disclosure log, one notification per recipient, tracking, the subject's list."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from ijinus_privacy.personal_data import registry
from requests_dsar.erasure.notifications import (
    disclosure_record,
    notification_mark_acknowledged,
    notification_mark_impossible,
    notification_mark_sent,
    notifications_create_for,
    recipients_notified,
)
from requests_dsar.erasure.services import erasure_execute
from requests_dsar.models import ChangeKind, DisclosureLog, ErasureGround, RecipientNotification
from tests.factories import client_to_erase, disclose, dpo_user, erasure_request, give, recipient, support_user

pytestmark = pytest.mark.django_db


def test_disclosure_is_logged_with_recipient_date_categories_and_purpose():
    subject = client_to_erase()

    entry = disclose(subject, "crm", on=dt.date(2024, 5, 2))

    assert DisclosureLog.objects.get(pk=entry.pk).categories == ["contact", "identity"]
    assert entry.recipient.code == "crm"
    assert entry.purpose == "Hébergement du CRM"


def test_disclosure_needs_a_category():
    subject = client_to_erase()

    crm = recipient("crm")

    with pytest.raises(ValidationError):
        disclosure_record(subject=subject, recipient=crm, categories=[], purpose="x", actor=None)


def test_disclosures_appear_in_the_access_data():
    subject = client_to_erase()
    disclose(subject, "carriers")

    collected = registry.get("requests_dsar.disclosures").collect(subject.pk)

    assert [record["recipient"] for record in collected.records] == ["Carriers"]


def test_erasure_creates_one_task_per_recipient_that_received_the_data():
    dpo = dpo_user()
    subject = client_to_erase()
    other = client_to_erase(email="autre@exemple.fr", phone="0102030405", last_name="Autre", first_names="Paul")
    disclose(subject, "crm", on=dt.date(2024, 1, 5))
    disclose(subject, "crm", on=dt.date(2024, 6, 5))
    disclose(subject, "carriers")
    disclose(other, "emailing")
    request = erasure_request(subject, actor=dpo)

    record = erasure_execute(request=request, ground=ErasureGround.NO_LONGER_NECESSARY, justification="ok", actor=dpo)

    tasks = RecipientNotification.objects.filter(request=request).order_by("recipient__code")
    # the logged disclosures (crm, carriers) and the register's recipients of this client's processing
    assert [t.recipient.code for t in tasks] == [
        "accountant",
        "analytics",
        "carriers",
        "crm",
        "emailing",
        "hosting",
        "maintenance",
        "partners",
        "social-networks",
    ]
    assert {(t.change_kind, t.status) for t in tasks} == {(ChangeKind.ERASURE, RecipientNotification.Status.PENDING)}
    assert tasks.get(recipient__code="crm").last_disclosed_on == dt.date(2024, 6, 5)
    assert record.record.notifications == 9
    assert not DisclosureLog.objects.filter(subject_id=subject.pk).exists()
    assert DisclosureLog.objects.filter(subject=other).count() == 1


def test_r1_12_2_internal_departments_and_authorities_get_no_task():
    subject = client_to_erase()

    created = notifications_create_for(subject=subject, change_kind=ChangeKind.RECTIFICATION, request=None, actor=None)

    kinds = {task.recipient.kind for task in created}
    assert created
    assert kinds <= {"processor", "partner", "social_network"}


def test_r1_12_2_a_register_recipient_is_told_without_a_logged_disclosure(today):
    # given a client whose orders go to the carriers (register P03), with no disclosure logged
    subject = client_to_erase()

    created = notifications_create_for(subject=subject, change_kind=ChangeKind.RECTIFICATION, request=None, actor=None)

    carriers = next(task for task in created if task.recipient.code == "carriers")
    assert "order" in carriers.categories
    assert carriers.last_disclosed_on == today


def test_creating_twice_for_the_same_request_is_harmless():
    dpo = dpo_user()
    subject = client_to_erase()
    disclose(subject, "crm")
    request = erasure_request(subject, actor=dpo)

    first = notifications_create_for(subject=subject, change_kind=ChangeKind.RESTRICTION, request=request, actor=dpo)
    again = notifications_create_for(subject=subject, change_kind=ChangeKind.RESTRICTION, request=request, actor=dpo)

    assert again == []
    assert RecipientNotification.objects.count() == len(first) > 1


def _one_task():
    subject = client_to_erase()
    disclose(subject, "crm")
    tasks = notifications_create_for(subject=subject, change_kind=ChangeKind.RECTIFICATION, request=None, actor=None)
    return next(task for task in tasks if task.recipient.code == "crm")


def test_task_tracked_to_sent_then_acknowledged():
    support = support_user()
    task = _one_task()

    notification_mark_sent(notification=task, actor=support)
    task = notification_mark_acknowledged(notification=task, actor=support)

    task.refresh_from_db()
    assert task.status == RecipientNotification.Status.ACKNOWLEDGED
    assert task.sent_at is not None
    assert task.acknowledged_at is not None
    assert task.closed_by_username == "support"


def test_impossible_needs_a_justification():
    task = _one_task()

    with pytest.raises(ValidationError):
        notification_mark_impossible(notification=task, justification="  ", actor=None)
    task.refresh_from_db()
    assert task.status == RecipientNotification.Status.PENDING

    notification_mark_impossible(notification=task, justification="Prestataire liquidé en 2025", actor=None)
    task.refresh_from_db()
    assert task.status == RecipientNotification.Status.IMPOSSIBLE


def test_a_closed_task_cannot_be_sent_again():
    task = _one_task()
    notification_mark_acknowledged(notification=task, actor=None)

    with pytest.raises(ValidationError):
        notification_mark_sent(notification=task, actor=None)


def test_the_subject_can_be_given_the_list_of_recipients_notified():
    task = _one_task()
    notification_mark_sent(notification=task, actor=None)

    listed = recipients_notified(subject_id=task.subject_ref)

    crm = next(item for item in listed if item["recipient"] == "CRM provider")
    assert crm == {
        "recipient": "CRM provider",
        "names": {
            "fr": "Prestataire de gestion de la relation client",
            "en": "Customer-relationship management provider",
        },
        "kinds": {"fr": "sous-traitant", "en": "processor"},
        "kind": "Subcontractor / processor (Art. 28)",
        "change": "Rectification (Art. 16)",
        "status": "Sent",
        "categories": ["contact", "identity"],
    }


def test_a_restriction_placed_on_the_subject_creates_a_task_per_recipient_in_the_same_transaction():
    from subjects.models import Restriction
    from subjects.services.restriction import restriction_place

    subject = client_to_erase()
    disclose(subject, "crm")
    disclose(subject, "emailing")

    restriction_place(subject=subject, ground=Restriction.Ground.ACCURACY_CONTESTED, actor=dpo_user())

    tasks = RecipientNotification.objects.filter(subject_ref=subject.pk, change_kind=ChangeKind.RESTRICTION)
    assert {"crm", "emailing", "carriers"} <= set(tasks.values_list("recipient__code", flat=True))


def test_r1_11_3_sharing_restricted_data_with_a_recipient_is_refused_without_an_override():
    from subjects.models import Restriction, RestrictionOverride
    from subjects.services.restriction import override_record, restriction_place

    dpo = dpo_user()
    subject = client_to_erase()
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False):
        restriction = restriction_place(subject=subject, ground=Restriction.Ground.ACCURACY_CONTESTED, actor=dpo)
        crm = recipient("crm")

        with pytest.raises(ValidationError, match="restricted"):
            disclosure_record(subject=subject, recipient=crm, categories=["contact"], purpose="Relance", actor=dpo)
        assert not DisclosureLog.objects.filter(subject=subject).exists()

        # A disclosure made before the restriction began is a fact the log must still hold (Art. 15(1)(c)).
        disclosure_record(
            subject=subject,
            recipient=crm,
            categories=["contact"],
            purpose="Hébergement",
            actor=dpo,
            disclosed_on=dt.date(2026, 2, 27),
        )
        override_record(
            restriction=restriction,
            purpose=RestrictionOverride.Purpose.LEGAL_CLAIMS,
            operation=RestrictionOverride.Operation.EXPORT,
            justification="Transmission à notre avocat pour le litige en cours.",
            actor=dpo,
        )
        disclosure_record(subject=subject, recipient=crm, categories=["contact"], purpose="Litige", actor=dpo)

    assert sorted(DisclosureLog.objects.filter(subject=subject).values_list("purpose", flat=True)) == [
        "Hébergement",
        "Litige",
    ]


def test_r2_6_5_r5_5_2_passing_data_to_a_commercial_partner_needs_the_persons_consent_in_force_that_day():
    from consents.models import Channel, ConsentEvent, Recipient

    dpo = dpo_user()
    subject = client_to_erase()
    partners, _created = Recipient.objects.update_or_create(
        code="partners", defaults={"name": "Partenaires commerciaux", "kind": Recipient.Kind.PARTNER}
    )

    with pytest.raises(ValidationError, match="consent"):
        disclosure_record(
            subject=subject, recipient=partners, categories=["contact"], purpose="Offres partenaires", actor=dpo
        )
    assert not DisclosureLog.objects.filter(subject=subject).exists()

    give(subject, Channel.PARTNER_SHARING, at=dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC))
    give(
        subject,
        Channel.PARTNER_SHARING,
        at=dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC),
        action=ConsentEvent.Action.WITHDRAWN,
    )

    # While the consent was in force the disclosure is lawful and logged; after the withdrawal it is refused.
    disclosure_record(
        subject=subject,
        recipient=partners,
        categories=["contact"],
        purpose="Offres partenaires",
        actor=dpo,
        disclosed_on=dt.date(2026, 4, 2),
    )
    with pytest.raises(ValidationError, match="consent"):
        disclosure_record(
            subject=subject,
            recipient=partners,
            categories=["contact"],
            purpose="Offres partenaires",
            actor=dpo,
            disclosed_on=dt.date(2026, 6, 2),
        )
    assert list(DisclosureLog.objects.filter(subject=subject).values_list("disclosed_on", flat=True)) == [
        dt.date(2026, 4, 2)
    ]


def test_r5_5_2_the_admin_refuses_a_partner_disclosure_without_consent_beside_the_form(client):
    from consents.models import Recipient

    dpo = dpo_user()
    client.force_login(dpo)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    subject = client_to_erase()
    partners, _created = Recipient.objects.update_or_create(
        code="partners", defaults={"name": "Partenaires commerciaux", "kind": Recipient.Kind.PARTNER}
    )

    response = client.post(
        reverse("admin:requests_dsar_disclosurelog_add"),
        {
            "subject": subject.pk,
            "recipient": partners.pk,
            "disclosed_on": "02/04/2026",
            "categories": '["contact"]',
            "purpose": "Offres partenaires",
        },
    )

    assert response.status_code == 200
    assert "consentement préalable" in response.text
    assert not DisclosureLog.objects.filter(subject=subject).exists()
