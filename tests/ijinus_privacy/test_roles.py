import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from ijinus_privacy import roles
from tests.factories import UserFactory, administrator_user, archivist_user, dpo_user, sales_user, support_user

pytestmark = pytest.mark.django_db


def test_r5_2_1_migrate_creates_the_five_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        roles.DPO,
        roles.CUSTOMER_SERVICE,
        roles.ARCHIVIST,
        roles.SALES,
        roles.ADMINISTRATOR,
    }


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


def test_r5_2_1_sales_work_prospects_and_consents_but_see_no_archive_identity_checks_breaches_or_holds():
    user = sales_user()

    assert user.has_perm("subjects.view_datasubject")
    assert user.has_perm("subjects.change_datasubject")
    assert user.has_perm("consents.add_consentevent")
    assert user.has_perm("consents.export_audience")
    forbidden = [
        "retention.access_archive",
        "retention.view_archivedsubject",
        "requests_dsar.view_request",
        "requests_dsar.verify_identity",
        "breaches.view_breach",
        "retention.view_legalhold",
        "subjects.view_restriction",
        "subjects.add_restrictionoverride",
        "subjects.view_sensitivedataflag",
        "subjects.delete_datasubject",
        "subjects.add_importjob",
        "ijinus_privacy.view_auditevent",
        "consents.change_processingactivity",
    ]
    assert [perm for perm in forbidden if user.has_perm(perm)] == []


def test_r5_2_1_only_the_dpo_approves_refusals_extensions_overrides_and_purges():
    users = [support_user(), archivist_user(), sales_user(), administrator_user()]
    dpo = dpo_user()
    patterns = ("*.approve_*", "*.decide_*", "*.extend_*", "subjects.add_restrictionoverride")
    decisions = sorted(roles.permissions_for(patterns, _available()))

    assert "retention.approve_retentionrule" in decisions
    assert [(u.username, p) for u in users for p in decisions if u.has_perm(p)] == []
    assert [p for p in decisions if not dpo.has_perm(p)] == []


def _available():
    from django.contrib.auth.models import Permission

    return {
        f"{perm.content_type.app_label}.{perm.codename}": f"{perm.content_type.app_label}.{perm.codename}"
        for perm in Permission.objects.select_related("content_type")
    }


def test_r5_2_1_the_administrator_keeps_staff_accounts_and_sees_no_personal_data():
    user = administrator_user()

    assert user.has_perm("auth.change_user")
    assert not user.has_perm("auth.change_group")
    assert not user.has_perm("auth.delete_user")
    personal = [app for app in roles.PERSONAL_DATA_APPS if user.has_module_perms(app)]
    assert personal == []
    assert not user.has_perm("ijinus_privacy.view_auditevent")


def test_r5_2_1_the_administrator_cannot_make_anyone_superuser_or_change_their_own_roles(client):
    admin = administrator_user()
    colleague = UserFactory(username="new.colleague")
    client.force_login(admin)

    other_page = client.get(reverse("admin:auth_user_change", args=[colleague.pk])).content.decode()
    own_page = client.get(reverse("admin:auth_user_change", args=[admin.pk])).content.decode()

    assert 'name="groups"' in other_page
    assert 'name="is_superuser"' not in other_page
    assert 'name="user_permissions"' not in other_page
    assert 'name="groups"' not in own_page
