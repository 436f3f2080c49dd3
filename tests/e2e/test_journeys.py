"""The three roles' main journeys in a real browser (issue 16), each step asserted as the user sees it
and kept as a full-page screenshot.

Customer service logs a phone request (the person picker tells three Bouchet apart) and finds it in the
triage inbox; the DPO takes it, verifies the identity by a callback, builds the exports, approves and
sends them, and closes the request; the data subject opens the download page from the e-mail on a
phone and downloads the PDF and the JSON; the DPO then carries out an erasure request.

The admin is seen at 1366 px, the public pages at 390 px. Screenshots go, numbered in the order of the
journey, to the test's temporary directory and to ``var/screenshots/journeys/`` (not tracked): the
closing note of issue 16 and a reviewer can look at them.

Exports are built by Celery in eager mode (tests/conftest.py): the task runs when the live server's
request commits, so the page the DPO lands on already shows them built.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from requests_dsar import searches
from requests_dsar.models import ErasureRecord, ExportJob, IdentityCheck, Request, Right, State
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, dpo_user, logged_request, subject_with_data, support_user
from tests.requests_dsar.documented import document_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.today("2026-03-10")]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "journeys"
ADMIN_VIEWPORT = {"width": 1366, "height": 900}
PHONE_VIEWPORT = {"width": 390, "height": 844}


class Journey:
    """The browser contexts of the journeys and their numbered screenshots."""

    def __init__(self, browser, live_server, directory: Path) -> None:
        self.browser, self.url, self.directory, self.count = browser, live_server.url, directory, 0
        self.admin = self._context(ADMIN_VIEWPORT).new_page()
        self.phone = self._context(PHONE_VIEWPORT, is_mobile=True, has_touch=True).new_page()

    def _context(self, viewport, **options):
        return self.browser.new_context(
            viewport=viewport, locale="fr-FR", timezone_id="Europe/Paris", accept_downloads=True, **options
        )

    def shot(self, page, name: str) -> None:
        self.count += 1
        page.screenshot(path=self.directory / f"{self.count:02d}-{name}.png", full_page=True)

    def log_in(self, user) -> None:
        page = self.admin
        page.context.clear_cookies()
        page.goto(f"{self.url}/admin/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "test-password-123")
        page.click("input[type=submit]")
        page.wait_for_selector("#user-tools")

    def open_request(self, dsar: Request) -> None:
        self.admin.goto(self.url + reverse("admin:requests_dsar_request_change", args=[dsar.pk]))


@pytest.fixture
def journey(browser_page, live_server, tmp_path):
    directory = tmp_path / "journeys"
    directory.mkdir()
    journey = Journey(browser_page.context.browser, live_server, directory)
    yield journey
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    for taken in sorted(directory.glob("*.png")):
        shutil.copy(taken, SCREENSHOTS / taken.name)


def text(page, selector: str = "#content") -> str:
    """What the user reads in that part of the page, white space collapsed."""
    return " ".join(page.inner_text(selector).split())


def messages(page) -> str:
    return text(page, "ul.messagelist") if page.locator("ul.messagelist").count() else ""


def submit(page, selector: str) -> None:
    """Click a button or a link, and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def next_step(page) -> str:
    return text(page, "#next-step")


def test_r1_2_support_logs_the_dpo_answers_the_person_downloads_then_an_erasure(journey, today):
    document_register()  # the DPO documented the register: access exports can be approved (Art. 15)
    support, dpo = support_user(), dpo_user()
    caller = subject_with_data(
        first_names="Claire",
        last_name="Bouchet",
        email="claire.bouchet@exemple.fr",
        city="Lyon",
        phone="04 72 00 11 22",
    )
    DataSubjectFactory(first_names="Claire", last_name="Bouchet", email="c.bouchet@exemple.fr", city="Nantes")
    DataSubjectFactory(first_names="Julien", last_name="Bouchet", email="julien.bouchet@exemple.fr", city="Lyon")
    leaving = subject_with_data(first_names="Yann", last_name="Le Goff", email="yann.le-goff@exemple.fr", city="Brest")
    erasure = logged_request(
        subject=leaving, rights=(Right.ERASURE,), channel="web_form", received_on=today - timedelta(days=1)
    )
    admin, phone = journey.admin, journey.phone

    # --- Customer service logs a phone call: Claire Bouchet of Lyon asks for a copy of her data. ---
    journey.log_in(support)
    admin.goto(journey.url + reverse("admin:requests_dsar_request_add"))
    admin.fill("#id_received_on", today.strftime("%d/%m/%Y"))
    admin.select_option("#id_channel", "phone")
    admin.click("#id_subject + .select2 .select2-selection")
    admin.fill(".select2-container--open .select2-search__field", "Bouchet")
    options = admin.locator(".select2-results__option:not(.loading-results)")
    expect(admin.locator(".select2-results__option.loading-results")).to_have_count(0)
    expect(options).to_have_count(3)  # the three Bouchet, not the whole list shown before the search
    labels = [" ".join(label.split()) for label in options.all_inner_texts()]
    assert any("claire.bouchet@exemple.fr" in label and "Lyon" in label and "Client actif" in label for label in labels)
    assert any("c.bouchet@exemple.fr" in label and "Nantes" in label for label in labels)
    assert any("Julien Bouchet" in label and "Lyon" in label for label in labels)
    journey.shot(admin, "support-picks-the-person")
    options.filter(has_text="claire.bouchet@exemple.fr").click()
    admin.check("input[name=rights][value=access]")
    admin.fill("#id_oral_summary", "Mme Bouchet demande au téléphone une copie de toutes ses données.")
    journey.shot(admin, "support-logs-the-request")
    submit(admin, "input[name=_save]")
    dsar = Request.objects.get(channel="phone")
    assert dsar.subject_id == caller.pk
    assert dsar.state == State.RECEIVED
    assert "a été ajouté" in messages(admin)

    admin.goto(journey.url + reverse("admin:index"))
    triage = admin.locator("#dash-triage tr.triage-row", has=admin.locator(f"a:text-is('#{dsar.pk}')"))
    assert " ".join(triage.inner_text().split()).startswith(f"#{dsar.pk} {today:%d/%m/%Y} aujourd’hui Téléphone")
    assert "personne" in triage.locator(".triage-owner").inner_text()  # nobody owns it yet
    journey.shot(admin, "support-sees-it-in-the-triage-inbox")

    # --- The DPO takes it, opens the case file and verifies the identity by calling back. ---
    journey.log_in(dpo)
    triage = admin.locator("#dash-triage tr.triage-row", has=admin.locator(f"a:text-is('#{dsar.pk}')"))
    submit(admin, f"#dash-triage form[action$='/{dsar.pk}/'] button.triage-assign")
    assert f"La demande n° {dsar.pk} vous est attribuée" in messages(admin)
    triage = admin.locator("#dash-triage tr.triage-row", has=admin.locator(f"a:text-is('#{dsar.pk}')"))
    assert triage.locator(".triage-owner").inner_text() == "dpo"
    submit(admin, f"#dash-triage a:text-is('#{dsar.pk}')")

    summary = text(admin, "#dsar-summary")
    assert "Reçue" in summary
    assert "Claire BOUCHET" in summary
    assert "claire.bouchet@exemple.fr" in summary
    assert "Accès (art. 15)" in summary
    assert "responsable dpo" in summary.lower()  # the owner
    assert admin.inner_text("#next-step-button") == "Vérifier l'identité"
    picked = admin.inner_text("#select2-id_subject-container")  # the person chosen, in the Requester section
    assert "Claire Bouchet · claire.bouchet@exemple.fr · Lyon · Client actif" in picked
    journey.shot(admin, "dpo-opens-the-case-file")

    submit(admin, "#next-step-button")
    assert admin.is_checked("input[name=method][value=phone_callback]")  # a phone request: call back
    assert "04 72 00 11 22" in text(admin, "#action-context")  # the phone on file
    admin.fill("#id_doubt_reason", "Appel d’un numéro masqué : rappel au numéro du dossier.")
    journey.shot(admin, "dpo-starts-the-identity-check")
    submit(admin, "#action-form input[type=submit]")
    assert "appelez le numéro au dossier, puis enregistrez le rappel" in messages(admin)
    assert admin.inner_text("#next-step-button") == "Enregistrer le rappel"

    submit(admin, "#next-step-button")
    assert "04 72 00 11 22" in text(admin, "#action-context")  # the number to call, on file
    admin.select_option("#id_confirmed", "1")
    journey.shot(admin, "dpo-records-the-callback")
    submit(admin, "#action-form input[type=submit]")
    assert "Identité vérifiée" in messages(admin)
    assert IdentityCheck.objects.get(request=dsar).status == IdentityCheck.Status.VERIFIED

    # The exports: built in the background; the page shows them done.
    assert admin.inner_text("#next-step-button") == "Produire les exports"
    submit(admin, "#next-step-button")
    assert admin.is_checked("input[name=kinds][value=access_pdf]")
    assert admin.is_checked("input[name=kinds][value=access_json]")
    submit(admin, "#action-form input[type=submit]")
    assert ExportJob.objects.filter(request=dsar, status=ExportJob.Status.DONE).count() == 2
    documents = text(admin, "#section-documents")
    assert documents.count("Fait") == 2
    assert documents.count("Télécharger (tracé)") == 2
    journey.shot(admin, "dpo-sees-the-exports-built")

    # Every system of the register searched before the answer goes (R1.7.1): all pre-ticked.
    assert admin.inner_text("#next-step-button") == "Noter les sources de données consultées"
    submit(admin, "#next-step-button")
    admin.check("#id_outcome_0")  # data found
    journey.shot(admin, "dpo-records-the-sources-searched")
    submit(admin, "#action-form input[type=submit]")
    assert "Données trouvées" in messages(admin)
    assert not searches.sources_remaining(dsar)
    assert admin.inner_text("#next-step-button") == "Approuver et envoyer les exports"

    submit(admin, "#next-step-button")
    admin.check("#id_confirm")
    journey.shot(admin, "dpo-approves-the-exports")
    submit(admin, "#action-form input[type=submit]")
    assert "Étape suivante : clore la demande" in messages(admin)
    link_mail = [message for message in mail.outbox if message.to == ["claire.bouchet@exemple.fr"]][-1]
    assert all(job.sent_at for job in ExportJob.objects.filter(request=dsar))
    assert admin.inner_text("#next-step-button") == "Clore : enregistrer la décision"
    journey.shot(admin, "dpo-has-sent-the-download-link")

    submit(admin, "#next-step-button")
    assert admin.is_checked("input[name=outcome][value=grant]")
    journey.shot(admin, "dpo-decides")
    submit(admin, "#action-form input[type=submit]")
    assert f"Décision enregistrée pour la demande n° {dsar.pk}" in messages(admin)
    dsar.refresh_from_db()
    assert dsar.state == State.COMPLETED
    assert "Le dossier est en lecture seule" in next_step(admin)
    assert admin.locator("input[name=_save]").count() == 0  # read-only once closed
    journey.shot(admin, "dpo-closed-the-request")

    # --- The data subject, on her phone, opens the link of the e-mail and downloads her data. ---
    link = re.search(r"https?://[^/\s]+(/\S*/export/[^/\s]+/)", link_mail.body).group(1)
    phone.goto(journey.url + link)
    assert "Copie de vos données, PDF (art. 15)" in text(phone, "main")
    journey.shot(phone, "person-opens-the-download-page")
    submit(phone, 'button:has-text("M\'envoyer un code")')
    code_mail = [message for message in mail.outbox if message.to == ["claire.bouchet@exemple.fr"]][-1]
    code = re.search(r"\b(\d{6})\b", code_mail.body).group(1)
    phone.fill("#code", code)
    journey.shot(phone, "person-types-the-code")
    submit(phone, "button:has-text('Ouvrir mes fichiers')")
    assert phone.locator("input[name=file]").count() == 2
    journey.shot(phone, "person-sees-her-files")
    with phone.expect_download() as pdf_download:
        phone.click("li:has-text('PDF') button")
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF")
    with phone.expect_download() as json_download:
        phone.click("li:has-text('JSON') button")
    copy = json.loads(Path(json_download.value.path()).read_text())
    assert "claire.bouchet@exemple.fr" in json.dumps(copy, ensure_ascii=False)
    assert all(job.download_count >= 1 for job in ExportJob.objects.filter(request=dsar))

    # --- The DPO carries out an erasure request received on the web form yesterday. ---
    journey.open_request(erasure)
    assert admin.inner_text("#next-step-button") == "Vérifier l'identité"
    admin.click("#more-actions summary")
    submit(admin, '#more-actions a:has-text("Plan d\'effacement")')
    assert "vérifiez l'identité, ou passez la demande en cours" in messages(admin)  # what to do first
    journey.shot(admin, "dpo-is-told-what-to-do-first")

    journey.open_request(erasure)
    admin.click("#more-actions summary")
    submit(admin, '#more-actions a:has-text("Changer l\'état")')
    admin.select_option("#id_to_state", State.IN_PROGRESS)
    admin.fill("#id_reason", "Demande envoyée depuis l’adresse du dossier : pas de doute sur l’identité.")
    submit(admin, "#action-form input[type=submit]")
    assert admin.inner_text("#next-step-button") == "Approuver le plan d'effacement"

    submit(admin, "#next-step-button")
    plan = text(admin, "#erasure-plan")
    assert "Conserver en archive intermédiaire" in plan  # the invoices, C. com. L.123-22
    assert "C. com. L.123-22" in plan
    assert re.search(r"\b\d\d/\d\d/20\d\d\b", plan)  # until when, in the page's date style
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", plan)
    admin.select_option("#id_ground", "17_1_a")  # no longer necessary
    admin.fill("#id_justification", "La personne n’est plus cliente ; rien ne justifie de garder ses données.")
    admin.check("#id_confirm")
    journey.shot(admin, "dpo-reads-the-erasure-plan")
    submit(admin, "input[type=submit][value='Approuver et effacer']")
    assert "Effacement fait" in messages(admin)
    erasure.refresh_from_db()
    assert erasure.state == State.COMPLETED  # carried out and answered: the erasure closes the request
    assert ErasureRecord.objects.filter(request=erasure).exists()
    assert not DataSubject.objects.filter(pk=leaving.pk).exists()
    summary = text(admin, "#dsar-summary")
    assert "Le dossier est en lecture seule" in summary
    assert "Yann" not in summary
    assert "Effacement (art. 17)" in summary
    assert "Compte rendu d'effacement" in text(admin, "#section-documents")  # the letter to the person
    proof = text(admin, "#section-rights .field-kept_items")  # what is kept, and until when
    assert re.search(r": 2, conservé jusqu'au \d\d/\d\d/20\d\d", proof)
    assert "{" not in proof
    journey.shot(admin, "dpo-erased-the-person")
