"""The demo shows a validated register entry and a purged audit period with its checkpoint (issue 18)."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from backoffice.demo import seed_demo_all
from consents.models import ProcessingActivity
from ijinus_privacy import audit
from ijinus_privacy.models import AuditCheckpoint, AuditEvent
from tests.factories import dpo_user

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 4)


def test_r3_1_1_and_r5_1_3_the_demo_shows_a_validated_entry_and_a_purged_period(client, capsys):
    seed_demo_all(subjects=20, seed=3, today=TODAY)

    validated = ProcessingActivity.objects.filter(status=ProcessingActivity.Status.VALIDATED)
    assert validated.exists()
    assert {activity.validated_by_name for activity in validated} == {"Anne Kerouac"}
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.purged_count == 24
    assert not AuditEvent.objects.filter(pk__lte=checkpoint.last_event_id).exists()
    assert audit.verify_chain() is None
    call_command("audit_verify")
    assert f"checkpoint #{checkpoint.pk} ends" in capsys.readouterr().out
    client.force_login(dpo_user())
    page = client.get(reverse("admin:ijinus_privacy_auditcheckpoint_changelist"))
    assert page.status_code == 200
    assert str(checkpoint.last_event_id) in page.text
    register = client.get(reverse("admin:consents_processingactivity_changelist"))
    assert "validated by Anne Kerouac" in register.text


def test_r2_4_1_r5_6_3_r2_7_1_the_demo_shows_a_reconsent_flag_an_overdue_art14_and_a_bloctel_list(client):
    from consents.models import BloctelList, IndirectCollection, ReconsentFlag

    seed_demo_all(subjects=40, seed=3, today=TODAY)

    assert ReconsentFlag.objects.open().exists()
    assert IndirectCollection.objects.filter(informed_on__isnull=False).count() == 1
    assert IndirectCollection.objects.uninformed().count() == 1
    assert BloctelList.objects.get().numbers.count() >= 2
    client.force_login(dpo_user())
    index = client.get(reverse("admin:index")).text
    assert 'id="dash-information"' in index
