"""Consent wording check, re-consent, policy-change campaigns and Art. 14 information (issue 18)."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consents import selectors
from consents.models import (
    Channel,
    ConsentPurposeSetting,
    ConsentTextReview,
    IndirectCollection,
    Notice,
    PolicyNotification,
    PolicyNotificationCampaign,
    ProcessingActivity,
    ReconsentCause,
    ReconsentFlag,
)
from consents.services import activity_update, consent_record, notice_create
from consents.services import information as info
from ijinus_privacy.models import AuditEvent, OutboxMessage
from tests import factories as f
from tests.mail import deliver

pytestmark = pytest.mark.django_db

FULL = dict(f.CHECKED_CONSENT_TEXT)


def _wording(text: str, channel: str = Channel.PHONE_MARKETING) -> Notice:
    return notice_create(
        kind=Notice.Kind.CONSENT_TEXT,
        channel=channel,
        language="fr",
        effective_on=date(2026, 1, 1),
        title="Prospection téléphonique",
        text=text,
        actor=None,
    )


# --- Consent wording (EDPB 05/2020 §3.3.1; Art. 7(3), Art. 13(2)(c)) ------------------------------------------


def test_r2_2_2_consent_text_without_withdrawal_right_cannot_be_activated(today):
    notice = _wording("IJINUS SAS vous appellera pour vous présenter ses capteurs, avec votre numéro de téléphone.")

    with pytest.raises(ValidationError) as error:
        info.consent_text_check(notice=notice, checklist=FULL, actor=f.dpo_user())

    message = " ".join(error.value.messages)
    assert "the right to withdraw consent at any time" in message
    assert "never says withdraw" in message
    assert ConsentTextReview.objects.get(notice=notice).status == ConsentTextReview.Status.PENDING


def test_r2_2_2_the_error_lists_every_element_the_dpo_did_not_confirm(today):
    notice = _wording("IJINUS SAS : vous pouvez retirer votre consentement à tout moment.")

    with pytest.raises(ValidationError) as error:
        info.consent_text_check(notice=notice, checklist={"states_withdrawal": True}, actor=f.dpo_user())

    message = " ".join(error.value.messages)
    for element in ("the controller's identity", "the purpose", "the data collected"):
        assert f"{element} (not confirmed by the DPO)" in message


def test_r2_2_2_a_wording_that_does_not_name_the_controller_is_refused(today):
    notice = _wording("Nous vous appellerons. You can withdraw your consent at any time.")

    with pytest.raises(ValidationError) as error:
        info.consent_text_check(notice=notice, checklist=FULL, actor=f.dpo_user())

    assert "the text does not name IJINUS" in " ".join(error.value.messages)


def test_r2_2_3_a_wording_that_makes_a_service_depend_on_the_consent_is_refused(today):
    notice = _wording(
        "IJINUS SAS vous appellera pour vous présenter ses capteurs. Ce consentement est obligatoire pour "
        "obtenir votre devis. Vous pouvez retirer votre consentement à tout moment."
    )

    with pytest.raises(ValidationError) as error:
        info.consent_text_check(notice=notice, checklist=FULL, actor=f.dpo_user())

    message = " ".join(error.value.messages)
    assert "freely given (Art. 7(4))" in message
    assert "“obligatoire”" in message
    assert ConsentTextReview.objects.get(notice=notice).status == ConsentTextReview.Status.PENDING

    # Said without the condition, the same wording may be used.
    fixed = _wording(
        "IJINUS SAS vous appellera pour vous présenter ses capteurs. Votre devis ne dépend pas de ce choix. "
        "Vous pouvez retirer votre consentement à tout moment."
    )
    assert info.consent_text_check(notice=fixed, checklist=FULL, actor=f.dpo_user()).status == (
        ConsentTextReview.Status.ACTIVATED
    )


def test_r2_2_2_transfers_must_be_stated_when_the_register_entry_sends_data_abroad(today):
    ConsentPurposeSetting.objects.filter(channel=Channel.PHONE_MARKETING).update(
        activity=ProcessingActivity.objects.get(code="P08")
    )
    ProcessingActivity.objects.filter(code="P08").update(transfers_outside_eu=ProcessingActivity.Transfers.YES)
    notice = _wording("IJINUS SAS vous appellera. Vous pouvez retirer votre consentement à tout moment.")
    checklist = {**FULL, "transfers_relevant": False, "states_transfers": False}

    with pytest.raises(ValidationError) as error:
        info.consent_text_check(notice=notice, checklist=checklist, actor=f.dpo_user())

    assert "the transfers outside the EU/EEA and their risks" in " ".join(error.value.messages)


def test_r2_2_2_an_unchecked_wording_cannot_record_a_consent_and_a_checked_one_can(today):
    person = f.DataSubjectFactory()
    notice = _wording("IJINUS SAS vous appellera. Vous pouvez vous désinscrire à tout moment.")
    consent = {
        "subject": person,
        "channel": Channel.PHONE_MARKETING,
        "action": "given",
        "notice": notice,
        "collection_point": "web_form",
        "mechanism": "unticked_checkbox",
        "language": "fr",
        "entered_by": "subject",
        "actor": None,
    }

    with pytest.raises(ValidationError) as error:
        consent_record(**consent)
    assert "not been checked by the DPO" in " ".join(error.value.messages)

    review = info.consent_text_check(notice=notice, checklist=FULL, actor=f.dpo_user())
    event = consent_record(**consent)

    assert review.status == ConsentTextReview.Status.ACTIVATED
    assert review.reviewed_by.username == "dpo"
    assert event.notice == notice
    assert AuditEvent.objects.filter(object_type="consents.consenttextreview", object_id=str(review.pk)).exists()


# --- Re-consent (EDPB 05/2020 ¶¶110-111) ---------------------------------------------------------------------


def _consented(n: int, *, channel: str = Channel.NEWSLETTER_EMAIL, days_ago: int = 30) -> list:
    at = timezone.now() - timedelta(days=days_ago)
    people = [f.DataSubjectFactory() for _ in range(n)]
    for person in people:
        f.give(person, channel, at=at)
    return people


def test_r2_4_1_a_new_purpose_in_the_register_flags_everyone_who_consented_before(today):
    people = _consented(3)
    later = f.DataSubjectFactory()
    newsletter = ProcessingActivity.objects.get(code="P07")
    purposes = [
        {"id": p.pk, "description": p.description, "legal_basis": p.legal_basis} for p in newsletter.purposes.all()
    ]

    activity_update(
        activity=newsletter,
        changes={"purposes": [*purposes, {"description": "Profiling of readers for partners", "legal_basis": "a"}]},
        actor=f.dpo_user(),
        reason="new purpose",
    )
    f.give(later, at=timezone.now() + timedelta(minutes=1))

    flags = ReconsentFlag.objects.open().filter(channel=Channel.NEWSLETTER_EMAIL)
    assert sorted(flags.values_list("subject_id", flat=True)) == sorted(p.pk for p in people)
    cause = ReconsentCause.objects.get()
    assert cause.kind == ReconsentCause.Kind.PURPOSE_CHANGED
    assert "P07" in cause.reason
    assert "new or changed purpose" in cause.reason
    assert cause.flagged_count == 3
    assert AuditEvent.objects.filter(object_type="consents.reconsentcause", object_id=str(cause.pk)).exists()


def test_r2_4_1_a_change_of_status_or_open_questions_flags_nobody(today):
    _consented(2)

    activity_update(
        activity=ProcessingActivity.objects.get(code="P07"),
        changes={"open_questions": "Ask the DPO about the tool's sub-processors."},
        actor=f.dpo_user(),
        reason="wording",
    )

    assert not ReconsentFlag.objects.exists()


def test_r2_4_1_new_recipients_are_substantive():
    previous = {"purposes": [], "recipients": ["staff-sales"], "transfers_outside_eu": "none"}
    state = {"purposes": [], "recipients": ["staff-sales", "emailing-tool"], "transfers_outside_eu": "yes"}

    assert info.register_change_is_substantive(previous, state) == [
        "new recipients",
        "new transfers outside the EU/EEA",
    ]


def test_r2_4_1_a_flagged_consent_does_not_cover_the_purpose_until_the_person_consents_again(today):
    (person,) = _consented(1)
    info.reconsent_flag(
        channel=Channel.NEWSLETTER_EMAIL, kind=ReconsentCause.Kind.PURPOSE_CHANGED, reason="new recipients", actor=None
    )

    assert info.consent_covers(subject=person, channel=Channel.NEWSLETTER_EMAIL) is False
    assert person not in selectors.marketable(channel=Channel.NEWSLETTER_EMAIL)

    answer = f.give(person)

    flag = ReconsentFlag.objects.get(subject=person)
    assert flag.cleared_at is not None
    assert flag.clearing_event == answer
    assert info.consent_covers(subject=person, channel=Channel.NEWSLETTER_EMAIL) is True
    assert person in selectors.marketable(channel=Channel.NEWSLETTER_EMAIL)


def test_r2_4_1_flagging_is_one_statement_and_never_flags_a_person_twice(today, django_assert_max_num_queries):
    _consented(25)
    info.reconsent_flag(channel=Channel.NEWSLETTER_EMAIL, kind="purpose_changed", reason="first", actor=None)

    with django_assert_max_num_queries(12):
        second = info.reconsent_flag(
            channel=Channel.NEWSLETTER_EMAIL, kind="purpose_changed", reason="again", actor=None
        )

    assert second.flagged_count == 0
    assert ReconsentFlag.objects.open().count() == 25


def test_r2_4_1_a_withdrawn_consent_is_not_flagged(today):
    kept, gone = _consented(2)
    f.withdraw(gone)

    info.reconsent_flag(channel=Channel.NEWSLETTER_EMAIL, kind="purpose_changed", reason="new purpose", actor=None)

    assert list(ReconsentFlag.objects.values_list("subject_id", flat=True)) == [kept.pk]


@pytest.mark.today("2026-03-10")
def test_r2_4_2_consents_older_than_the_refresh_interval_are_flagged(today):
    ConsentPurposeSetting.objects.filter(channel=Channel.NEWSLETTER_EMAIL).update(refresh_months=24)
    (old,) = _consented(1, days_ago=800)
    (recent,) = _consented(1, days_ago=100)

    causes = info.reconsent_flag_refresh_due(today=today)
    again = info.reconsent_flag_refresh_due(today=today)

    assert [cause.kind for cause in causes] == [ReconsentCause.Kind.REFRESH_DUE]
    assert again == []
    assert list(ReconsentFlag.objects.open().values_list("subject_id", flat=True)) == [old.pk]
    assert info.consent_covers(subject=recent, channel=Channel.NEWSLETTER_EMAIL)


# --- Policy-change notification (WP260 rev.01 ¶¶29-30) --------------------------------------------------------


def _policy(language: str = "fr") -> Notice:
    return notice_create(
        kind=Notice.Kind.PRIVACY_POLICY,
        language=language,
        effective_on=date(2026, 4, 1),
        title="Politique de confidentialité v2",
        text="Texte complet de la version 2.",
        actor=None,
    )


def test_r5_6_2_a_substantive_policy_version_tells_each_person_by_e_mail_in_batches(today):
    french = [f.DataSubjectFactory(language="fr") for _ in range(5)]
    f.DataSubjectFactory(language="en")
    f.DataSubjectFactory(language="fr", email="")
    f.DataSubjectFactory(language="fr", deceased_on=date(2025, 1, 1))
    campaign = info.policy_notification_start(
        notice=_policy(), summary="Nouveau destinataire : notre outil d'e-mailing.", actor=f.dpo_user()
    )

    assert campaign.total == 5
    assert info.policy_notification_batch(campaign=campaign, batch_size=2) is True
    campaign.refresh_from_db()
    assert (campaign.notified, campaign.status) == (2, PolicyNotificationCampaign.Status.RUNNING)
    while info.policy_notification_batch(campaign=campaign, batch_size=2):
        pass
    deliver()

    campaign.refresh_from_db()
    assert (campaign.notified, campaign.status) == (5, PolicyNotificationCampaign.Status.DONE)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in french)
    message = mail.outbox[0]
    assert "Nouveau destinataire : notre outil d'e-mailing." in message.body
    assert "01/04/2026" in message.subject
    told = PolicyNotification.objects.filter(campaign=campaign)
    assert told.count() == 5
    assert not told.filter(sent_at__isnull=True).exists()
    assert OutboxMessage.objects.filter(purpose="privacy_policy_change", state="sent").count() == 5


def test_r5_6_2_a_rerun_after_a_crash_tells_nobody_twice(today):
    [f.DataSubjectFactory(language="fr") for _ in range(3)]
    campaign = info.policy_notification_start(notice=_policy(), summary="Nouvelle finalité.", actor=f.dpo_user())
    real = info.outbox_enqueue
    calls = []

    def second_fails(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("mail queue down")
        return real(**kwargs)

    with (
        mock.patch("consents.services.information.outbox_enqueue", side_effect=second_fails),
        pytest.raises(OSError, match="mail queue down"),
    ):
        info.policy_notification_batch(campaign=campaign, batch_size=3)
    assert not PolicyNotification.objects.exists()

    info.policy_notification_batch(campaign=campaign, batch_size=3)
    info.policy_notification_batch(campaign=campaign, batch_size=3)

    assert PolicyNotification.objects.count() == 3
    assert OutboxMessage.objects.filter(purpose="privacy_policy_change").count() == 3


def test_r5_6_2_only_the_dpo_starts_a_campaign_and_only_for_a_policy_version(today):
    with pytest.raises(PermissionDenied):
        info.policy_notification_start(notice=_policy(), summary="x", actor=f.support_user())
    with pytest.raises(ValidationError):
        info.policy_notification_start(notice=f.consent_notice(), summary="x", actor=f.dpo_user())


def test_r5_6_2_the_campaign_runs_through_its_task_after_commit(today, django_capture_on_commit_callbacks):
    [f.DataSubjectFactory(language="en") for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        campaign = info.policy_notification_start(notice=_policy("en"), summary="New recipients.", actor=f.dpo_user())

    campaign.refresh_from_db()
    assert campaign.status == PolicyNotificationCampaign.Status.DONE
    assert PolicyNotification.objects.filter(campaign=campaign).count() == 2


# --- Art. 14: data not obtained from the person ---------------------------------------------------------------


def test_r5_6_3_art14_due_one_month_after_collection_or_at_first_communication(today):
    person = f.DataSubjectFactory()
    fair = info.indirect_collection_record(
        subject=person,
        source_kind=IndirectCollection.SourceKind.TRADE_FAIR,
        source_detail="Salon Pollutec 2026, stand B12",
        collected_on=date(2026, 1, 31),
        actor=f.dpo_user(),
    )
    mailing = info.indirect_collection_record(
        subject=person,
        source_kind=IndirectCollection.SourceKind.PROSPECT_LIST,
        source_detail="Fichier loué à Kompass, janvier 2026",
        collected_on=date(2026, 2, 1),
        first_communication_on=date(2026, 2, 10),
        actor=f.dpo_user(),
    )

    assert fair.due_on == date(2026, 2, 28)
    assert mailing.due_on == date(2026, 2, 10)
    assert fair.source_detail == "Salon Pollutec 2026, stand B12"


@pytest.mark.today("2026-03-10")
def test_r5_6_3_overdue_people_are_listed_until_told_when_and_how(today):
    person = f.DataSubjectFactory()
    record = info.indirect_collection_record(
        subject=person, source_kind="trade_fair", source_detail="Salon", collected_on=date(2026, 1, 5), actor=None
    )
    info.indirect_collection_record(
        subject=f.DataSubjectFactory(),
        source_kind="trade_fair",
        source_detail="Salon",
        collected_on=date(2026, 3, 1),
        actor=None,
    )

    assert list(IndirectCollection.objects.overdue(today=today)) == [record]
    assert info.information_dashboard_counts(today=today)["art14_overdue"] == 1

    info.indirect_collection_informed(
        record=record, informed_on=date(2026, 3, 9), informed_how="email", notice=_policy(), actor=f.dpo_user()
    )

    record.refresh_from_db()
    assert (record.informed_on, record.informed_how) == (date(2026, 3, 9), "email")
    assert not IndirectCollection.objects.overdue(today=today).exists()


def test_r5_6_3_a_telling_date_in_the_future_is_refused(today):
    record = info.indirect_collection_record(
        subject=f.DataSubjectFactory(), source_kind="referral", source_detail="M. X", collected_on=today, actor=None
    )

    with pytest.raises(ValidationError):
        info.indirect_collection_informed(
            record=record, informed_on=today + timedelta(days=1), informed_how="email", actor=None
        )


def test_r5_6_3_the_source_is_required(today):
    with pytest.raises(ValidationError):
        info.indirect_collection_record(
            subject=f.DataSubjectFactory(), source_kind="trade_fair", source_detail=" ", collected_on=today, actor=None
        )


def test_information_is_part_of_the_access_export(today):
    person = f.DataSubjectFactory()
    info.indirect_collection_record(
        subject=person, source_kind="trade_fair", source_detail="Salon Pollutec", collected_on=today, actor=None
    )
    from consents.sources import InformationSource

    collected = InformationSource().collect(person.pk)

    assert [record["source_detail"] for record in collected.records] == ["Salon Pollutec"]
