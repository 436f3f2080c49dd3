"""R4.7.2: what the retention sweep deletes or anonymises here goes in the connected systems too
(the processors holding copies, Art. 28(3)(g)), and the confirmations are followed on the sweep's
page; against the real test servers of the e-mailing tool and the ijitrack platform."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from connectors.models import Action, ConnectorTask
from connectors.services import task_run
from ijinus_privacy.models import AuditEvent
from retention.services import sweep
from subjects.models import DataSubject
from tests.factories import dpo_user, subject_with_role

from .conftest import ijitrack_system, mailchimp_system
from .servers import closed_port

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 26)


@pytest.fixture
def prospects():
    """Two prospects whose 3 years ran out, known to both systems; one still within its period."""
    expired = [subject_with_role("prospect", collected_on=date(2022, 1, 10)) for _ in range(2)]
    kept = subject_with_role("prospect", collected_on=date(2025, 6, 1))
    return expired, kept


def _sweep(capture, *, commit=True):
    with capture(execute=True):
        return sweep(now=AS_OF, commit=commit, batch_size=10)


def _page(client, run) -> str:
    client.force_login(dpo_user())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(reverse("admin:retention_sweeprun_change", args=[run.pk]))
    assert response.status_code == 200
    return response.text


def test_r4_7_2_people_the_sweep_deletes_are_erased_in_both_connected_systems(
    client, prospects, ijitrack_server, mailchimp_server, django_capture_on_commit_callbacks
):
    expired, kept = prospects
    for person in (*expired, kept):
        ijitrack_server.add_account(person.email)
    members = {person.pk: mailchimp_server.add_member(person.email) for person in (*expired, kept)}
    ijitrack, emailing = ijitrack_system(ijitrack_server.url), mailchimp_system(mailchimp_server.url)

    run = _sweep(django_capture_on_commit_callbacks)

    assert run.counts["prospect"] == {"roles_ended": 2, "subjects_deleted": 2}
    assert not DataSubject.objects.filter(pk__in=[person.pk for person in expired]).exists()
    tasks = ConnectorTask.objects.filter(sweep_run=run)
    assert sorted((task.subject_ref, task.system_id) for task in tasks) == sorted(
        (person.pk, system.pk) for person in expired for system in (ijitrack, emailing)
    )
    assert {(task.action, task.state, task.request_id) for task in tasks} == {(Action.ERASE, "done", None)}
    assert all(not task.lookup_encrypted for task in tasks)  # identifiers dropped once confirmed
    assert set(ijitrack_server.accounts) == {kept.email}  # the kept prospect stays everywhere
    assert mailchimp_server.deleted_permanently == {members[person.pk] for person in expired}
    created = AuditEvent.objects.filter(action="create", object_type="connectors.connectortask")
    assert created.count() == 4

    page = _page(client, run)
    assert "Copies dans les systèmes connectés (art. 28(3)(g))" in page
    assert (
        "4 tâches transmises aux systèmes connectés (effacements ; limitations pour l’archive) : 4 confirmée(s), "
        "0 en attente, 0 en échec." in page
    )
    assert f"?sweep_run__id__exact={run.pk}" in page


def test_r4_7_2_a_system_down_keeps_its_erasures_waiting_with_the_identifiers_and_the_page_says_so(
    client, prospects, ijitrack_server, django_capture_on_commit_callbacks
):
    expired, _kept = prospects
    for person in expired:
        ijitrack_server.add_account(person.email)
    platform = ijitrack_system(closed_port())  # the platform is down tonight

    run = _sweep(django_capture_on_commit_callbacks)

    waiting = list(ConnectorTask.objects.filter(sweep_run=run).order_by("subject_ref"))
    assert [(task.state, task.attempts) for task in waiting] == [("waiting", 1), ("waiting", 1)]
    # Deleted here already; the platform still needs to find them: kept encrypted until it confirms.
    assert sorted(task.lookup()["email"] for task in waiting) == sorted(person.email for person in expired)
    assert (
        "2 tâches transmises aux systèmes connectés (effacements ; limitations pour l’archive) : 0 confirmée(s), "
        in (_page(client, run))
    )

    platform.base_url = ijitrack_server.url  # back up: the next attempts carry the erasures out
    platform.save(update_fields=["base_url"])
    for task in waiting:
        assert task_run(task_id=task.pk, now=task.next_attempt_at).state == ConnectorTask.State.DONE

    assert ijitrack_server.accounts == {}
    assert "2 confirmée(s), 0 en attente, 0 en échec." in _page(client, run)


def test_r4_7_2_the_task_list_names_the_sweep_it_came_from(
    client, prospects, ijitrack_server, django_capture_on_commit_callbacks
):
    ijitrack_system(ijitrack_server.url)
    run = _sweep(django_capture_on_commit_callbacks)
    client.force_login(dpo_user())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    listing = client.get(reverse("admin:connectors_connectortask_changelist") + f"?sweep_run__id__exact={run.pk}")

    assert listing.status_code == 200
    assert listing.text.count(f"balayage de conservation n° {run.pk}") == 2


def test_r4_7_2_a_dry_run_passes_nothing_on(prospects, ijitrack_server, django_capture_on_commit_callbacks):
    ijitrack_system(ijitrack_server.url)

    run = _sweep(django_capture_on_commit_callbacks, commit=False)

    assert run.counts["prospect"] == {"roles_ended": 2, "subjects_deleted": 2}
    assert not ConnectorTask.objects.exists()
    assert ijitrack_server.carried_out == []


def test_r4_7_2_without_connected_systems_the_sweep_page_says_nothing_of_them(
    client, prospects, django_capture_on_commit_callbacks
):
    run = _sweep(django_capture_on_commit_callbacks)

    assert run.counts["prospect"] == {"roles_ended": 2, "subjects_deleted": 2}
    assert not ConnectorTask.objects.exists()
    assert 'id="sweep-forwarded"' not in _page(client, run)


def test_r4_7_2_people_entering_the_archive_are_restricted_in_the_connected_systems(
    client, ijitrack_server, mailchimp_server, django_capture_on_commit_callbacks
):
    """Kept for legal claims only (intermediate archive): the systems stop processing them too."""
    archived = subject_with_role("inactive_client", collected_on=date(2012, 1, 1), contract_end_on=date(2020, 5, 1))
    ijitrack_server.add_account(archived.email)
    mailchimp_server.add_member(archived.email)
    ijitrack, emailing = ijitrack_system(ijitrack_server.url), mailchimp_system(mailchimp_server.url)

    run = _sweep(django_capture_on_commit_callbacks)

    assert run.counts["inactive-client-contract"] == {"subjects_archived": 1}
    assert DataSubject.objects.filter(pk=archived.pk).exists()  # kept here, in the archive
    tasks = ConnectorTask.objects.filter(sweep_run=run)
    assert sorted((task.system_id, task.action, task.state) for task in tasks) == sorted(
        (system.pk, Action.RESTRICT, "done") for system in (ijitrack, emailing)
    )
    assert all(task.subject_ref == archived.pk for task in tasks)
    assert "2 tâches transmises aux systèmes connectés" in _page(client, run)


def test_r4_7_2_an_inactive_or_non_erasing_system_is_not_asked(
    prospects, ijitrack_server, mailchimp_server, django_capture_on_commit_callbacks
):
    ijitrack_system(ijitrack_server.url, active=False)
    mailchimp_system(mailchimp_server.url, supports_erase=False, supports_anonymise=False)

    _sweep(django_capture_on_commit_callbacks)

    assert not ConnectorTask.objects.exists()
