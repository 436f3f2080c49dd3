"""The register's PDF is built in the background (seconds of layout, too long for a web request): the
page queues a job and follows it, then offers the download; the DPO only; asked, built and downloaded
are audited."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from consents.export import register_pdf_job_run
from consents.models import ProcessingActivity, RegisterExportJob
from ijinus_privacy.models import AuditEvent
from tests.factories import dpo_user, support_user

pytestmark = pytest.mark.django_db


def test_the_dpo_builds_the_register_pdf_in_the_background_and_downloads_it(client, django_capture_on_commit_callbacks):
    dpo = dpo_user()
    client.force_login(dpo)
    page = client.get(reverse("admin:consents_processingactivity_export", args=["pdf"]))
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")  # a page, not a PDF laid out in the request
    assert 'id="register-pdf-build"' in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:consents_processingactivity_export", args=["pdf"]))

    job = RegisterExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:consents_processingactivity_export_job", args=[job.pk])
    job_page = client.get(response["Location"]).text
    assert "Ready to download" in job_page
    assert 'http-equiv="refresh"' not in job_page
    download_url = reverse("admin:consents_processingactivity_export_download", args=[job.pk])
    assert f'href="{download_url}"' in job_page

    download = client.get(download_url)

    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(download.content)).pages)
    text = " ".join(text.split())
    for name in ProcessingActivity.objects.values_list("name", flat=True):
        assert name in text
    reasons = set(AuditEvent.objects.filter(actor=dpo).values_list("reason", flat=True))
    assert {"register export pdf queued", "register export pdf downloaded"} <= reasons
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=dpo).exists()


def test_a_queued_build_shows_its_progress_and_refreshes_itself(client, django_capture_on_commit_callbacks):
    client.force_login(dpo_user())
    with django_capture_on_commit_callbacks(execute=False):  # no worker has taken it yet
        response = client.post(reverse("admin:consents_processingactivity_export", args=["pdf"]))
    job = RegisterExportJob.objects.get()

    page = client.get(response["Location"]).text

    assert job.status == RegisterExportJob.Status.PENDING
    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'id="register-pdf-progress"' in page
    assert client.get(reverse("admin:consents_processingactivity_export_download", args=[job.pk])).status_code == 302

    register_pdf_job_run(job_id=job.pk)
    assert "Ready to download" in client.get(response["Location"]).text


def test_customer_service_may_neither_build_nor_download_the_register_pdf(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(dpo_user())
        client.post(reverse("admin:consents_processingactivity_export", args=["pdf"]))
    job = RegisterExportJob.objects.get()
    client.force_login(support_user())

    assert client.post(reverse("admin:consents_processingactivity_export", args=["pdf"])).status_code == 403
    assert client.get(reverse("admin:consents_processingactivity_export_job", args=[job.pk])).status_code == 403
    assert client.get(reverse("admin:consents_processingactivity_export_download", args=[job.pk])).status_code == 403
    assert RegisterExportJob.objects.count() == 1
