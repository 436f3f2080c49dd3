"""Notice versions and consent events cannot be changed in bulk; a changed notice text shows (R5.6.1, R2.1.1)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse

from consents.models import ConsentEvent, ImmutableError, Notice
from tests.factories import DataSubjectFactory, UserFactory, consent_notice, dpo_user, give

pytestmark = pytest.mark.django_db


def _tamper(notice: Notice) -> None:
    """What someone with database access could do: bypass the model and its queryset."""
    models.QuerySet.update(Notice.objects.filter(pk=notice.pk), text="Texte modifié après coup.")


def test_a_bulk_update_of_notices_is_refused():
    notice = consent_notice()

    with pytest.raises(ImmutableError, match="immutable"):
        Notice.objects.filter(pk=notice.pk).update(text="Autre texte")

    notice.refresh_from_db()
    assert notice.hash_verified


def test_a_bulk_delete_of_notices_is_refused():
    consent_notice()
    stored = Notice.objects.count()

    with pytest.raises(ImmutableError, match="never deleted"):
        Notice.objects.all().delete()

    assert Notice.objects.count() == stored


def test_a_bulk_update_of_consent_events_is_refused():
    give(DataSubjectFactory(consumer=True, admitted=True))

    with pytest.raises(ImmutableError, match="append-only"):
        ConsentEvent.objects.update(action=ConsentEvent.Action.WITHDRAWN)


def test_deleting_the_staff_account_that_stored_a_notice_keeps_the_notice():
    author = UserFactory()
    notice = consent_notice()
    models.QuerySet.update(Notice.objects.filter(pk=notice.pk), created_by=author)

    author.delete()

    notice.refresh_from_db()
    assert notice.created_by is None
    assert notice.hash_verified


def test_notices_verify_names_a_changed_notice_and_fails():
    intact, changed = consent_notice(), consent_notice("marketing_push")
    _tamper(changed)

    with pytest.raises(CommandError, match=f"ids {changed.pk}"):
        call_command("notices_verify")

    assert Notice.objects.get(pk=intact.pk).hash_verified


def test_notices_verify_passes_when_every_text_matches(capsys):
    consent_notice()

    call_command("notices_verify")

    assert f"{Notice.objects.count()} notice version(s) verified" in capsys.readouterr().out


def test_the_admin_shows_whether_the_text_still_matches_its_hash(client):
    notice = consent_notice()
    _tamper(notice)
    client.force_login(dpo_user())

    page = client.get(reverse("admin:consents_notice_change", args=[notice.pk]))

    assert page.status_code == 200
    assert "Text matches its SHA-256" in page.content.decode()
    assert 'alt="False"' in page.content.decode()
