"""File intake of the subjects import in the admin (issue 12, items 7 and 16): every bad file gets a
clear message at 200, nothing is written, no traceback is ever shown."""

from __future__ import annotations

import io
import tempfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from subjects.models import DataSubject
from tests.factories import dpo_user

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"


def _post(client, content: bytes, *, name: str = "people.csv", file_format: str = CSV, url="datasubject"):
    client.force_login(dpo_user())
    return client.post(
        reverse(f"admin:subjects_{url}_import"),
        {"resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, content)},
    )


def _confirm(client, preview, *, url="datasubject"):
    """The second step: the DPO confirms the preview (item 5)."""
    assert preview.status_code == 200, preview.content[:500]
    return client.post(reverse(f"admin:subjects_{url}_process_import"), preview.context["confirm_form"].initial)


def _refusal(response) -> str:
    assert response.status_code == 200
    page = response.content.decode()
    assert "Traceback" not in page
    return " ".join(str(error) for error in response.context["form"].errors["import_file"])


def test_a_nul_byte_is_refused_naming_its_line_and_nothing_is_written(client):
    content = b"email,kind,last_name\nanne@exemple.fr,consumer,Guevel\nyann@exemple.fr,consumer,Ker\x00vella\n"

    message = _refusal(_post(client, content))

    assert "Line 3 contains a NUL byte" in message
    assert not DataSubject.objects.exists()


def test_bytes_that_are_not_utf8_are_refused_naming_the_line(client):
    content = "email,kind,last_name\nanne@exemple.fr,consumer,Guével\n".encode("cp1252")

    message = _refusal(_post(client, content))

    assert "Line 2 is not UTF-8 text" in message
    assert not DataSubject.objects.exists()


def test_a_utf8_file_with_a_byte_order_mark_is_imported(client):
    content = "email,kind,last_name\nanne@exemple.fr,consumer,Guével\n".encode("utf-8-sig")

    response = _confirm(client, _post(client, content))

    assert response.status_code == 302
    assert DataSubject.objects.get().last_name == "Guével"


def test_wrong_columns_are_named_with_the_expected_ones_and_no_traceback(client):
    content = b"mail,kind,nom\nanne@exemple.fr,consumer,Guevel\n"

    message = _refusal(_post(client, content))

    assert "unknown columns: mail, nom" in message
    assert "missing columns: email" in message
    assert "Expected columns: email, kind, last_name" in message
    assert not DataSubject.objects.exists()


def test_a_roles_file_without_its_role_column_is_refused(client):
    message = _refusal(_post(client, b"email,collected_on\nanne@exemple.fr,2024-01-01\n", url="subjectrole"))

    assert "missing columns: role" in message


def test_a_file_with_a_header_and_no_rows_is_refused(client):
    message = _refusal(_post(client, b"email,kind,last_name\n\n"))

    assert "no rows" in message


def test_a_csv_sent_as_xlsx_is_refused_as_not_a_workbook(client):
    message = _refusal(_post(client, b"email\nanne@exemple.fr\n", name="people.xlsx", file_format=XLSX))

    assert "not an Excel workbook" in message


def test_an_xlsx_workbook_is_checked_and_imported(client):
    book = Workbook()
    book.active.append(["Email", "kind", "last_name"])
    book.active.append(["anne@exemple.fr", "consumer", "Guevel"])
    buffer = io.BytesIO()
    book.save(buffer)

    response = _confirm(client, _post(client, buffer.getvalue(), name="people.xlsx", file_format=XLSX))

    assert response.status_code == 302
    assert DataSubject.objects.get().email == "anne@exemple.fr"


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(client, settings):
    settings.IMPORT_MAX_BYTES = 100
    # A NUL byte on the first line: had the file been read, that is the refusal we would see.
    content = b"email\x00,kind\n" + b"anne@exemple.fr,consumer\n" * 10

    message = _refusal(_post(client, content))

    assert "imports take at most 100" in message
    assert "NUL" not in message
    assert not DataSubject.objects.exists()


def test_a_file_with_more_rows_than_the_limit_is_refused(client, settings):
    settings.IMPORT_MAX_ROWS = 2
    content = b"email,kind\na@exemple.fr,consumer\nb@exemple.fr,consumer\nc@exemple.fr,consumer\n"

    message = _refusal(_post(client, content))

    assert "more than 2 rows" in message
    assert not DataSubject.objects.exists()


def test_the_messages_speak_french_to_a_french_user(client):
    client.force_login(dpo_user())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.post(
        reverse("admin:subjects_datasubject_import"),
        {"resource": "0", "format": CSV, "import_file": SimpleUploadedFile("p.csv", b"mail\nx@exemple.fr\n")},
    )

    message = _refusal(response)
    assert "colonnes inconnues : mail" in message
    assert "Colonnes attendues" in message


def test_a_refused_upload_leaves_no_file_in_the_temp_folder(client, settings, monkeypatch, tmp_path):
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # the upload goes through a temporary file on disk
    content = b"email,kind\n" + b"a@exemple.fr,consumer\nbad-address,consumer\n"

    response = _post(client, content)

    assert response.status_code == 200
    assert not DataSubject.objects.exists()
    assert list(folder.iterdir()) == []
