"""The information-duty pages as the DPO sees them in a real browser (French interface).

``INFORM_SCREENS=/some/dir`` keeps a screenshot of each page there.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from consents.models import Channel
from consents.services import information as info
from consents.services.bloctel import bloctel_import
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("INFORM_SCREENS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_the_dpo_sees_flags_overdue_art14_people_and_an_old_bloctel_list(live_server, browser_page, tmp_path):
    dpo = f.dpo_user()
    people = [f.DataSubjectFactory(last_name=f"Personne{n}") for n in range(3)]
    for person in people:
        f.give(person, at=timezone.now() - timedelta(days=40))
    info.reconsent_flag(
        channel=Channel.NEWSLETTER_EMAIL, kind="purpose_changed", reason="Nouveau destinataire : partenaire", actor=dpo
    )
    info.indirect_collection_record(
        subject=people[0],
        source_kind="trade_fair",
        source_detail="Salon Pollutec 2026",
        collected_on=timezone.localdate() - timedelta(days=45),
        actor=dpo,
    )
    bloctel_import(content=b"06 12 34 56 78\n", list_date=timezone.localdate() - timedelta(days=40), actor=dpo)
    page = browser_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", dpo.username)
    page.fill("#id_password", "test-password-123")
    page.click("input[type=submit]")

    page.goto(f"{live_server.url}/admin/consents/reconsentflag/?answer=open")
    _shot(page, "reconsent-flags", tmp_path)
    assert "Finalité modifiée de façon substantielle" in page.content()
    assert page.locator("#result_list tbody tr").count() == 3

    page.goto(f"{live_server.url}/admin/consents/indirectcollection/?information=overdue")
    _shot(page, "art14-overdue", tmp_path)
    assert "Salon Pollutec 2026" in page.content()

    page.goto(f"{live_server.url}/admin/consents/bloctellist/")
    _shot(page, "bloctel-lists", tmp_path)
    assert "plus d'un mois" in page.content()

    review = f.consent_notice(Channel.NEWSLETTER_EMAIL).review
    page.goto(f"{live_server.url}/admin/consents/consenttextreview/{review.pk}/change/")
    _shot(page, "consent-wording-check", tmp_path)
    assert "Indique le droit de retirer son consentement" in page.content()


def test_a_campaign_shows_its_progress(live_server, browser_page, tmp_path):
    dpo = f.dpo_user()
    [f.DataSubjectFactory(language="fr") for _ in range(4)]
    policy = info.Notice.objects.create(
        kind="privacy_policy", language="fr", version=9, effective_on=date(2026, 4, 1), title="v9", text="Version 9."
    )
    campaign = info.PolicyNotificationCampaign.objects.create(notice=policy, summary="Nouveau sous-traitant.", total=4)
    info.policy_notification_batch(campaign=campaign, batch_size=3)
    page = browser_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", dpo.username)
    page.fill("#id_password", "test-password-123")
    page.click("input[type=submit]")

    page.goto(f"{live_server.url}/admin/consents/policynotificationcampaign/")
    _shot(page, "policy-campaigns", tmp_path)

    assert "3 / 4 (75 %)" in page.content()
