import hashlib
import json
from datetime import UTC

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ijinus_privacy import audit, audit_triggers
from ijinus_privacy.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KEY_A = "key-a-0123456789-abcdefghijklmnopqrstuvwxyz"
KEY_B = "key-b-0123456789-abcdefghijklmnopqrstuvwxyz"


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


def unkeyed_digest(event: AuditEvent) -> str:
    """The chain's original, unkeyed hash (SHA-256 of the event's fields): what anyone can compute."""
    payload = {
        "prev": event.prev_hash,
        "at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_pk": event.actor_pk,
        "actor": event.actor_username,
        "action": event.action,
        "type": event.object_type,
        "id": event.object_id,
        "subject": event.subject_id,
        "fields": list(event.fields),
        "reason": event.reason,
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def rewrite_as_superuser(events: list[AuditEvent], *, reason: str, key_id: str | None = None) -> None:
    """A database superuser without the key: lift the triggers, change the first event's reason and
    recompute every later link with the unkeyed hash (optionally marking the events as unkeyed)."""
    previous = events[0].prev_hash
    audit_triggers.uninstall(connection)
    with connection.cursor() as cursor:
        for n, event in enumerate(events):
            event.refresh_from_db()
            event.prev_hash = previous
            if n == 0:
                event.reason = reason
            if key_id is not None:
                event.key_id = key_id
            event.hash = unkeyed_digest(event)
            cursor.execute(
                "UPDATE ijinus_privacy_auditevent SET reason = %s, prev_hash = %s, hash = %s, key_id = %s "
                "WHERE id = %s",
                [event.reason, event.prev_hash, event.hash, event.key_id, event.pk],
            )
            previous = event.hash
    audit_triggers.install(connection)


def test_events_carry_the_current_key_id_and_a_keyed_hash(settings):
    settings.AUDIT_HMAC_KEYS = {"2026-12": KEY_A}

    events = make_events()

    assert {event.key_id for event in events} == {"2026-12"}
    assert all(event.hash != unkeyed_digest(event) for event in events)
    assert audit.verify_chain() is None


@pytest.mark.parametrize("key_id", [None, ""], ids=["keeps-key-id", "marks-unkeyed"])
def test_a_rewrite_with_recomputed_unkeyed_hashes_is_detected(key_id, capsys):
    _first, second, third = make_events()
    call_command("audit_verify")
    capsys.readouterr()

    rewrite_as_superuser([second, third], reason="nothing to see", key_id=key_id)

    assert AuditEvent.objects.get(pk=third.pk).prev_hash == AuditEvent.objects.get(pk=second.pk).hash
    with pytest.raises(CommandError, match=f"Audit trail broken at event #{second.pk}: "):
        call_command("audit_verify")


def test_a_whole_chain_rewritten_as_unkeyed_is_caught_by_the_published_anchor():
    from ijinus_privacy.audit_anchors import audit_anchor_publish

    first, second, third = make_events()
    anchor = audit_anchor_publish()

    everything = list(AuditEvent.objects.order_by("id"))  # the anchor's e-mail, queued, is an event too
    assert everything[:3] == [first, second, third]
    rewrite_as_superuser(everything, reason="nothing to see", key_id="")

    assert audit.verify_chain() is None  # legacy-looking from the start: only the anchor can tell
    with pytest.raises(CommandError, match=f"Anchor #{anchor.event_id} does not match"):
        call_command("audit_verify")


def test_after_a_key_rotation_events_under_both_keys_verify(settings, capsys):
    settings.AUDIT_HMAC_KEYS = {"a": KEY_A}
    before = make_events(2)
    settings.AUDIT_HMAC_KEYS = {"b": KEY_B, "a": KEY_A}  # new key current, the old one kept

    after = make_events(2)

    assert [event.key_id for event in before + after] == ["a", "a", "b", "b"]
    assert after[0].prev_hash == before[-1].hash
    call_command("audit_verify")
    assert "intact: 4 events verified." in capsys.readouterr().out


def test_a_retired_key_dropped_from_the_settings_is_a_clear_error(settings):
    settings.AUDIT_HMAC_KEYS = {"a": KEY_A}
    first = make_events(1)[0]
    settings.AUDIT_HMAC_KEYS = {"b": KEY_B}

    with pytest.raises(CommandError, match=f'cannot be verified from event #{first.pk}: .*key "a".*AUDIT_HMAC_KEYS'):
        call_command("audit_verify")


def test_events_hashed_before_keying_still_verify_and_the_keyed_chain_goes_on_from_them(capsys):
    """Rows written by the unkeyed version keep ``key_id`` "" (migration 0003) and their SHA-256."""
    previous = audit.GENESIS_HASH
    for n in (1, 2):
        legacy = AuditEvent(
            occurred_at=timezone.now(), action="view", object_type="subjects.datasubject", object_id=str(n)
        )
        legacy.prev_hash = previous
        legacy.hash = previous = unkeyed_digest(legacy)
        legacy.save(force_insert=True)

    keyed = make_events(1)[0]

    assert keyed.prev_hash == previous
    assert keyed.key_id != ""
    call_command("audit_verify")
    assert "intact: 3 events verified (2 of them hashed without a key" in capsys.readouterr().out


def test_database_refuses_to_change_the_key_id_of_an_event():
    event = make_events(1)[0]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(key_id="")

    assert AuditEvent.objects.get(pk=event.pk).key_id == event.key_id
