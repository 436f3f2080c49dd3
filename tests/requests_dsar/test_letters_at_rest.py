"""Letters are personal data like exports (issue 12, item 13): encrypted at rest under random names,
never served from MEDIA_URL in any mode, read only through a permission-checked, audited view."""

from __future__ import annotations

import importlib
from io import BytesIO
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.urls import clear_url_caches, reverse
from pypdf import PdfReader

from ijinus_privacy import storage
from ijinus_privacy.models import AuditEvent
from requests_dsar.letters import letter_send
from requests_dsar.models import Letter
from tests.factories import archivist_user, dpo_user, logged_request, support_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter():
    request = logged_request(language="en", actor=support_user())
    return letter_send(request=request, kind=Letter.Kind.ACKNOWLEDGEMENT, actor=None)


@pytest.fixture
def embedded_urls(settings):
    """The URL configuration as embedded mode (DEBUG on) builds it."""
    import ijinus_privacy.urls

    settings.DEBUG = True
    importlib.reload(ijinus_privacy.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(ijinus_privacy.urls)
    clear_url_caches()


def test_a_letter_on_disk_is_encrypted_under_an_unguessable_name(letter, settings):
    path = Path(settings.MEDIA_ROOT) / letter.pdf.name

    raw = path.read_bytes()
    assert not raw.startswith(b"%PDF")
    assert f"request-{letter.request_id}" not in letter.pdf.name
    assert letter.kind not in letter.pdf.name
    assert storage.read(letter.pdf.name).startswith(b"%PDF")


def test_an_anonymous_get_of_the_media_folder_finds_nothing_even_in_embedded_mode(client, letter, embedded_urls):
    assert client.get(f"/media/{letter.pdf.name}").status_code == 404
    assert client.get("/media/").status_code == 404


def test_staff_without_the_permission_get_403_before_anything_is_read(client, letter):
    client.force_login(archivist_user())
    url = reverse("admin:requests_dsar_request_letter_pdf", args=[letter.request_id, letter.pk])

    with mock.patch("requests_dsar.letters.storage.read", wraps=storage.read) as read:
        response = client.get(url)

    assert response.status_code == 403
    assert read.call_count == 0
    assert not AuditEvent.objects.filter(action="download", object_type="requests_dsar.letter").exists()


def test_the_dpo_opens_the_pdf_from_the_request_page_and_the_read_is_audited(client, letter):
    dpo = dpo_user()
    client.force_login(dpo)
    page = client.get(reverse("admin:requests_dsar_request_change", args=[letter.request_id]))
    url = reverse("admin:requests_dsar_request_letter_pdf", args=[letter.request_id, letter.pk])
    assert url in page.text
    assert "/media/" not in page.text

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert f"no. {letter.request_id}" in text or str(letter.request_id) in text
    event = AuditEvent.objects.filter(action="download", object_type="requests_dsar.letter").get()
    assert (event.object_id, event.actor_username, event.fields) == (str(letter.pk), "dpo", ["pdf"])


def test_the_migration_encrypts_letters_written_in_clear_and_removes_them(settings):
    migration = importlib.import_module("requests_dsar.migrations.0008_letters_encrypted_at_rest")
    request = logged_request()
    plain = Path(settings.MEDIA_ROOT) / f"dsar/letters/2026/03/request-{request.pk}-acknowledgement-fr.pdf"
    plain.parent.mkdir(parents=True)
    plain.write_bytes(b"%PDF-1.7 a letter")
    letter = Letter.objects.create(request=request, kind=Letter.Kind.ACKNOWLEDGEMENT, language="fr")
    Letter.objects.filter(pk=letter.pk).update(pdf=str(plain.relative_to(settings.MEDIA_ROOT)))
    gone = Letter.objects.create(request=request, kind=Letter.Kind.RESPONSE, language="fr")
    Letter.objects.filter(pk=gone.pk).update(pdf="dsar/letters/2026/03/missing.pdf")

    migration.encrypt_existing_letters(apps, None)

    letter.refresh_from_db()
    gone.refresh_from_db()
    assert not plain.exists()
    assert letter.pdf.name.startswith("letters/")
    assert letter.pdf.name.endswith(".enc")
    assert not (Path(settings.MEDIA_ROOT) / letter.pdf.name).read_bytes().startswith(b"%PDF")
    assert storage.read(letter.pdf.name) == b"%PDF-1.7 a letter"
    assert gone.pdf.name == ""


def test_a_letter_whose_file_is_gone_gets_a_message_not_an_error(client, letter, settings):
    (Path(settings.MEDIA_ROOT) / letter.pdf.name).unlink()
    client.force_login(dpo_user())

    response = client.get(
        reverse("admin:requests_dsar_request_letter_pdf", args=[letter.request_id, letter.pk]), follow=True
    )

    assert response.status_code == 200
    assert "no longer kept" in response.text
