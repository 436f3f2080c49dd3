"""The public pages as a person uses them (issue 16): the request form's hourly limit and what it keeps,
the language link, one code for all the exported files, and the e-mails' plain text and link host."""

import html
import re
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from ijinus_privacy.models import AuditEvent
from requests_dsar import services as request_services
from requests_dsar.exports import delivery, services
from requests_dsar.models import ExportJob, IdentityCheck, Right, WebSubmission
from tests.factories import dpo_user, logged_request, subject_with_data, support_user
from tests.requests_dsar.documented import document_register, search_register_systems

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _documented_register(db):
    document_register()  # the DPO documented the register: access exports can be approved (Art. 15)


FORM_URL = "/privacy/request/"
ADDRESS = "203.0.113.9"
TYPED = {
    "rights": ["access", "erasure"],
    "email": "yvette.le-goff@exemple.fr",
    "name": "Yvette Le Goff",
    "details": "Client depuis 2019, numéro de contrat C-2231",
}


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


# --- The request form's limit -----------------------------------------------------------------------


def test_invalid_attempts_do_not_count_against_the_hourly_limit(client, settings):
    settings.DSAR_PUBLIC_RATE_LIMIT = 2
    for _attempt in range(5):  # a person fighting with the form: no right ticked, a mistyped address
        page = client.post(FORM_URL, {**TYPED, "rights": [], "email": "yvette@"}, REMOTE_ADDR=ADDRESS)
        assert page.status_code == 200
        assert page.context["form"].errors

    first = client.post(FORM_URL, TYPED, REMOTE_ADDR=ADDRESS)
    second = client.post(FORM_URL, TYPED, REMOTE_ADDR=ADDRESS)
    third = client.post(FORM_URL, TYPED, REMOTE_ADDR=ADDRESS)

    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert WebSubmission.objects.count() == 2


def test_a_429_shows_the_form_again_with_what_the_person_typed(client, settings):
    settings.DSAR_PUBLIC_RATE_LIMIT = 1
    client.post(FORM_URL, TYPED, REMOTE_ADDR=ADDRESS)

    page = client.post("/en" + FORM_URL, TYPED, REMOTE_ADDR=ADDRESS)

    assert page.status_code == 429
    assert "Location" not in page
    assert "Too many requests were sent from your connection in the last hour." in page.text
    assert 'value="yvette.le-goff@exemple.fr"' in page.text
    assert 'value="Yvette Le Goff"' in page.text
    assert "Client depuis 2019, numéro de contrat C-2231</textarea>" in page.text
    assert re.search(r'value="erasure"[^>]*checked', page.text)
    assert WebSubmission.objects.count() == 1


# --- The language link ------------------------------------------------------------------------------


@pytest.fixture
def sent(django_capture_on_commit_callbacks, mailoutbox):
    """An access request whose PDF and JSON copies were approved and e-mailed; returns the link's path."""
    dsar = logged_request(subject=subject_with_data(email="yvette.le-goff@exemple.fr"), rights=(Right.ACCESS,))
    with django_capture_on_commit_callbacks(execute=True):
        services.export_jobs_create(request=dsar, actor=None, kinds=["access_pdf", "access_json"])
    search_register_systems(dsar)  # staff searched every source of the register (R1.7.1)
    with django_capture_on_commit_callbacks(execute=True):
        services.export_approve_and_send(request=dsar, actor=dpo_user())
    return re.search(r"https?://[^/\s]+(/\S*/export/[^/\s]+/)", mailoutbox[-1].body).group(1)


def _language_link(page) -> str:
    return re.search(r'<a href="([^"]+)" lang="(?:en|fr)" hreflang', page.text).group(1)


def test_the_language_link_of_the_download_page_leads_to_the_same_page_in_the_other_language(client, sent):
    french = client.get(sent)
    english_path = _language_link(french)

    assert english_path == "/en" + sent
    english = client.get(english_path)
    assert english.status_code == 200
    assert "Download your data" in english.text
    assert _language_link(english) == sent


def test_the_language_link_of_the_identity_page_leads_to_the_same_page_in_the_other_language(
    client, django_capture_on_commit_callbacks
):
    user = support_user()
    dsar = logged_request(received_on=date(2026, 3, 5), actor=user)
    with django_capture_on_commit_callbacks(execute=True):
        started = request_services.identity_check_start(
            request=dsar, method=IdentityCheck.Method.EMAIL_LINK, doubt_reason="Adresse différente", actor=user
        )
    with translation.override("fr"):
        path = reverse("requests_dsar_public:identity_confirm", args=[started.check.pk, started.token])

    french = client.get(path)

    assert _language_link(french) == "/en" + path
    english = client.get("/en" + path)
    assert "Yes, I confirm this request comes from me" in english.text
    assert _language_link(english) == path


# --- One code for all the exported files ------------------------------------------------------------


def test_one_code_opens_both_files_and_the_second_download_meets_no_limit(
    client, sent, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.DSAR_PUBLIC_RATE_LIMIT = 1  # one request for a code per hour and address: the downloads are not counted
    page = client.get("/en" + sent)
    assert "Access copy, PDF (Art. 15)" in page.text
    assert "Access copy, JSON (Art. 15)" in page.text

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en" + sent, {"action": "send_code"}, REMOTE_ADDR=ADDRESS)
    code = re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)
    opened = client.post("/en" + sent, {"action": "code", "code": code}, REMOTE_ADDR=ADDRESS)
    assert opened.status_code == 302
    assert code not in opened["Location"]

    files = client.get(opened["Location"])
    pdf, json_copy = ExportJob.objects.get(kind="access_pdf"), ExportJob.objects.get(kind="access_json")
    assert f'name="file" value="{pdf.pk}"' in files.text
    assert f'name="file" value="{json_copy.pk}"' in files.text
    first = client.post("/en" + sent, {"action": "download", "file": pdf.pk}, REMOTE_ADDR=ADDRESS)
    second = client.post("/en" + sent, {"action": "download", "file": json_copy.pk}, REMOTE_ADDR=ADDRESS)

    assert (first.status_code, second.status_code) == (200, 200)
    assert first["Content-Type"] == "application/pdf"
    assert first.content.startswith(b"%PDF")
    assert second["Content-Type"] == "application/json"
    assert b"yvette.le-goff@exemple.fr" in second.content
    downloads = AuditEvent.objects.filter(action="download", object_type="requests_dsar.exportjob", reason="subject")
    assert sorted(downloads.values_list("object_id", flat=True)) == sorted([str(pdf.pk), str(json_copy.pk)])
    assert len([message for message in mailoutbox if "code" in message.subject.lower()]) == 1
    # the code was spent: another browser typing it gets nothing
    from django.test import Client

    elsewhere = Client()
    assert elsewhere.post("/en" + sent, {"action": "code", "code": code}).status_code == 200
    refused = elsewhere.post("/en" + sent, {"action": "download", "file": pdf.pk})
    assert refused.status_code == 403
    assert "Content-Disposition" not in refused


def test_the_link_names_the_request_only_and_old_one_file_links_still_open_its_page(client, sent):
    job = ExportJob.objects.get(kind="access_json")
    legacy = delivery.signing.TimestampSigner(salt=delivery.LINK_SALT).sign_object({"j": job.pk})

    page = client.get(reverse("requests_dsar_public:export_download", args=[legacy]))

    assert page.status_code == 200
    assert delivery.signing.TimestampSigner(salt=delivery.LINK_SALT).unsign_object(sent.split("/")[-2]) == {
        "r": job.request_id
    }


# --- The e-mails' plain text and their links' host ----------------------------------------------------


def test_the_plain_text_e_mail_puts_each_file_and_the_link_on_their_own_lines(sent, mailoutbox, settings):
    body = mailoutbox[-1].body
    lines = body.splitlines()

    assert "- Copie de vos données, PDF (art. 15)" in lines
    assert "- Copie de vos données, JSON (art. 15)" in lines
    link_lines = [line for line in lines if "/export/" in line]
    assert len(link_lines) == 1
    assert re.fullmatch(r"https?://\S+/export/\S+/", link_lines[0])
    assert link_lines[0].startswith(settings.PUBLIC_BASE_URL.rstrip("/") + "/")  # built outside a web request
    assert "<" not in body


def test_links_e_mailed_from_a_page_use_that_page_s_host_in_development(
    client, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL_FROM_REQUEST = True
    settings.ALLOWED_HOSTS = ["privacy.dev.example"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(FORM_URL, TYPED, REMOTE_ADDR=ADDRESS, HTTP_HOST="privacy.dev.example")

    link_lines = [line for line in mailoutbox[-1].body.splitlines() if "/confirm/" in line]
    assert len(link_lines) == 1
    assert link_lines[0].startswith("http://privacy.dev.example/privacy/request/confirm/")


def test_in_production_links_always_use_public_base_url(
    client, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL_FROM_REQUEST = False
    settings.PUBLIC_BASE_URL = "https://privacy.ijinus.example"
    settings.ALLOWED_HOSTS = ["attacker.example"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(FORM_URL, TYPED, REMOTE_ADDR=ADDRESS, HTTP_HOST="attacker.example")

    body = mailoutbox[-1].body
    assert "attacker.example" not in body
    assert "\nhttps://privacy.ijinus.example/privacy/request/confirm/" in body


def test_plain_text_never_runs_list_items_and_links_together():
    from ijinus_privacy.email_text import html_to_text

    html = (
        "<p>Vos fichiers&nbsp;:</p><ul>"
        '<li>Copie de vos données, PDF : <a href="https://privacy.ijinus.example/privacy/export/a8oA1Q/">'
        "https://privacy.ijinus.example/privacy/export/a8oA1Q/</a></li>"
        '<li>Copie de vos données, JSON : <a href="https://privacy.ijinus.example/privacy/export/b9pB2R/">ici</a></li>'
        "</ul><p>IJINUS SAS</p>"
    )

    lines = html_to_text(html).splitlines()

    assert "8oA1Q/Copie" not in html_to_text(html)
    assert "- Copie de vos données, PDF :" in lines
    assert "https://privacy.ijinus.example/privacy/export/a8oA1Q/" in lines
    assert "- Copie de vos données, JSON : ici" in lines
    assert "https://privacy.ijinus.example/privacy/export/b9pB2R/" in lines
    assert lines[-1] == "IJINUS SAS"


@pytest.mark.parametrize("url", [FORM_URL, "/en/privacy/request/"])
def test_r1_1_1_every_public_page_gives_the_dpos_postal_address_e_mail_and_phone(client, url):
    from consents.dpo import dpo_contact

    contact = dpo_contact()
    response = client.get(url, follow=True)

    assert response.status_code == 200
    footer = response.text.split("<footer>")[1]
    assert f'href="mailto:{contact.email}"' in footer
    assert all(html.escape(line) in footer for line in contact.postal_lines)
    assert contact.postal_lines  # the seeded controller has its address
