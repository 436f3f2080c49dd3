import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from ijinus_privacy import audit, audit_triggers
from ijinus_privacy.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_events(count: int = 3) -> list[AuditEvent]:
    actor = UserFactory()
    return [
        audit.record(
            action=audit.Action.VIEW,
            actor=actor,
            object_type="subjects.datasubject",
            object_id=n,
            subject_id=n,
            fields=["email", "last_name"],
        )
        for n in range(1, count + 1)
    ]


def test_events_are_chained_and_hold_names_not_values():
    first, second, _third = make_events()

    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert second.fields == ["email", "last_name"]
    assert second.actor_username.startswith("staff")
    assert audit.verify_chain() is None


def test_database_refuses_update_of_an_event():
    event = make_events(1)[0]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="tampered")

    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_database_refuses_delete_of_an_event():
    event = make_events(1)[0]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deleting_a_staff_account_keeps_its_history_and_the_chain():
    event = make_events(1)[0]
    username = event.actor_username

    event.actor.delete()

    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_username == username
    assert event.actor_pk is not None
    call_command("audit_verify")


def test_audit_verify_passes_on_an_intact_chain(capsys):
    make_events()

    call_command("audit_verify")

    assert "intact: 3 events" in capsys.readouterr().out


def tamper(sql: str, params: list) -> None:
    """Edit the table behind the application's back, as someone with database access could."""
    audit_triggers.uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    audit_triggers.install(connection)


def test_audit_verify_names_the_first_altered_event():
    _first, second, _third = make_events()
    tamper("UPDATE ijinus_privacy_auditevent SET reason = %s WHERE id = %s", ["nothing to see", second.pk])

    with pytest.raises(CommandError, match=f"#{second.pk}: content does not match"):
        call_command("audit_verify")


def test_audit_verify_detects_a_removed_event():
    _first, second, third = make_events()
    tamper("DELETE FROM ijinus_privacy_auditevent WHERE id = %s", [second.pk])

    with pytest.raises(CommandError, match=f"#{third.pk}: previous-hash link broken"):
        call_command("audit_verify")


def test_failed_login_is_audited_without_the_attempted_username(client):
    client.post("/admin/login/", {"username": "someone@example.org", "password": "wrong"})

    event = AuditEvent.objects.get(action=audit.Action.LOGIN_FAILED)
    assert "someone" not in str(vars(event))


def test_login_is_audited(client):
    user = UserFactory(is_superuser=True)

    client.post("/admin/login/", {"username": user.username, "password": "test-password-123"})

    assert AuditEvent.objects.filter(action=audit.Action.LOGIN, actor=user).exists()


def test_a_kept_anchor_detects_the_removal_of_the_latest_events(capsys):
    make_events(3)
    call_command("audit_verify")
    anchor = capsys.readouterr().out.split("Anchor to keep outside the database: ")[1].strip()
    last_id = int(anchor.split(":")[0])

    call_command("audit_verify", anchor=anchor)  # still there: passes
    tamper("DELETE FROM ijinus_privacy_auditevent WHERE id = %s", [last_id])

    call_command("audit_verify")  # the shortened chain alone still links up
    with pytest.raises(CommandError, match=f"Anchor #{last_id} is no longer in the audit trail"):
        call_command("audit_verify", anchor=anchor)


def test_a_malformed_anchor_is_a_clear_error():
    with pytest.raises(CommandError, match="--anchor must look like"):
        call_command("audit_verify", anchor="not-an-anchor")
