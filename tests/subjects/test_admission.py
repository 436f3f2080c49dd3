"""Issue 12, item 4: erased (Art. 17) or suppressed people are not created again by any path.

Imports, the admin "add" and the services refuse them, naming the row and the reason; the
person's own new request or consent, dated after the erasure, lets them in and is audited; the
daily beat run of ``reapply_erasures`` erases restored copies again and tells the DPO.
"""

from __future__ import annotations

import datetime as dt

import pytest
import tablib
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from consents import imports
from consents import services as consent_services
from consents.models import Channel, ConsentEvent
from ijinus_privacy.models import AuditEvent
from requests_dsar.erasure.services import erasure_by_operator
from requests_dsar.models import ErasureTombstone, Request
from requests_dsar.tasks import erasures_reapply_task
from subjects import services
from subjects.models import DataSubject
from subjects.resources import DataSubjectResource
from tests.factories import (
    IDENTIFIERS,
    DataSubjectFactory,
    client_to_erase,
    consent_notice,
    dpo_user,
    logged_request,
    support_user,
    withdraw,
)
from tests.mail import deliver

pytestmark = pytest.mark.django_db

ERASED_ON = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
EMAIL = IDENTIFIERS["email"]


def _erase() -> DataSubject:
    """``dsar_erase --commit`` on 2 November 2026."""
    dpo = dpo_user()
    person = client_to_erase()
    with time_machine.travel(ERASED_ON, tick=False):
        erasure_by_operator(subject=person, ground="17_1_a", actor=dpo)
    assert not DataSubject.objects.filter(email=EMAIL).exists()
    return dpo


def _inline_management() -> dict[str, str]:
    from tests.subjects.test_admin import _inline_prefixes

    data = {}
    for prefix in _inline_prefixes():
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def _add(client, **fields):
    data = {"kind": "consumer", "last_name": "Revenant", "language": "fr", "country": "FR", **fields}
    return client.post(reverse("admin:subjects_datasubject_add"), {**data, **_inline_management()})


# --- Imports ---------------------------------------------------------------------------------


def test_subjects_import_refuses_an_erased_person_naming_the_row_and_the_reason_and_writes_nothing():
    dpo = _erase()
    subjects_before = DataSubject.objects.count()
    dataset = tablib.Dataset(
        ("nouvelle.cliente@exemple.fr", "consumer", "Le Goff"),
        (EMAIL.upper(), "consumer", "Quenehervé"),
        headers=("email", "kind", "last_name"),
    )

    with time_machine.travel(LATER, tick=False):
        result = DataSubjectResource(actor=dpo).import_data(dataset)

    assert [row.number for row in result.invalid_rows] == [2]
    reasons = " ".join(str(message) for message in result.invalid_rows[0].error_dict["email"])
    assert "erased under Art. 17 on 02/11/2026" in reasons
    assert EMAIL not in reasons
    assert DataSubject.objects.count() == subjects_before
    assert not DataSubject.objects.filter(email="nouvelle.cliente@exemple.fr").exists()


def test_subjects_import_refuses_a_suppressed_person_naming_the_channel():
    gone = DataSubjectFactory(consumer=True, admitted=True, email="parti@exemple.fr", phone="")
    withdraw(gone)
    services.subject_delete(subject_ids=[gone.pk], actor=dpo_user())

    result = DataSubjectResource().import_data(
        tablib.Dataset(("parti@exemple.fr", "consumer", "Parti"), headers=("email", "kind", "last_name"))
    )

    assert [row.number for row in result.invalid_rows] == [1]
    reasons = " ".join(str(message) for message in result.invalid_rows[0].error_dict["email"])
    assert "on the suppression list for Newsletter by e-mail" in reasons
    assert not DataSubject.objects.filter(email="parti@exemple.fr").exists()


def test_consent_proof_import_refuses_an_erased_person_and_records_no_consent():
    _erase()
    notice = consent_notice()
    row = ("Camille", "Durand", "2026-11-15 10:00:00", "192.0.2.10", "2026-11-15 10:05:00", "salon")
    dataset = tablib.Dataset(("ok@example.fr", *row), (EMAIL, *row), headers=list(imports.COLUMNS))

    with time_machine.travel(LATER, tick=False):
        report = imports.import_consent_proofs(dataset=dataset, notice=notice, batch_reference="b", actor=None)

    assert {number for number, _reason in report.errors} == {2}
    assert any("erased under Art. 17 on 02/11/2026" in reason for _number, reason in report.errors)
    assert not DataSubject.objects.filter(email__in=["ok@example.fr", EMAIL]).exists()
    assert not ConsentEvent.objects.filter(action=ConsentEvent.Action.GIVEN).exists()


# --- Admin add and services ------------------------------------------------------------------


def test_admin_add_of_an_erased_person_is_refused_with_a_clear_message(client):
    _erase()
    client.force_login(support_user())

    with time_machine.travel(LATER, tick=False):
        response = _add(client, email=EMAIL)

    assert response.status_code == 200
    text = response.content.decode()
    assert "erased under Art. 17 on 02/11/2026" in text
    assert "only added again on their own new request or consent" in text
    assert not DataSubject.objects.filter(email=EMAIL).exists()


def test_admin_add_of_a_person_suppressed_by_phone_is_refused(client):
    gone = DataSubjectFactory(consumer=True, admitted=True, email="appel@exemple.fr", phone="02 98 00 00 01")
    withdraw(gone, Channel.PHONE_MARKETING)
    services.subject_delete(subject_ids=[gone.pk], actor=dpo_user())
    client.force_login(support_user())

    response = _add(client, email="autre@exemple.fr", phone="+33 2 98 00 00 01")

    assert response.status_code == 200
    assert "phone: on the suppression list for Phone marketing" in response.content.decode()
    assert not DataSubject.objects.filter(email="autre@exemple.fr").exists()


def test_the_service_refuses_an_erased_person_on_any_path():
    _erase()

    with time_machine.travel(LATER, tick=False), pytest.raises(ValidationError) as refused:
        services.subject_create(fields={"email": EMAIL, "last_name": "X"}, actor=None)

    assert "erased under Art. 17 on 02/11/2026" in str(refused.value)
    assert EMAIL not in str(refused.value)
    assert not DataSubject.objects.filter(email=EMAIL).exists()


def test_their_own_new_request_lets_the_person_in_audited_and_not_re_erased(client):
    _erase()
    with time_machine.travel(LATER, tick=False):
        own = logged_request(received_on=LATER.date(), requester_name="M. Q.", requester_email=EMAIL)
        client.force_login(support_user())
        response = _add(client, email=EMAIL, own_request=str(own.pk))

    assert response.status_code == 302, response.content.decode()[-3000:]
    person = DataSubject.objects.get(email=EMAIL)
    tombstone = ErasureTombstone.objects.get()
    assert tombstone.readmitted_subject_ref == person.pk
    assert tombstone.readmission_basis == f"request #{own.pk}"
    admitted = AuditEvent.objects.get(subject_id=person.pk, fields=["admission"])
    assert f"request #{own.pk}" in admitted.reason
    assert EMAIL not in admitted.reason

    assert erasures_reapply_task() == 0
    assert DataSubject.objects.filter(pk=person.pk).exists()


def test_a_request_older_than_the_erasure_or_from_another_address_does_not_let_them_in(client):
    _erase()
    with time_machine.travel(LATER, tick=False):
        older = logged_request(received_on=dt.date(2026, 10, 1), requester_name="Q", requester_email=EMAIL)
        other = logged_request(received_on=LATER.date(), requester_name="Q", requester_email="autre@exemple.fr")
        client.force_login(support_user())
        first = _add(client, email=EMAIL, own_request=str(older.pk))
        second = _add(client, email=EMAIL, own_request=str(other.pk))

    assert first.status_code == second.status_code == 200
    assert "erased under Art. 17" in first.content.decode()
    assert "erased under Art. 17" in second.content.decode()
    assert not DataSubject.objects.filter(email=EMAIL).exists()


def test_their_own_new_consent_lets_the_person_in_and_is_recorded_but_staff_entry_does_not():
    _erase()
    notice = consent_notice()

    def consent(entered_by):
        return ConsentEvent(
            channel=Channel.NEWSLETTER_EMAIL,
            action=ConsentEvent.Action.GIVEN,
            notice=notice,
            collection_point=ConsentEvent.CollectionPoint.WEB_FORM,
            mechanism=ConsentEvent.Mechanism.UNTICKED_CHECKBOX,
            language="fr",
            entered_by=entered_by,
            occurred_at=LATER,
        )

    with time_machine.travel(LATER, tick=False):
        with pytest.raises(ValidationError):
            consent_services.subject_create_with_consent(
                fields={"email": EMAIL}, actor=None, consent=consent(ConsentEvent.EnteredBy.STAFF)
            )
        person = consent_services.subject_create_with_consent(
            fields={"email": EMAIL}, actor=None, consent=consent(ConsentEvent.EnteredBy.SUBJECT)
        )

    assert ConsentEvent.objects.get(subject=person).entered_by == ConsentEvent.EnteredBy.SUBJECT
    assert ErasureTombstone.objects.get().readmission_basis == "consent given (newsletter_email)"


def test_the_persons_own_public_request_after_erasure_is_accepted(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    import re

    _erase()
    form = {"rights": ["access"], "email": EMAIL, "name": "M. Q.", "details": ""}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/privacy/request/", form, REMOTE_ADDR="203.0.113.9").status_code == 200
    path = re.search(r"https?://[^/\s\"]+(/\S+/confirm/[^/\s\"]+/)", mailoutbox[-1].body).group(1)

    assert client.post(path).status_code == 200
    request = Request.objects.get(channel="web_form")
    assert request.requester_email == EMAIL
    assert request.subject is None


# --- Daily re-application from beat ----------------------------------------------------------


def test_beat_runs_reapply_erasures_daily():
    entry = next(
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "requests_dsar.tasks.erasures_reapply_task"
    )
    schedule = entry["schedule"]
    assert schedule.hour == {3}
    assert schedule.minute == {0}
    assert schedule.day_of_week == set(range(7))


def test_the_daily_run_erases_a_restored_person_again_and_alerts_the_dpo(client, mailoutbox):
    _erase()
    restored = DataSubject.objects.create(email=EMAIL, last_name=IDENTIFIERS["last_name"])  # a backup restore

    deliver()
    mailoutbox.clear()
    with time_machine.travel(LATER, tick=False):
        assert erasures_reapply_task() == 1
        deliver()

    assert not DataSubject.objects.filter(pk=restored.pk).exists()
    (alert,) = mailoutbox
    assert alert.to == [settings.DPO_EMAIL]
    assert f"subject #{restored.pk}" in alert.body
    assert "1 erased again" in alert.body
    assert EMAIL not in alert.body
    assert IDENTIFIERS["last_name"] not in alert.body
    client.force_login(_dpo())
    with time_machine.travel(LATER, tick=False):
        page = client.get(reverse("admin:index")).content.decode()
    assert "1 erased again since 2026-10-21, 0 under a legal hold to decide" in page


def test_the_daily_run_sends_nothing_when_no_one_came_back(mailoutbox):
    _erase()
    deliver()
    mailoutbox.clear()

    assert erasures_reapply_task() == 0
    deliver()
    assert mailoutbox == []


def _dpo():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="dpo")


def test_the_refusal_speaks_french_to_a_french_browser():
    from django.test import Client

    _erase()
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(support_user())

    with time_machine.travel(LATER, tick=False):
        response = _add(client, email=EMAIL)

    assert "effacé au titre de l&#x27;art. 17 le 02/11/2026" in response.content.decode()


def test_demo_data_never_brings_back_a_suppressed_identifier():
    from consents.models import Suppression
    from consents.services import suppression_add
    from subjects.demo import seed_demo

    seed_demo(subjects=1, seed=7)
    phone = DataSubject.objects.get().phone
    suppression_add(kind="phone", value=phone, channels=["all"], reason=Suppression.Reason.OBJECTION, actor=None)
    DataSubject.objects.all().delete()

    assert seed_demo(subjects=1, seed=7) == 0
    assert not DataSubject.objects.exists()
