"""Imports show what went wrong as a table (row, column, message), never in a tooltip, and offer a
template file with the expected columns for each import."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from subjects.import_jobs import columns_for
from subjects.models import DataSubject, ImportJob
from subjects.resources import DataSubjectResource, SubjectRoleResource
from tests.factories import dpo_user, support_user

pytestmark = pytest.mark.django_db


def _table_rows(html: str, table_id: str) -> list[list[str]]:
    import re

    table = html[html.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    body = table[table.index("<tbody>") :]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_refused_rows_of_a_previewed_import_are_listed_as_row_column_message(client):
    client.force_login(dpo_user())
    content = b"email,kind,last_name\nanne@exemple.fr,consumer,Guevel\nnot-an-address,consumer,Le Du\n"

    response = client.post(
        reverse("admin:subjects_datasubject_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("people.csv", content)},
    )

    html = response.text
    assert "validation-error-container" not in html  # the library's hover tooltip is gone
    rows = _table_rows(html, "import-errors")
    assert len(rows) == 1
    assert rows[0][:2] == ["2", "email"]
    assert "e-mail" in rows[0][2].lower() or "email" in rows[0][2].lower()
    assert not DataSubject.objects.exists()


def test_refused_rows_of_a_background_import_are_a_table_on_the_job_page(
    client, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_SYNC_MAX_ROWS = 0
    client.force_login(dpo_user())
    content = (
        b"email,kind,last_name\nanne@exemple.fr,consumer,Guevel\n"
        b"not-an-address,consumer,Le Du\nclaire@exemple.fr,nobody-kind,Morvan\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:subjects_datasubject_import"),
            {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("people.csv", content)},
        )
    job = ImportJob.objects.get()
    assert job.status == "failed"

    html = client.get(reverse("admin:subjects_importjob_change", args=[job.pk])).text

    rows = _table_rows(html, "import-errors")
    assert [row[:2] for row in rows] == [["2", "email"], ["3", "kind"]]
    assert all(row[2] and not row[2].startswith("Row") for row in rows)
    assert "not-an-address" not in html  # reasons, never values


@pytest.mark.parametrize(
    ("url", "resource"),
    [("datasubject", DataSubjectResource), ("subjectrole", SubjectRoleResource)],
)
def test_each_import_offers_a_csv_template_with_its_expected_headers(client, url, resource):
    client.force_login(dpo_user())
    page = client.get(reverse(f"admin:subjects_{url}_import")).text
    template_url = reverse(f"admin:subjects_{url}_import_template", args=[0])
    assert f'href="{template_url}"' in page

    response = client.get(template_url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *data = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert tuple(header) == columns_for(resource).expected
    assert "email" in header
    assert data == []


def test_the_template_needs_the_import_permission(client):
    client.force_login(support_user())
    assert client.get(reverse("admin:subjects_datasubject_import_template", args=[0])).status_code == 403
