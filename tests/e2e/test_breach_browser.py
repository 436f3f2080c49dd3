"""A breach in a real browser (issue 14): customer service records it; the DPO assesses it, links the
people affected, notifies the CNIL, reads the CNIL document and sends the Art. 34 letters."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from breaches.deadlines import in_paris
from breaches.models import Breach, BreachLetter, NotificationPhase
from ijinus_privacy.models import AuditEvent, OutboxMessage
from tests.factories import DataSubjectFactory, dpo_user, support_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, user) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "test-password-123")
    page.click("input[type=submit]")


def _fill_moment(page, field: str, moment) -> None:
    local = in_paris(moment)
    page.fill(f"#id_{field}_0", local.strftime("%d/%m/%Y"))
    page.fill(f"#id_{field}_1", local.strftime("%H:%M:%S"))


def test_record_assess_notify_and_write_to_the_people_affected(live_server, browser_page):
    support, dpo = support_user(), dpo_user()
    reachable = DataSubjectFactory(last_name="Morvan", email="anne.morvan@exemple.fr", language="fr")
    no_address = DataSubjectFactory(last_name="Riou", email="", street_address="", postal_code="", city="")
    aware = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    page = browser_page

    # Customer service records the suspected breach.
    _log_in(page, live_server, support)
    page.goto(f"{live_server.url}/admin/breaches/breach/add/")
    page.fill("#id_title", "Portable perdu dans le train")
    _fill_moment(page, "discovered_at", aware - timedelta(hours=1))
    page.fill("#id_discovered_by", "Service client")
    _fill_moment(page, "aware_at", aware)
    page.check("#id_nature_confidentiality")
    page.fill("#id_description", "Un portable non chiffré contenant un export de contacts a été perdu.")
    page.click("input[name=_save]")
    breach = Breach.objects.get()
    assert breach.status == Breach.Status.OPEN
    assert breach.created_by_username == "support"

    # The DPO assesses it: financial data, fully identifiable, exposed to unknown people: high risk.
    _log_in(page, live_server, dpo)
    page.goto(f"{live_server.url}/admin/breaches/breach/")
    assert "Portable perdu dans le train" in page.content()
    page.goto(f"{live_server.url}/admin/breaches/breach/{breach.pk}/act/assess/")
    page.select_option("#id_processing_context", "3")
    page.select_option("#id_ease_of_identification", "1.00")
    page.select_option("#id_loss_of_confidentiality", "0.50")
    page.fill("#id_reasoning", "Données de facturation lisibles par quiconque trouve le portable.")
    page.click("input[type=submit]")
    breach.refresh_from_db()
    assert breach.latest_assessment().outcome == "high_risk"

    # The people affected, by their numbers.
    page.goto(f"{live_server.url}/admin/breaches/breach/{breach.pk}/act/affected-list/")
    page.fill("#id_subjects", f"{reachable.pk}, {no_address.pk}")
    page.click("input[type=submit]")
    assert breach.affected.count() == 2

    # The CNIL notification, within the 72 hours, and its document.
    page.goto(f"{live_server.url}/admin/breaches/breach/{breach.pk}/act/notify/")
    page.select_option("#id_kind", NotificationPhase.Kind.INITIAL)
    _fill_moment(page, "submitted_at", timezone.now().replace(microsecond=0) - timedelta(minutes=5))
    page.fill("#id_cnil_reference", "NOTIF-2026-0042")
    page.click("input[type=submit]")
    breach.refresh_from_db()
    assert breach.status == Breach.Status.NOTIFIED
    page.goto(f"{live_server.url}/admin/breaches/breach/{breach.pk}/cnil/")
    document = page.content()
    assert "NOTIF-2026-0042" in document
    assert "Morvan" not in document  # counts and categories, never a person
    assert "anne.morvan@exemple.fr" not in document

    # The letters: only the person who can be reached gets one.
    page.goto(f"{live_server.url}/admin/breaches/breach/{breach.pk}/letters/send/")
    assert "Injoignables : ni e-mail ni adresse postale complète 1" in " ".join(page.inner_text("#content").split())
    page.check("#id_confirm")  # "I have read the letter and want to send it"
    page.click("input[type=submit]")
    letters = BreachLetter.objects.filter(breach=breach)
    assert [letter.affected.subject_id for letter in letters] == [reachable.pk]
    letter = letters.get()
    assert OutboxMessage.objects.filter(pk=letter.outbox_message_id).exists()
    sent = [message for message in mail.outbox if message.to == ["anne.morvan@exemple.fr"]]
    assert len(sent) == 1
    assert breach.reference in sent[0].subject
    assert "Morvan" not in sent[0].subject  # the reference only, never the person
    assert AuditEvent.objects.filter(subject_id=reachable.pk, actor_username="dpo").exists()
    page.goto(f"{live_server.url}/admin/breaches/breach/{breach.pk}/change/")
    assert "NOTIF-2026-0042" in page.content()
