"""Delivery (R1.7.4): the DPO approves, the subject gets a signed link, a one-time code opens the
download; expired, tampered or over-tried links get a clear page; every download is audited."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ijinus_privacy.models import AuditEvent
from requests_dsar.exports import delivery, services
from requests_dsar.models import ExportJob, Right
from tests.factories import dpo_user, logged_request, subject_with_data, support_user
from tests.requests_dsar.documented import document_register, search_register_systems

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def built(django_capture_on_commit_callbacks):
    document_register()  # the DPO documented the register: the export can be approved (R1.7.2)
    """An access request whose JSON export is built."""
    dsar = logged_request(subject=subject_with_data(email="lena.morvan@exemple.fr"), rights=(Right.ACCESS,))
    with django_capture_on_commit_callbacks(execute=True):
        services.export_jobs_create(request=dsar, actor=None, kinds=["access_json"])
    search_register_systems(dsar)  # staff searched every source of the register (R1.7.1)
    return dsar


@pytest.fixture
def sent(built, mailoutbox, django_capture_on_commit_callbacks):
    """The DPO approved: the link e-mail is in the outbox. Returns the link's path."""
    with django_capture_on_commit_callbacks(execute=True):
        services.export_approve_and_send(request=built, actor=dpo_user())
    return re.search(r"https?://[^/\s\"]+(/\S*/export/[^/\s\"]+/)", mailoutbox[-1].body).group(1)


def _code(mailoutbox) -> str:
    return re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)


def _ask_code(client, path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(path, {"action": "send_code"}, REMOTE_ADDR="198.51.100.4")


def test_nothing_is_sent_before_the_dpo_approves(built, mailoutbox):
    job = ExportJob.objects.get(request=built)

    assert job.status == ExportJob.Status.DONE
    assert job.sent_at is None
    assert mailoutbox == []
    with pytest.raises(delivery.ExportLinkError):
        delivery.export_request_from_token(delivery.export_link_token(built))


def test_the_dpo_approval_e_mails_a_signed_link_without_personal_data_in_subject_or_url(sent, mailoutbox):
    message = mailoutbox[-1]

    assert message.to == ["lena.morvan@exemple.fr"]
    assert "morvan" not in message.subject.lower()
    assert "morvan" not in sent.lower()
    job = ExportJob.objects.get()
    assert job.approved_by_username == "dpo"
    assert job.sent_at is not None


def test_a_valid_link_and_the_right_code_download_the_file_audited(
    client, sent, mailoutbox, django_capture_on_commit_callbacks
):
    page = client.get(sent)
    assert page.status_code == 200
    assert "code" in page.text.lower()

    _ask_code(client, sent, django_capture_on_commit_callbacks)
    assert mailoutbox[-1].to == ["lena.morvan@exemple.fr"]
    code = _code(mailoutbox)

    opened = client.post(sent, {"action": "code", "code": code}, REMOTE_ADDR="198.51.100.4")
    assert opened.status_code == 302
    job = ExportJob.objects.get()
    response = client.post(sent, {"action": "download", "file": job.pk}, REMOTE_ADDR="198.51.100.4")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"lena.morvan@exemple.fr" in response.content
    assert AuditEvent.objects.filter(
        action="download", object_type="requests_dsar.exportjob", reason="subject"
    ).exists()
    # the code was spent: typed again in another browser, it opens nothing
    again = Client().post(sent, {"action": "code", "code": code}, REMOTE_ADDR="198.51.100.4")
    assert again.status_code == 200  # the page again, with its message, not the way to the files
    assert "a expiré ou a déjà été utilisé" in again.text


def test_without_the_code_no_file_is_served(client, sent):
    job = ExportJob.objects.get()

    response = client.post(sent, {"action": "download", "file": job.pk}, REMOTE_ADDR="198.51.100.4")

    assert response.status_code == 403
    assert "Content-Disposition" not in response
    assert ExportJob.objects.get().download_count == 0


def test_a_wrong_code_is_refused_and_counted(client, sent, mailoutbox, django_capture_on_commit_callbacks):
    _ask_code(client, sent, django_capture_on_commit_callbacks)
    wrong = "000000" if _code(mailoutbox) != "000000" else "111111"

    response = client.post(sent, {"action": "code", "code": wrong}, REMOTE_ADDR="198.51.100.4")

    assert response.status_code == 200
    assert "Ce code n&#x27;est pas valide." in response.text
    assert ExportJob.objects.get().code_attempts == 1


def test_too_many_wrong_codes_void_the_code(built, sent, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery.export_code_send(request=built)
    right = _code(mailoutbox)
    wrong = "000000" if right != "000000" else "111111"

    for _attempt in range(5):
        with pytest.raises(delivery.ExportLinkError):
            delivery.export_code_check(request=built, code=wrong)

    with pytest.raises(delivery.ExportLinkError):
        delivery.export_code_check(request=built, code=right)  # even the right one is now void
    assert ExportJob.objects.get().download_count == 0


def test_an_expired_code_is_refused(built, sent, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery.export_code_send(request=built)
    ExportJob.objects.update(code_expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(delivery.ExportLinkError):
        delivery.export_code_check(request=built, code=_code(mailoutbox))


def test_an_expired_link_gets_a_clear_page(client, sent, settings):
    later = time.time() + settings.EXPORT_LINK_MAX_AGE + 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.get(sent)

    assert response.status_code == 410
    assert "Ce lien a expiré." in response.text
    assert "Traceback" not in response.text


def test_a_tampered_link_gets_a_clear_page(client, sent):
    tampered = sent.replace("/export/", "/export/x")

    response = client.get(tampered)

    assert response.status_code == 400
    assert "<h1>" in response.text
    assert "Traceback" not in response.text


def test_a_link_to_a_purged_export_is_no_longer_served(client, sent):
    job = ExportJob.objects.get()
    services.export_purge(now=job.expires_at + timedelta(seconds=1))

    assert client.get(sent).status_code == 410


def test_staff_download_from_the_admin_is_audited_and_needs_the_permission(client, built):
    job = ExportJob.objects.get(request=built)
    url = reverse("admin:requests_dsar_request_export_download", args=[built.pk, job.pk])

    client.force_login(support_user())
    assert client.get(url).status_code == 403

    client.force_login(dpo_user())
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    assert AuditEvent.objects.filter(action="download", actor_username="dpo", object_id=str(job.pk)).exists()


def test_the_request_page_shows_the_exports_and_the_dpo_actions(client, built):
    client.force_login(dpo_user())

    page = client.get(reverse("admin:requests_dsar_request_change", args=[built.pk]))

    assert page.status_code == 200
    assert "Access copy, JSON (Art. 15)" in page.text or "JSON" in page.text
    assert reverse("admin:requests_dsar_request_act", args=[built.pk, "send-exports"]) in page.text


def test_the_dpo_approves_and_sends_from_the_admin(client, built, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(dpo_user())
    url = reverse("admin:requests_dsar_request_act", args=[built.pk, "send-exports"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "on"})

    assert response.status_code == 302
    assert ExportJob.objects.get().sent_at is not None
    assert mailoutbox[-1].to == ["lena.morvan@exemple.fr"]


def test_customer_service_builds_exports_from_the_admin(client, django_capture_on_commit_callbacks):
    dsar = logged_request(subject=subject_with_data(), rights=(Right.PORTABILITY,))
    client.force_login(support_user())
    url = reverse("admin:requests_dsar_request_act", args=[dsar.pk, "exports"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kinds": ["portability"]})

    assert response.status_code == 302
    assert ExportJob.objects.get(request=dsar).status == ExportJob.Status.DONE
    assert client.get(reverse("admin:requests_dsar_request_act", args=[dsar.pk, "send-exports"])).status_code == 403


def test_a_restriction_placed_after_the_build_stops_the_sending(built, mailoutbox, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    from subjects.models import Restriction
    from subjects.services.restriction import restriction_place

    dpo = dpo_user()
    restriction_place(subject=built.subject, ground=Restriction.Ground.ACCURACY_CONTESTED, actor=dpo)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError, match="restricted"):
        services.export_approve_and_send(request=built, actor=dpo)

    job = ExportJob.objects.get(request=built)
    assert job.sent_at is None
    assert mailoutbox == []


def test_the_download_period_counts_from_sending_not_from_building(built, settings, django_capture_on_commit_callbacks):
    built_long_ago = timezone.now() + timedelta(days=2)  # built 28 days before sending, with 30-day retention
    ExportJob.objects.filter(request=built).update(expires_at=built_long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        services.export_approve_and_send(request=built, actor=dpo_user())

    job = ExportJob.objects.get(request=built)
    assert job.expires_at == job.sent_at + timedelta(days=settings.EXPORT_RETENTION_DAYS)
    assert job.expires_at > built_long_ago
