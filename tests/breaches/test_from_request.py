"""R5.3.7: a wrongful disclosure while answering a request (a data copy sent to the wrong person) is
recorded as a breach straight from the request: the form comes filled in, the breach names the
request and counts the person who asked among those affected (EDPB Guidelines 01/2022 §§80-81)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from breaches.models import AffectedPerson, Breach
from ijinus_privacy.models import AuditEvent
from tests import factories as f
from tests.mail import deliver

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_r5_3_7_a_wrongful_disclosure_is_recorded_as_a_breach_from_the_request(client):
    dsar = f.logged_request(received_on=dt.date(2026, 3, 2))
    client.force_login(f.dpo_user())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    url = reverse("admin:breaches_breach_add") + f"?from_request={dsar.pk}"

    form = client.get(url)

    assert form.status_code == 200
    initial = form.context["adminform"].form.initial
    assert initial["title"] == f"Divulgation erronée lors de la réponse à la demande n° {dsar.pk}"
    assert initial["nature_confidentiality"] is True
    assert "02/03/2026" in initial["description"]
    assert f"Depuis la demande n° {dsar.pk}" in form.text

    saved = client.post(
        url,
        {
            "title": initial["title"],
            "discovered_at_0": "10/03/2026",
            "discovered_at_1": "09:30:00",
            "discovered_by": "DPO",
            "aware_at_0": "10/03/2026",
            "aware_at_1": "09:45:00",
            "nature_confidentiality": "on",
            "description": "La copie des données a été envoyée à une homonyme.",
            "activities": initial["activities"],
            "people_estimate": "1",
        },
    )

    assert saved.status_code == 302
    breach = Breach.objects.get()
    assert breach.source_request_id == dsar.pk
    assert list(breach.activities.values_list("code", flat=True)) == ["P11"]
    assert list(AffectedPerson.objects.filter(breach=breach).values_list("subject_id", "source")) == [
        (dsar.subject_id, AffectedPerson.Source.REQUEST)
    ]
    assert AuditEvent.objects.filter(object_type="breaches.breach", object_id=str(breach.pk), action="create").exists()
    page = client.get(reverse("admin:breaches_breach_change", args=[breach.pk]))
    assert f"Demande n° {dsar.pk}" in page.text
    assert reverse("admin:requests_dsar_request_change", args=[dsar.pk]) in page.text
    deliver()
    assert any(breach.reference in message.subject for message in mail.outbox)  # the DPO is alerted at once


def test_r5_3_7_the_form_names_a_request_only_to_those_who_may_read_requests(client, django_user_model):
    from django.contrib.auth.models import Permission

    dsar = f.logged_request(received_on=dt.date(2026, 3, 2))
    recorder = django_user_model.objects.create_user("recorder", password="x", is_staff=True)
    recorder.user_permissions.add(Permission.objects.get(codename="add_breach", content_type__app_label="breaches"))
    client.force_login(recorder)

    page = client.get(reverse("admin:breaches_breach_add") + f"?from_request={dsar.pk}")
    unknown = client.get(reverse("admin:breaches_breach_add") + "?from_request=not-a-number")

    assert page.status_code == unknown.status_code == 200
    assert "title" not in page.context["adminform"].form.initial
    assert "Depuis la demande" not in page.text
    assert "From data-subject request" not in page.text


def test_r5_3_7_the_request_page_offers_to_record_the_breach_to_whoever_may(client):
    """Whoever hears of a breach first records it (customer service too); one who may only read
    requests is not offered the form."""
    from django.contrib.auth.models import Permission

    dsar = f.logged_request(received_on=dt.date(2026, 3, 2))
    link = reverse("admin:breaches_breach_add") + f"?from_request={dsar.pk}"
    page = reverse("admin:requests_dsar_request_change", args=[dsar.pk])
    reader = f.UserFactory(username="reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_request"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    seen = {}
    for user in (f.dpo_user(), f.support_user(), reader):
        client.force_login(user)
        response = client.get(page)
        assert response.status_code == 200
        seen[user.username] = response.text

    for username in ("dpo", "support"):
        assert f'id="breach-from-request" href="{link}"' in seen[username]
        assert "Enregistrer une violation de données révélée par cette demande (art. 33)" in seen[username]
    assert 'id="breach-from-request"' not in seen["reader"]
