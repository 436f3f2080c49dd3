import pytest
from django.contrib.auth.models import Group

from ijinus_privacy import roles
from tests.factories import archivist_user, dpo_user, support_user

pytestmark = pytest.mark.django_db


def test_migrate_creates_the_three_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {roles.DPO, roles.CUSTOMER_SERVICE, roles.ARCHIVIST}


def test_sync_is_idempotent_and_repairs_hand_edits():
    first = roles.roles_sync()
    Group.objects.get(name=roles.CUSTOMER_SERVICE).permissions.clear()

    second = roles.roles_sync()

    assert first == second
    assert Group.objects.get(name=roles.CUSTOMER_SERVICE).permissions.count() == first[roles.CUSTOMER_SERVICE]


def test_customer_service_views_and_logs_but_never_deletes_or_audits():
    user = support_user()

    assert user.has_perm("subjects.view_datasubject")
    assert user.has_perm("subjects.change_datasubject")
    assert not user.has_perm("subjects.delete_datasubject")
    assert not user.has_perm("ijinus_privacy.view_auditevent")


def test_dpo_reads_the_audit_trail_and_deletes_subjects():
    user = dpo_user()

    assert user.has_perm("ijinus_privacy.view_auditevent")
    assert user.has_perm("subjects.delete_datasubject")
    assert not user.has_perm("ijinus_privacy.change_auditevent")


def test_archivist_sees_the_archive_only():
    user = archivist_user()

    assert user.has_perm("retention.access_archive")
    assert user.has_perm("requests_dsar.view_erasurekeep")
    assert not user.has_perm("subjects.view_datasubject")
    assert not user.has_perm("subjects.view_invoice")
    assert not user.has_perm("subjects.change_datasubject")
    assert not user.has_perm("ijinus_privacy.view_auditevent")


def test_negative_patterns_remove_what_was_granted():
    available = {"a.view_x": "p1", "a.delete_x": "p2", "b.view_y": "p3"}

    granted = roles.permissions_for(("a.*", "b.*", "-*.delete_*"), available)

    assert granted == {"p1", "p3"}
