"""The DPO's admin pages for the information duties: what they list, and what a post writes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from consents.models import (
    BloctelNumber,
    Channel,
    ConsentTextReview,
    IndirectCollection,
    Notice,
    PolicyNotificationCampaign,
    ReconsentFlag,
)
from consents.services import information as info
from consents.services import notice_create
from tests import factories as f

pytestmark = pytest.mark.django_db

PAGES = (
    "consenttextreview",
    "consentpurposesetting",
    "reconsentcause",
    "reconsentflag",
    "policynotificationcampaign",
    "indirectcollection",
    "bloctellist",
)


@pytest.fixture
def dpo_client(client):
    client.force_login(f.dpo_user())
    return client


@pytest.mark.parametrize("model", PAGES)
def test_every_information_page_opens_for_the_dpo(dpo_client, model, today):
    response = dpo_client.get(reverse(f"admin:consents_{model}_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", PAGES)
def test_customer_service_sees_the_lists_but_not_the_bloctel_import(client, model, today):
    client.force_login(f.support_user())

    assert client.get(reverse(f"admin:consents_{model}_changelist")).status_code == 200
    assert client.get(reverse("admin:consents_bloctellist_upload")).status_code == 403


def test_r2_2_2_the_dpo_checks_a_wording_in_the_admin_and_sees_what_is_missing(dpo_client, today):
    notice = notice_create(
        kind=Notice.Kind.CONSENT_TEXT,
        channel=Channel.MARKETING_PUSH,
        language="fr",
        effective_on=date(2026, 1, 1),
        title="Push",
        text="IJINUS SAS vous enverra des notifications sur ses offres.",
        actor=None,
    )
    url = reverse("admin:consents_consenttextreview_change", args=[notice.review.pk])
    data = dict.fromkeys(("states_controller", "states_purpose", "states_data", "states_withdrawal"), "on")
    data.update(transfers_relevant="on", states_transfers="on")

    response = dpo_client.post(url, data, follow=True)

    assert "the right to withdraw consent at any time (the text never says withdraw" in response.content.decode()
    assert ConsentTextReview.objects.get(notice=notice).status == ConsentTextReview.Status.PENDING


def test_r2_4_1_the_flag_list_filters_people_waiting_for_a_new_consent(dpo_client, today):
    waiting, answered = f.DataSubjectFactory(), f.DataSubjectFactory()
    for person in (waiting, answered):
        f.give(person, at=timezone.now() - timedelta(days=10))
    info.reconsent_flag(channel=Channel.NEWSLETTER_EMAIL, kind="purpose_changed", reason="new recipient", actor=None)
    f.give(answered)

    response = dpo_client.get(reverse("admin:consents_reconsentflag_changelist") + "?answer=open")

    assert list(response.context["cl"].result_list) == [ReconsentFlag.objects.get(subject=waiting)]
    assert "Purpose changed substantively (EDPB 05/2020 ¶110) — new recipient" in response.content.decode()


def test_r2_4_1_the_dpo_flags_a_purpose_for_re_consent_from_the_admin(dpo_client, today):
    person = f.DataSubjectFactory()
    f.give(person, at=timezone.now() - timedelta(days=10))
    setting = info.ConsentPurposeSetting.objects.get(channel=Channel.NEWSLETTER_EMAIL)

    response = dpo_client.post(
        reverse("admin:consents_consentpurposesetting_changelist"),
        {"action": "flag_for_reconsent", "_selected_action": [setting.pk], "reason": "New partner receives the list"},
        follow=True,
    )

    assert "1 people flagged for a new consent." in response.content.decode()
    assert ReconsentFlag.objects.open().filter(subject=person).exists()


def test_r5_6_2_the_dpo_starts_a_campaign_and_sees_its_progress(dpo_client, today, django_capture_on_commit_callbacks):
    [f.DataSubjectFactory(language="fr") for _ in range(3)]
    policy = notice_create(
        kind=Notice.Kind.PRIVACY_POLICY,
        language="fr",
        effective_on=date(2026, 4, 1),
        title="v2",
        text="Version 2.",
        actor=None,
    )

    with django_capture_on_commit_callbacks(execute=True):
        dpo_client.post(
            reverse("admin:consents_policynotificationcampaign_add"),
            {"notice": policy.pk, "summary": "Nouveau sous-traitant hors UE."},
        )
    response = dpo_client.get(reverse("admin:consents_policynotificationcampaign_changelist"))

    assert PolicyNotificationCampaign.objects.get().status == PolicyNotificationCampaign.Status.DONE
    assert "3 / 3 (100 %)" in response.content.decode()


@pytest.mark.today("2026-03-10")
def test_r5_6_3_the_overdue_filter_lists_people_not_told_in_time(dpo_client, today):
    late = info.indirect_collection_record(
        subject=f.DataSubjectFactory(),
        source_kind="trade_fair",
        source_detail="Salon",
        collected_on=date(2026, 1, 2),
        actor=None,
    )
    info.indirect_collection_record(
        subject=f.DataSubjectFactory(), source_kind="trade_fair", source_detail="Salon", collected_on=today, actor=None
    )

    response = dpo_client.get(reverse("admin:consents_indirectcollection_changelist") + "?information=overdue")

    assert list(response.context["cl"].result_list) == [late]
    assert IndirectCollection.objects.count() == 2


@pytest.mark.today("2026-03-10")
def test_r2_7_1_the_dpo_imports_the_list_and_sees_row_errors(dpo_client, today):
    url = reverse("admin:consents_bloctellist_upload")
    bad = SimpleUploadedFile("bloctel.csv", b"06 12 34 56 78\nabc 1\n")

    response = dpo_client.post(url, {"file": bad, "list_date": "2026-03-02"})

    assert "Line 2: not a phone number." in response.content.decode()
    assert not BloctelNumber.objects.exists()

    good = SimpleUploadedFile("bloctel.csv", b"06 12 34 56 78\n06 98 76 54 32\n")
    response = dpo_client.post(url, {"file": good, "list_date": "2026-03-02"}, follow=True)

    assert "2 numbers imported" in response.content.decode()
    assert BloctelNumber.objects.count() == 2
