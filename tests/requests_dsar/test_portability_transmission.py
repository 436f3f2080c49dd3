"""R1.8.4 (Art. 20(2); WP242): at the person's request, the DPO sends the approved portability export
directly to another controller. The controller gets an e-mail (through the outbox) with a link that
holds a random token only; the page behind it says who sends the data and why, and serves the same
JSON as the person's portability file. Expired, revoked or unknown links get a clear page and no
file; every step is audited; customer service cannot transmit."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ijinus_privacy import storage
from ijinus_privacy.models import AuditEvent, OutboxMessage
from requests_dsar.exports import render, services, transmission
from requests_dsar.models import ExportJob, PortabilityTransmission, RequestEvent, Right
from tests.factories import dpo_user, logged_request, subject_with_data, support_user
from tests.requests_dsar.documented import document_register

pytestmark = pytest.mark.django_db

PERSON_EMAIL = "oriane.kerbrat-vasseur@exemple.fr"
CONTROLLER_EMAIL = "dpo@nouveau-fournisseur.example"
LINK = re.compile(r"https?://[^/\s\"]+(/\S*/transmission/[^/\s\"<]+/)")


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


def _portability_request(django_capture_on_commit_callbacks, *, approve: bool):
    document_register()
    dsar = logged_request(
        subject=subject_with_data(email=PERSON_EMAIL, last_name="Kerbrat-Vasseur", first_names="Oriane"),
        rights=(Right.PORTABILITY,),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.export_jobs_create(request=dsar, actor=None, kinds=["portability"])
    if approve:
        with django_capture_on_commit_callbacks(execute=True):
            services.export_approve_and_send(request=dsar, actor=dpo_user())
    return dsar


@pytest.fixture
def approved(django_capture_on_commit_callbacks):
    """A portability request whose export is built, approved and e-mailed to the person."""
    return _portability_request(django_capture_on_commit_callbacks, approve=True)


def _transmit(dsar, django_capture_on_commit_callbacks, actor=None, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return transmission.transmission_create(
            request=dsar,
            controller_name=kwargs.pop("controller_name", "Nouveau Fournisseur SAS"),
            controller_email=kwargs.pop("controller_email", CONTROLLER_EMAIL),
            note=kwargs.pop("note", ""),
            actor=actor or dpo_user(),
        )


@pytest.fixture
def link(approved, mailoutbox, django_capture_on_commit_callbacks) -> str:
    """The path of the link e-mailed to the receiving controller."""
    _transmit(approved, django_capture_on_commit_callbacks)
    return LINK.search(mailoutbox[-1].body).group(1)


def _subjects_json(dsar) -> bytes:
    """The portability.json inside the zip the person downloads."""
    job = ExportJob.objects.get(request=dsar, kind=ExportJob.Kind.PORTABILITY)
    return zipfile.ZipFile(io.BytesIO(storage.read(job.file_path))).read("portability.json")


# --- Refusals -----------------------------------------------------------------------------------------------


def test_r1_8_4_refused_when_the_portability_export_is_built_but_not_approved(
    mailoutbox, django_capture_on_commit_callbacks
):
    dsar = _portability_request(django_capture_on_commit_callbacks, approve=False)

    with pytest.raises(ValidationError, match="not approved yet"):
        _transmit(dsar, django_capture_on_commit_callbacks)

    assert PortabilityTransmission.objects.count() == 0
    assert not OutboxMessage.objects.filter(purpose=transmission.PURPOSE).exists()
    assert mailoutbox == []


def test_r1_8_4_refused_when_no_portability_export_is_built(django_capture_on_commit_callbacks):
    dsar = logged_request(subject=subject_with_data(), rights=(Right.PORTABILITY,))

    with pytest.raises(ValidationError, match="not built yet"):
        _transmit(dsar, django_capture_on_commit_callbacks)

    assert PortabilityTransmission.objects.count() == 0


def test_r1_8_4_refused_on_a_request_without_the_portability_right(django_capture_on_commit_callbacks):
    dsar = logged_request(subject=subject_with_data(), rights=(Right.ACCESS,))

    with pytest.raises(ValidationError, match=r"Art\. 20"):
        _transmit(dsar, django_capture_on_commit_callbacks)

    assert PortabilityTransmission.objects.count() == 0


def test_r1_8_4_the_admin_form_shows_the_refusal_and_what_to_do_first(client, django_capture_on_commit_callbacks):
    dsar = _portability_request(django_capture_on_commit_callbacks, approve=False)
    client.force_login(dpo_user())
    url = reverse("admin:requests_dsar_request_act", args=[dsar.pk, "transmit"])

    page = client.get(url)
    assert page.status_code == 200
    assert reverse("admin:requests_dsar_request_act", args=[dsar.pk, "send-exports"]) in page.text

    response = client.post(
        url, {"controller_name": "Nouveau Fournisseur SAS", "controller_email": CONTROLLER_EMAIL, "confirm": "on"}
    )

    assert response.status_code == 200  # the form again, with the service's refusal
    assert "not approved yet" in response.text
    assert PortabilityTransmission.objects.count() == 0


# --- The e-mail -------------------------------------------------------------------------------------------


def test_r1_8_4_the_email_is_queued_in_the_outbox_then_sent_with_the_link(
    approved, mailoutbox, django_capture_on_commit_callbacks
):
    before = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sent = transmission.transmission_create(
            request=approved,
            controller_name="Nouveau Fournisseur SAS",
            controller_email=CONTROLLER_EMAIL,
            note="Merci de confirmer la bonne réception.",
            actor=dpo_user(),
        )

    # Nothing leaves inline: the message waits in the durable outbox.
    message = OutboxMessage.objects.get(purpose=transmission.PURPOSE, object_id=str(sent.pk))
    assert message.state == OutboxMessage.State.QUEUED
    assert len(mailoutbox) == before
    assert PortabilityTransmission.objects.get().sent_at is None

    for callback in callbacks:
        callback()

    email = mailoutbox[-1]
    assert email.to == [CONTROLLER_EMAIL]
    assert "20(2)" in email.subject
    assert LINK.search(email.body)
    # Who sends it, why, in French and English, and the DPO's contact from the controller record.
    from consents.dpo import dpo_contact

    dpo = dpo_contact()
    assert dpo.controller in email.body
    assert dpo.email in email.body
    assert "à la demande de la personne concernée" in email.body
    assert "at the request of the data subject" in email.body
    assert "article 20, paragraphe 2" in email.body
    assert "Article 20(2) GDPR" in email.body
    assert "Merci de confirmer la bonne réception." in email.body
    expires = timezone.localdate(PortabilityTransmission.objects.get().expires_at)
    assert f"jusqu'au {render.format_date(expires, 'fr')}" in email.body
    assert f"until {render.format_date(expires, 'en')}" in email.body
    assert PortabilityTransmission.objects.get().sent_at is not None
    assert OutboxMessage.objects.get(pk=message.pk).state == OutboxMessage.State.SENT


def test_r1_8_4_nothing_about_the_person_in_the_url_or_the_subject_line(approved, link, mailoutbox):
    email = mailoutbox[-1]

    token = re.fullmatch(r"/privacy/transmission/([A-Za-z0-9_-]+)/", link).group(1)
    assert len(token) >= 40  # random, unguessable
    for fact in (PERSON_EMAIL, "kerbrat", "oriane"):
        assert fact not in link.lower()
        assert fact not in email.subject.lower()
    # Only a keyed hash of the token is stored.
    stored = PortabilityTransmission.objects.get()
    assert token not in stored.token_hash
    assert stored.token_hash == transmission.token_hash(token)


# --- The public page and the download ---------------------------------------------------------------------


def test_r1_8_4_the_page_says_who_sends_and_the_link_downloads_the_subjects_json(client, approved, link):
    page = client.get(link)

    assert page.status_code == 200
    assert "20(2)" in page.text
    assert "Nouveau Fournisseur SAS" in page.text
    assert "à la demande de cette personne" in page.text
    english = client.get(f"/en{link}")
    assert english.status_code == 200
    assert "at that person's request" in english.text.replace("&#x27;", "'")
    assert PortabilityTransmission.objects.get().download_count == 0  # opening the page is not a download

    response = client.post(link, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.content)
    assert document["$schema"].endswith("portability-export.v1.json")
    assert response.content == _subjects_json(approved)  # byte for byte the person's own JSON
    assert PERSON_EMAIL in response.content.decode()
    sent = PortabilityTransmission.objects.get()
    assert sent.download_count == 1
    assert sent.first_downloaded_at is not None
    assert sent.first_downloaded_at == sent.last_downloaded_at
    assert sent.state == PortabilityTransmission.State.DOWNLOADED

    client.post(link, REMOTE_ADDR="198.51.100.7")
    sent.refresh_from_db()
    assert sent.download_count == 2
    assert sent.last_downloaded_at > sent.first_downloaded_at


def test_r1_8_4_an_expired_link_is_410_and_serves_no_file(client, link):
    sent = PortabilityTransmission.objects.get()

    with time_machine.travel(sent.expires_at + timedelta(minutes=1), tick=False):
        page = client.get(link)
        download = client.post(link, REMOTE_ADDR="198.51.100.7")

    assert page.status_code == 410
    assert "Ce lien a expiré." in page.text
    assert download.status_code == 410
    assert "Content-Disposition" not in download
    assert PortabilityTransmission.objects.get().download_count == 0
    assert "Traceback" not in page.text


def test_r1_8_4_a_revoked_link_is_410_and_serves_no_file(client, link, django_capture_on_commit_callbacks):
    dpo = dpo_user()
    client.force_login(dpo)
    url = reverse(
        "admin:requests_dsar_request_act",
        args=[PortabilityTransmission.objects.get().request_id, "revoke-transmission"],
    )

    response = client.post(url, {"transmission": PortabilityTransmission.objects.get().pk})
    assert response.status_code == 302
    client.logout()

    page = client.get(link)
    download = client.post(link, REMOTE_ADDR="198.51.100.7")

    assert page.status_code == 410
    assert "retiré par l'expéditeur" in page.text.replace("&#x27;", "'")
    assert download.status_code == 410
    assert "Content-Disposition" not in download
    sent = PortabilityTransmission.objects.get()
    assert sent.download_count == 0
    assert sent.state == PortabilityTransmission.State.REVOKED
    assert sent.revoked_by_username == "dpo"


def test_r1_8_4_an_unknown_token_is_a_clear_404(client, link):
    forged = link.replace("/transmission/", "/transmission/x")

    response = client.get(forged)
    download = client.post(forged, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 404
    assert "Ce lien n&#x27;est pas valide." in response.text
    assert download.status_code == 404
    assert "Content-Disposition" not in download


def test_r1_8_4_a_link_to_a_deleted_export_file_is_410(client, link):
    job = ExportJob.objects.get(kind=ExportJob.Kind.PORTABILITY)
    services.export_purge(now=job.expires_at + timedelta(seconds=1))

    assert client.get(link).status_code == 410
    assert client.post(link, REMOTE_ADDR="198.51.100.7").status_code == 410


def test_r1_8_4_the_expiry_never_outlives_the_export_file(approved, django_capture_on_commit_callbacks):
    job = ExportJob.objects.get(kind=ExportJob.Kind.PORTABILITY)
    soon = job.sent_at + timedelta(days=2)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=soon)

    sent = _transmit(approved, django_capture_on_commit_callbacks)

    assert sent.expires_at == soon


def test_r1_8_4_downloads_are_rate_limited_per_address(client, link, settings):
    settings.DSAR_PUBLIC_RATE_LIMIT = 2
    for _attempt in range(2):
        assert client.post(link, REMOTE_ADDR="198.51.100.9").status_code == 200

    response = client.post(link, REMOTE_ADDR="198.51.100.9")

    assert response.status_code == 429
    assert PortabilityTransmission.objects.get().download_count == 2


# --- Permissions ------------------------------------------------------------------------------------------


def test_r1_8_4_customer_service_cannot_transmit_or_revoke(client, approved, django_capture_on_commit_callbacks):
    support = support_user()

    with pytest.raises(PermissionDenied):
        _transmit(approved, django_capture_on_commit_callbacks, actor=support)
    assert PortabilityTransmission.objects.count() == 0

    sent = _transmit(approved, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        transmission.transmission_revoke(transmission=sent, actor=support)

    client.force_login(support)
    transmit_url = reverse("admin:requests_dsar_request_act", args=[approved.pk, "transmit"])
    assert client.get(transmit_url).status_code == 403
    assert (
        client.post(
            transmit_url,
            {"controller_name": "Autre SAS", "controller_email": "contact@autre.example", "confirm": "on"},
        ).status_code
        == 403
    )
    revoke_url = reverse("admin:requests_dsar_request_act", args=[approved.pk, "revoke-transmission"])
    assert client.post(revoke_url, {"transmission": sent.pk}).status_code == 403
    page = client.get(reverse("admin:requests_dsar_request_change", args=[approved.pk]))
    assert transmit_url not in page.text
    assert revoke_url not in page.text
    assert PortabilityTransmission.objects.count() == 1
    assert PortabilityTransmission.objects.get().revoked_at is None


# --- The admin ----------------------------------------------------------------------------------------------


def test_r1_8_4_the_dpo_transmits_from_the_request_page_and_sees_its_state(
    client, approved, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(dpo_user())
    change_url = reverse("admin:requests_dsar_request_change", args=[approved.pk])
    transmit_url = reverse("admin:requests_dsar_request_act", args=[approved.pk, "transmit"])
    assert transmit_url in client.get(change_url).text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            transmit_url,
            {"controller_name": "Nouveau Fournisseur SAS", "controller_email": CONTROLLER_EMAIL, "confirm": "on"},
        )

    assert response.status_code == 302
    assert mailoutbox[-1].to == [CONTROLLER_EMAIL]
    page = client.get(change_url)
    assert "Nouveau Fournisseur SAS" in page.text
    assert "Sent" in page.text  # the state: sent, not yet downloaded
    assert reverse("admin:requests_dsar_request_act", args=[approved.pk, "revoke-transmission"]) in page.text
    assert RequestEvent.objects.filter(request=approved, reason__contains="Nouveau Fournisseur SAS").count() == 2


def test_r1_8_4_the_transmission_needs_the_persons_request_confirmed(client, approved):
    client.force_login(dpo_user())
    url = reverse("admin:requests_dsar_request_act", args=[approved.pk, "transmit"])

    response = client.post(url, {"controller_name": "Nouveau Fournisseur SAS", "controller_email": CONTROLLER_EMAIL})

    assert response.status_code == 200
    assert PortabilityTransmission.objects.count() == 0


# --- Audit ------------------------------------------------------------------------------------------------


def test_r1_8_4_every_step_is_audited(client, approved, link):
    sent = PortabilityTransmission.objects.get()
    client.post(link, REMOTE_ADDR="198.51.100.7")
    transmission.transmission_revoke(transmission=sent, actor=dpo_user())

    events = AuditEvent.objects.filter(object_type="requests_dsar.portabilitytransmission", object_id=str(sent.pk))
    by_reason = {event.reason: event for event in events}

    assert set(by_reason) == {
        "transmission queued",
        "transmission sent",
        "receiving controller",
        "transmission revoked",
    }
    assert by_reason["transmission queued"].actor_username == "dpo"
    assert by_reason["transmission queued"].subject_id == approved.subject_id
    assert by_reason["receiving controller"].action == AuditEvent.Action.DOWNLOAD
    assert by_reason["receiving controller"].actor_username == "system:controller-transmission"
    assert by_reason["transmission revoked"].actor_username == "dpo"
    assert AuditEvent.objects.filter(action="create", reason=f"queued:{transmission.PURPOSE}").exists()


# --- Erasure ------------------------------------------------------------------------------------------------


def test_r1_8_4_disposing_of_the_request_file_takes_the_transmission_and_its_link(client, approved, link):
    from ijinus_privacy.personal_data import Disposal, registry

    registry.get("requests_dsar.requests").dispose([approved.subject_id], disposal=Disposal.ANONYMISE)

    assert PortabilityTransmission.objects.count() == 0
    assert not ExportJob.objects.filter(request=approved).exists()
    assert client.get(link).status_code == 404
