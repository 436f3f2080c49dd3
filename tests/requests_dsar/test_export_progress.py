"""Exports being built show their progress on the request's page, which follows it without a reload
by hand (issue 16): the progress box, the poll's answer (formats and statuses only), its permissions."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from requests_dsar.models import ExportJob, Right
from tests.factories import DataSubjectFactory, UserFactory, archivist_user, dpo_user, logged_request, support_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """The admin in French, its default for staff."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


@pytest.fixture
def dsar():
    person = DataSubjectFactory(first_names="Ondine", last_name="Marchal", email="ondine.marchal@exemple.fr")
    return logged_request(subject=person, rights=(Right.ACCESS,))


def _jobs(dsar, *statuses):
    kinds = (ExportJob.Kind.ACCESS_PDF, ExportJob.Kind.ACCESS_JSON)
    now = timezone.now()
    return [
        ExportJob.objects.create(
            request=dsar, subject=dsar.subject, kind=kind, status=status, started_at=now, heartbeat_at=now
        )
        for kind, status in zip(kinds, statuses, strict=False)
    ]


def _progress_url(dsar) -> str:
    return reverse("admin:requests_dsar_request_export_progress", args=[dsar.pk])


def _page(client, dsar) -> str:
    response = client.get(reverse("admin:requests_dsar_request_change", args=[dsar.pk]))
    assert response.status_code == 200
    return response.text


def test_exports_being_built_show_a_progress_bar_that_updates_itself(client, dsar):
    _jobs(dsar, ExportJob.Status.DONE, ExportJob.Status.RUNNING)
    client.force_login(support_user())

    page = _page(client, dsar)

    box = page.split('id="export-progress"')[1].split("</div>")[0]
    assert f'data-progress-url="{_progress_url(dsar)}"' in box
    assert '<progress id="export-progress-bar" value="1" max="2">' in box
    assert "1 export(s) sur 2 produit(s)" in box
    assert "Cette page se met à jour toute seule" in box
    assert "<li>Copie de vos données, PDF (art. 15) — Fait</li>" in box
    assert "<li>Copie de vos données, JSON (art. 15) — En cours</li>" in box
    assert "ijinus_privacy/progress.js" in page


def test_no_progress_box_once_the_exports_are_built(client, dsar):
    _jobs(dsar, ExportJob.Status.DONE, ExportJob.Status.FAILED)
    client.force_login(support_user())

    page = _page(client, dsar)

    assert 'id="export-progress"' not in page
    assert "progress.js" not in page


def test_the_poll_answers_how_far_the_exports_are_built_without_personal_data(client, dsar):
    _jobs(dsar, ExportJob.Status.DONE, ExportJob.Status.PENDING)
    client.force_login(dpo_user())

    response = client.get(_progress_url(dsar))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    state = response.json()
    assert (state["live"], state["done"], state["total"]) == (True, 1, 2)
    assert state["label"] == "1 export(s) sur 2 produit(s)"
    assert [job["status"] for job in state["jobs"]] == ["Fait", "En attente : en file, démarrera au retour du worker"]
    for personal in ("Ondine", "Marchal", "ondine.marchal@exemple.fr"):
        assert personal not in response.text


def test_the_poll_says_when_nothing_is_left_to_build(client, dsar):
    ExportJob.objects.filter(request=dsar).delete()
    _jobs(dsar, ExportJob.Status.DONE, ExportJob.Status.DONE)
    client.force_login(dpo_user())

    state = client.get(_progress_url(dsar)).json()

    assert (state["live"], state["done"], state["total"]) == (False, 2, 2)


@pytest.mark.parametrize("user", [archivist_user, lambda: UserFactory(username="nobody")])
def test_the_poll_is_refused_without_the_right_to_see_requests(client, dsar, user):
    _jobs(dsar, ExportJob.Status.RUNNING)
    client.force_login(user())

    response = client.get(_progress_url(dsar))

    assert response.status_code == 403
    assert "live" not in response.text


def test_the_poll_of_an_unknown_request_is_not_found(client, dsar):
    client.force_login(dpo_user())

    response = client.get(reverse("admin:requests_dsar_request_export_progress", args=[dsar.pk + 1000]))

    assert response.status_code == 404


def test_the_poll_needs_a_staff_login(client, dsar):
    response = client.get(_progress_url(dsar))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_exports_table_fits_the_page_in_a_few_readable_columns(client, dsar):
    """What the file holds, its size and fingerprint (whole on hover), its sending and its deletion."""
    fingerprint = "ab12cd34ef56" + "0" * 52
    finished = timezone.make_aware(timezone.datetime(2026, 3, 10, 10, 0))
    ExportJob.objects.create(
        request=dsar,
        subject=dsar.subject,
        kind=ExportJob.Kind.ACCESS_PDF,
        status=ExportJob.Status.DONE,
        finished_at=finished,
        record_count=15,
        redaction_count=2,
        size=39_424,
        sha256=fingerprint,
        approved_at=finished,
        approved_by_username="dpo",
        sent_at=finished,
        expires_at=finished + timezone.timedelta(days=30),
    )
    client.force_login(dpo_user())

    page = _page(client, dsar)

    table = page.split('id="export_jobs-group"')[1].split("</table>")[0]
    headers = [h.strip() for h in re.findall(r'<th class="column-[^"]*"[^>]*>\s*([^<]+)', table)]
    assert headers == [
        "Format",
        "Statut",
        "Terminée le",
        "Contenu",
        "Taille et empreinte",
        "Envoi",
        "Téléchargements",
        "Fichier supprimé",
        "Fichier",
    ]
    assert "15 enregistrements<br>2 occultations (art. 15(4))" in table
    assert f'38,5\xa0Kio<br><code title="SHA-256 {fingerprint}">ab12cd34ef56…</code>' in table
    assert "approuvé par dpo<br>lien envoyé : 10/03/2026 10:00" in table
    assert "après le 09/04/2026" in table
