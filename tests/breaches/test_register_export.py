"""``manage.py breach_register --format pdf|csv``: the register of breaches for an inspection (Art. 33(5)),
every breach (closed and not notified ones too) with its facts, effects and remedial action."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from breaches.models import Breach, BreachLetter, RiskAssessment
from ijinus_privacy.models import AuditEvent
from tests import factories as f

from .conftest_docs import affect, assess, make_breach, notify, paris, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(today):
    """A breach closed without notification (no risk) and one notified late, with a letter e-mailed."""
    closed = make_breach(
        title="Courriel interne mal adressé",
        aware_at=paris(2026, 1, 5, 9, 0),
        status=Breach.Status.CLOSED,
        closed_at=paris(2026, 1, 6, 17, 0),
        closure_note="Destinataire interne, message supprimé.",
        people_estimate=3,
    )
    assess(closed, RiskAssessment.Outcome.NO_RISK)
    notified = make_breach(
        title="=Export CRM",  # a title a spreadsheet would take for a formula
        aware_at=paris(2026, 2, 2, 9, 0),
        late_reasons="Prestataire injoignable pendant le week-end.",
    )
    assess(notified, RiskAssessment.Outcome.HIGH_RISK)
    notify(notified, paris(2026, 2, 6, 11, 0), reference="NOTIF-0042")
    person = f.DataSubjectFactory(last_name="Garnier")
    (link,) = affect(notified, person)
    BreachLetter.objects.create(
        breach=notified, affected=link, language="fr", channel="email", sent_at=paris(2026, 2, 7, 10, 0)
    )
    return closed, notified, person


def test_the_csv_register_lists_every_breach_with_its_facts_effects_and_remedial_action(register, tmp_path):
    closed, notified, person = register
    output = tmp_path / "register.csv"

    call_command("breach_register", "--format", "csv", "--output", str(output), stdout=io.StringIO())

    rows = list(csv.DictReader(io.StringIO(output.read_bytes().decode("utf-8-sig"))))
    assert [row["reference"] for row in rows] == [closed.reference, notified.reference]
    first, second = rows
    assert first["status"] == "closed"
    assert first["outcome"].startswith("unlikely to result in a risk")
    assert first["notifications"] == ""
    assert first["closure_note"] == "Destinataire interne, message supprimé."
    assert second["title"] == "'=Export CRM"
    assert second["notifications"] == "initial notification 06/02/2026 11:00 (NOTIF-0042)"
    assert (second["late"], second["late_reasons"]) == ("yes", "Prestataire injoignable pendant le week-end.")
    assert (second["people_identified"], second["letters_emailed"]) == ("1", "1")
    assert second["aware_at"] == "02/02/2026 09:00"
    assert second["notification_due_at"] == "05/02/2026 09:00"
    assert person.last_name not in output.read_text(encoding="utf-8-sig")
    assert person.email not in output.read_text(encoding="utf-8-sig")


def test_the_pdf_register_reads_as_an_inspector_expects_and_the_export_is_audited(register, tmp_path):
    closed, notified, _person = register
    output = tmp_path / "register.pdf"

    call_command("breach_register", "--format", "pdf", "--output", str(output), stdout=io.StringIO())

    text = pdf_text(output.read_bytes())
    assert "Register of personal-data breaches" in text
    assert "2 notified to the CNIL" not in text
    assert "1 notified to the CNIL, 1 not closed" in text
    assert closed.reference in text
    assert notified.reference in text
    assert "After the 72 hours." in text
    assert "Prestataire injoignable pendant le week-end." in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="breaches.breach")
    assert event.actor_username == "system:breach-register-command"
    assert event.reason == "breach register export pdf, 2 entries"


def test_the_command_refuses_a_missing_output_folder(tmp_path):
    with pytest.raises(CommandError):
        call_command("breach_register", "--format", "csv", "--output", str(tmp_path / "missing" / "r.csv"))
