"""dsar_erase (dry run / commit) and reapply_erasures after a restore (R1.10.7)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from requests_dsar.erasure.services import erasure_execute
from requests_dsar.models import ErasureGround, ErasureRecord, ErasureTombstone, Request, State
from subjects.models import DataSubject
from tests.factories import IDENTIFIERS, client_to_erase, dpo_user, erasure_request, support_user
from tests.requests_dsar.test_erasure import active_dump_hits

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_plan_and_changes_nothing():
    dpo_user()
    subject = client_to_erase()
    before = active_dump_hits()

    output = _run("dsar_erase", "--subject", IDENTIFIERS["email"], "--actor", "dpo")

    assert "subjects.invoices: Keep in intermediate archive 2 row(s) until 2032-12-31" in output
    assert "subjects.tickets: Delete 1 row(s)" in output
    assert "DRY RUN" in output
    assert IDENTIFIERS["last_name"] not in output
    assert active_dump_hits() == before
    assert DataSubject.objects.filter(pk=subject.pk).exists()
    assert Request.objects.count() == ErasureRecord.objects.count() == 0


def test_commit_erases_as_a_completed_request_decided_by_the_dpo():
    dpo_user()
    client_to_erase()

    output = _run("dsar_erase", "--subject", IDENTIFIERS["email"], "--actor", "dpo", "--commit")

    record = ErasureRecord.objects.get()
    assert f"erasure record #{record.pk}" in output
    assert record.request.state == State.COMPLETED
    assert record.request.decisions.get().decided_by_username == "dpo"
    assert active_dump_hits() == []


def test_non_dpo_actor_is_refused():
    support_user()
    client_to_erase()

    with pytest.raises(CommandError, match="DPO"):
        _run("dsar_erase", "--subject", IDENTIFIERS["email"], "--actor", "support", "--commit")

    assert DataSubject.objects.count() == 1


def test_unknown_subject_is_refused():
    dpo_user()

    with pytest.raises(CommandError, match="No such subject"):
        _run("dsar_erase", "--subject", "personne@exemple.fr", "--actor", "dpo")


def _restore(snapshot: dict) -> DataSubject:
    """Simulate a backup restore: the subject row comes back with its old id and identifiers."""
    return DataSubject.objects.create(**snapshot)


def test_reapply_erasures_finds_and_erases_a_restored_person():
    dpo = dpo_user()
    subject = client_to_erase()
    bystander = client_to_erase(email="voisin@exemple.fr", phone="0102030405", last_name="Voisin", first_names="Luc")
    snapshot = {
        name: getattr(subject, name) for name in ("id", "last_name", "first_names", "email", "phone", "organisation")
    }
    erasure_execute(
        request=erasure_request(subject, actor=dpo),
        ground=ErasureGround.NO_LONGER_NECESSARY,
        justification="ok",
        actor=dpo,
    )
    _restore(snapshot)

    dry = _run("reapply_erasures")
    still_there = DataSubject.objects.filter(pk=subject.pk).exists()
    committed = _run("reapply_erasures", "--commit")

    assert f"subject #{subject.pk}" in dry
    assert "DRY RUN: 1 reappeared" in dry
    assert still_there
    assert "COMMITTED: 1 reappeared" in committed
    assert not DataSubject.objects.filter(pk=subject.pk).exists()
    assert DataSubject.objects.filter(pk=bystander.pk).exists()
    assert ErasureTombstone.objects.get().reapplied == 1
    assert "0 reappeared" in _run("reapply_erasures", "--commit")


def test_reapply_matches_by_phone_when_the_email_changed():
    dpo = dpo_user()
    subject = client_to_erase()
    erasure_execute(
        request=erasure_request(subject, actor=dpo),
        ground=ErasureGround.NO_LONGER_NECESSARY,
        justification="ok",
        actor=dpo,
    )
    DataSubject.objects.create(email="nouvelle@exemple.fr", phone="+33 6 71 82 93 04", last_name="X")

    output = _run("reapply_erasures", "--commit")

    assert "COMMITTED: 1 reappeared" in output
    assert not DataSubject.objects.filter(email="nouvelle@exemple.fr").exists()
