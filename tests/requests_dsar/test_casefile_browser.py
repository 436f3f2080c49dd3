"""The request's page in a real browser at 1366 px (issue 16): the DPO follows the one next step from
an access request in progress to its closing, without changing the state by hand, the sources of the
register searched on the way (R1.7.1)."""

import pytest

from requests_dsar import searches
from requests_dsar.models import ExportJob, Request, State
from tests.factories import DataSubjectFactory, dpo_user, logged_request
from tests.requests_dsar.documented import document_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dpo_follows_the_next_step_to_the_end(live_server, browser_page, tmp_path):
    document_register()  # the DPO documented the register: the exports can be approved (Art. 15)
    dpo = dpo_user()
    person = DataSubjectFactory(last_name="Bouchet", first_names="Ginette", email="ginette.bouchet@exemple.fr")
    request = logged_request(subject=person)
    Request.objects.filter(pk=request.pk).update(state=State.IN_PROGRESS)
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", dpo.username)
    page.fill("#id_password", "test-password-123")
    page.click("input[type=submit]")
    change = f"{live_server.url}/admin/requests_dsar/request/{request.pk}/change/"

    page.goto(change)
    assert "Ginette BOUCHET" in page.inner_text("#dsar-summary")
    page.screenshot(path=tmp_path / "case-file.png", full_page=True)
    page.click("#next-step-button")  # Build the exports
    assert "Ginette BOUCHET" in page.inner_text("#action-context")
    page.click("#action-form input[type=submit]")
    assert ExportJob.objects.filter(request=request, status=ExportJob.Status.DONE).count() == 2

    page.click("#next-step-button")  # Record the data sources searched (every system of the register is pre-ticked)
    page.check("#id_outcome_1")  # Nothing found
    page.click("#action-form input[type=submit]")
    assert not searches.sources_remaining(request)

    page.click("#next-step-button")  # Approve and send the exports
    page.check("#id_confirm")
    page.click("#action-form input[type=submit]")
    assert "Étape suivante : clore la demande" in page.inner_text(".messagelist")  # the browser asks French

    assert page.inner_text("#next-step-button") == "Clore : enregistrer la décision"
    page.click("#next-step-button")
    page.click("#action-form input[type=submit]")  # "Grant" is chosen by default

    request.refresh_from_db()
    assert request.state == State.COMPLETED
    assert f"Décision enregistrée pour la demande n° {request.pk} : Traitée." in page.inner_text(".messagelist")
    assert page.locator("#request_form textarea, #request_form select").count() == 0
    page.screenshot(path=tmp_path / "closed.png", full_page=True)
