"""Exports being built, followed in a real browser without reloading by hand (issue 16): the request's
page polls their progress, moves its bar as the worker builds each file, then reloads itself to show
them built; if the DPO has typed something meanwhile, it offers the reload instead of losing it.

The broker is made unreachable (the jobs wait, T9) and the test builds each job as a worker would,
so the page is seen before, between and after the two files."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from requests_dsar.exports import services as export_services
from requests_dsar.models import ExportJob, Right
from tests.factories import dpo_user, logged_request, subject_with_data
from tests.requests_dsar.documented import document_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.today("2026-03-10")]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"  # not tracked: for a reviewer's eyes
WAIT = {"timeout": 15_000}  # the page asks every 2 seconds


@pytest.fixture
def waiting_exports(monkeypatch):
    """An access request whose PDF and JSON copies wait for a worker (the queue is unreachable)."""
    document_register()
    monkeypatch.setattr(export_services, "export_dispatch", lambda job_id: False)
    dsar = logged_request(subject=subject_with_data(email="noemie.garnier@exemple.fr"), rights=(Right.ACCESS,))
    jobs = export_services.export_jobs_create(request=dsar, actor=None, kinds=["access_pdf", "access_json"])
    assert [job.status for job in jobs] == [ExportJob.Status.PENDING] * 2
    return dsar, jobs


def _open(page, live_server, dsar) -> None:
    dpo = dpo_user()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", dpo.username)
    page.fill("#id_password", "test-password-123")
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    page.goto(live_server.url + reverse("admin:requests_dsar_request_change", args=[dsar.pk]))


def test_the_request_page_follows_the_exports_and_reloads_itself_once_built(live_server, browser_page, waiting_exports):
    dsar, (pdf, json_copy) = waiting_exports
    page = browser_page
    _open(page, live_server, dsar)
    loaded = page.evaluate("performance.timeOrigin")

    box = page.locator("#export-progress")
    expect(box).to_contain_text("0 export(s) sur 2 produit(s)")
    expect(box).to_contain_text("Cette page se met à jour toute seule")
    expect(box).to_contain_text("démarrera au retour du worker")
    assert page.eval_on_selector("#export-progress-bar", "bar => [bar.value, bar.max]") == [0, 2]

    export_services.export_build(job_id=pdf.pk)  # a worker builds the PDF

    expect(box.locator("[data-progress-label]")).to_have_text("1 export(s) sur 2 produit(s)", **WAIT)
    expect(box).to_contain_text("Copie de vos données, PDF (art. 15) — Fait")
    assert page.eval_on_selector("#export-progress-bar", "bar => bar.value") == 1
    assert page.evaluate("performance.timeOrigin") == loaded  # updated in place, not reloaded
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "export-progress-half-built.png")

    export_services.export_build(job_id=json_copy.pk)  # then the JSON

    expect(page.locator("#export-progress")).to_have_count(0, **WAIT)  # reloaded by itself
    assert page.evaluate("performance.timeOrigin") != loaded
    documents = " ".join(page.inner_text("#section-documents").split())
    assert documents.count("Télécharger (tracé)") == 2


def test_what_the_dpo_typed_is_not_lost_the_reload_is_offered(live_server, browser_page, waiting_exports):
    dsar, jobs = waiting_exports
    page = browser_page
    _open(page, live_server, dsar)
    loaded = page.evaluate("performance.timeOrigin")
    field = page.locator("#request_form textarea:visible").first
    field.fill("Appel du 5 : la personne attend le PDF.")

    for job in jobs:
        export_services.export_build(job_id=job.pk)

    ready = page.locator("#export-progress [data-progress-ready]")
    expect(ready).to_be_visible(**WAIT)
    expect(ready).to_contain_text("rechargez la page pour les voir")
    expect(page.locator("[data-progress-label]")).to_have_text("2 export(s) sur 2 produit(s)")
    assert page.evaluate("performance.timeOrigin") == loaded
    assert field.input_value() == "Appel du 5 : la personne attend le PDF."
