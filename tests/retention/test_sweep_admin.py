"""The sweep button in the admin (R4.7.1): a dry run that changes nothing and reads "would", then its
commit that changes rows; DPO only; each start audited; the run's page follows it."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from ijinus_privacy.models import AuditEvent
from retention.models import SweepRun
from retention.services import sweep
from subjects.models import DataSubject
from tests.factories import archivist_user, dpo_user, subject_with_role, support_user

pytestmark = [pytest.mark.django_db, pytest.mark.today("2026-11-26")]


@pytest.fixture
def expired():
    """Three prospects whose period ran out, one still kept."""
    gone = [subject_with_role("prospect", collected_on=date(2022, 1, 10)) for _ in range(3)]
    kept = subject_with_role("prospect", collected_on=date(2026, 1, 10))
    return gone, kept


def test_the_dpo_runs_a_dry_run_then_commits_it_from_the_admin(client, expired):
    gone, kept = expired
    dpo = dpo_user()
    client.force_login(dpo)
    assert "Run a sweep (dry run first)" in client.get(reverse("admin:retention_sweeprun_changelist")).text

    # The dry run: queued (inline in tests), its page shows what would go and changes nothing.
    response = client.post(reverse("admin:retention_sweeprun_run"), follow=True)

    dry = SweepRun.objects.get()
    assert (dry.committed, dry.origin, dry.status) == (False, SweepRun.Origin.ADMIN, SweepRun.Status.SUCCEEDED)
    assert response.redirect_chain[-1][0] == reverse("admin:retention_sweeprun_change", args=[dry.pk])
    html = response.text
    assert "Dry run: nothing was changed" in html
    assert "people would be deleted: 3" in html
    assert 'id="sweep-commit"' in html
    assert DataSubject.objects.filter(pk__in=[person.pk for person in gone]).count() == 3

    # The commit: the rows go, the kept person stays.
    response = client.post(reverse("admin:retention_sweeprun_commit", args=[dry.pk]), follow=True)

    committed = SweepRun.objects.exclude(pk=dry.pk).get()
    assert (committed.committed, committed.origin) == (True, SweepRun.Origin.ADMIN)
    assert "Committed: these changes were made" in response.text
    assert "people deleted: 3" in response.text
    assert not DataSubject.objects.filter(pk__in=[person.pk for person in gone]).exists()
    assert DataSubject.objects.filter(pk=kept.pk).exists()
    reasons = list(
        AuditEvent.objects.filter(actor=dpo, object_type="retention.sweeprun").values_list("reason", flat=True)
    )
    assert sorted(reasons) == ["sweep commit started from the admin", "sweep dry run started from the admin"]


def test_a_dry_run_is_committed_only_while_it_is_the_last_run(client, expired):
    dpo = dpo_user()
    client.force_login(dpo)
    dry = sweep(commit=False)
    sweep(commit=False)  # a later run: the first one no longer tells what would go now

    response = client.post(reverse("admin:retention_sweeprun_commit", args=[dry.pk]), follow=True)

    assert "Another run started after this dry run" in response.text
    assert not SweepRun.objects.filter(committed=True).exists()
    assert DataSubject.objects.count() == 4


@pytest.mark.parametrize("make_user", [support_user, archivist_user])
def test_only_the_dpo_may_run_a_sweep(client, expired, make_user):
    client.force_login(make_user())
    dry = sweep(commit=False)

    assert client.get(reverse("admin:retention_sweeprun_run")).status_code == 403
    assert client.post(reverse("admin:retention_sweeprun_run")).status_code == 403
    assert client.post(reverse("admin:retention_sweeprun_commit", args=[dry.pk])).status_code == 403
    assert SweepRun.objects.count() == 1
    assert DataSubject.objects.count() == 4


def test_a_running_sweep_shows_its_progress_and_refreshes_itself(client, expired):
    client.force_login(dpo_user())
    run = sweep(commit=False)
    SweepRun.objects.filter(pk=run.pk).update(status=SweepRun.Status.RUNNING, counts={"prospect": {}}, skipped={})

    html = client.get(reverse("admin:retention_sweeprun_change", args=[run.pk])).text

    assert '<meta http-equiv="refresh" content="3">' in html
    assert 'id="sweep-progress-bar"' in html
    assert "Progress (this page refreshes itself)" in html
    assert 'id="sweep-commit"' not in html
