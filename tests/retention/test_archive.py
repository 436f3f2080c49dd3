"""Intermediate archive (R4.4.2): out of operational queries, Archivist only, each access with a reason."""

from datetime import date

import pytest
from django.urls import reverse

from ijinus_privacy.models import AuditEvent
from retention.models import ArchivedSubject, active_subjects, exclude_archived
from retention.services import sweep
from subjects.models import DataSubject, SubjectRole
from tests.factories import archivist_user, dpo_user, support_user
from tests.retention.factories import subject_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived():
    subject = subject_with_role("inactive_client", collected_on=date(2010, 1, 1), contract_end_on=date(2020, 1, 1))
    sweep(now=date(2026, 11, 26), commit=True)
    return ArchivedSubject.objects.get(subject=subject)


def test_archived_subject_leaves_operational_queries(archived):
    active = subject_with_role("prospect", collected_on=date(2026, 1, 1))

    assert list(active_subjects()) == [active]
    assert list(exclude_archived(SubjectRole.objects.all()).values_list("subject_id", flat=True)) == [active.pk]
    assert DataSubject.objects.count() == 2


@pytest.mark.parametrize("make_user", [support_user, dpo_user], ids=["customer service", "DPO"])
def test_customer_service_and_dpo_cannot_see_the_archive(client, archived, make_user):
    client.force_login(make_user())

    listing = client.get(reverse("admin:retention_archivedsubject_changelist"))
    consult = client.post(
        reverse("admin:retention_archivedsubject_consult", args=[archived.pk]), {"reason": "accounting"}
    )

    assert listing.status_code == 403
    assert consult.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ARCHIVE_ACCESS).exists()


def test_archivist_sees_archived_data_only_after_giving_a_reason(client, archived):
    client.force_login(archivist_user())
    url = reverse("admin:retention_archivedsubject_consult", args=[archived.pk])
    subject = archived.subject

    listing = client.get(reverse("admin:retention_archivedsubject_changelist"))
    form = client.get(url)
    refused = client.post(url, {"reason": "curiosity"})
    opened = client.post(url, {"reason": "accounting", "reference": "EXO-2024"})

    assert listing.status_code == 200
    assert form.status_code == 200
    assert subject.email not in form.text
    assert subject.email not in refused.text
    assert subject.email in opened.text
    event = AuditEvent.objects.get(action=AuditEvent.Action.ARCHIVE_ACCESS)
    assert (event.subject_id, event.actor_username, event.reason) == (subject.pk, "archivist", "accounting EXO-2024")
    assert subject.email not in str(vars(event))


def test_archive_rows_cannot_be_added_changed_or_deleted_in_the_admin(admin_client, archived):
    page = admin_client.get(reverse("admin:retention_archivedsubject_change", args=[archived.pk]))

    assert page.status_code == 200
    assert admin_client.post(reverse("admin:retention_archivedsubject_delete", args=[archived.pk])).status_code == 403


@pytest.mark.parametrize("make_user", [support_user, dpo_user], ids=["customer service", "DPO"])
def test_archived_subject_is_gone_from_the_subjects_admin(client, archived, make_user):
    active = subject_with_role("prospect", collected_on=date(2026, 1, 1))
    client.force_login(make_user())

    listing = client.get(reverse("admin:subjects_datasubject_changelist"))
    search = client.get(reverse("admin:subjects_datasubject_changelist"), {"q": archived.subject.email})
    page = client.get(reverse("admin:subjects_datasubject_change", args=[archived.subject_id]))

    assert listing.status_code == 200
    assert active.email in listing.text
    assert archived.subject.email not in listing.text
    assert list(search.context["cl"].result_list) == []
    assert page.status_code == 302  # "does not exist": redirected to the admin index
