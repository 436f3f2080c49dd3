"""The request's admin page: actions per role, warnings, the beat schedule, a real worker."""

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from ijinus_privacy.celery import app
from ijinus_privacy.models import AuditEvent
from requests_dsar.models import IdentityCheck, Request, State
from tests.factories import dpo_user, logged_request, support_user

pytestmark = pytest.mark.django_db


def test_dpo_opens_a_request_sees_its_file_and_every_action(client):
    request = logged_request()
    client.force_login(dpo_user())

    response = client.get(reverse("admin:requests_dsar_request_change", args=[request.pk]))

    assert response.status_code == 200
    for action in ("decide", "extend", "fee", "close-unverified", "identity", "letter", "note"):
        assert f"/act/{action}/" in response.text
    assert AuditEvent.objects.filter(action="view", object_type="requests_dsar.request").exists()
    assert request.subject.last_name not in str(list(AuditEvent.objects.values()))


def test_late_identity_request_warns_in_the_admin(client):
    request = logged_request(received_on=date(2026, 3, 2))
    client.force_login(support_user())

    response = client.post(
        reverse("admin:requests_dsar_request_act", args=[request.pk, "identity"]),
        {
            "doubt_reason": "Adresse e-mail différente de celle du dossier",
            "method": IdentityCheck.Method.EMAIL_LINK,
            "document_justification": "",
            "asked_on": "2026-03-10",
        },
        follow=True,
    )

    assert response.status_code == 200
    texts = [str(message) for message in response.context["messages"]]
    assert any("3 working days" in text for text in texts)
    request.refresh_from_db()
    assert request.state == State.AWAITING_INFO
    assert request.identity_request_late


def test_an_illegal_step_in_the_admin_is_an_error_on_the_form_not_a_crash(client):
    request = logged_request()
    Request.objects.filter(pk=request.pk).update(state=State.COMPLETED)
    client.force_login(dpo_user())

    response = client.post(
        reverse("admin:requests_dsar_request_act", args=[request.pk, "information-received"]),
        {"received_on": "2026-03-10"},
        follow=True,
    )

    assert response.status_code == 200
    assert "not paused" in " ".join(response.context["form"].non_field_errors())
    assert 'value="2026-03-10"' in response.text  # what was typed is kept
    assert Request.objects.get(pk=request.pk).state == State.COMPLETED


def test_beat_runs_the_daily_reminder_and_the_purge():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {
        "requests_dsar.tasks.due_soon_reminder_task",
        "requests_dsar.tasks.pause_reminders_task",
        "requests_dsar.tasks.web_submissions_purge_task",
    } <= tasks
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert tasks <= set(app.tasks)


@pytest.mark.redis
def test_a_real_worker_runs_the_daily_reminder(celery_worker_app):
    from requests_dsar.tasks import due_soon_reminder_task

    # The worker has its own connection: it sees the migrated tables, none of this test's rows.
    assert due_soon_reminder_task.apply_async(ignore_result=False).get(timeout=20) == 0


def test_register_export_has_outcomes_but_no_requester_details():
    from requests_dsar.resources import RequestRegisterResource

    request = logged_request(rights=("access", "erasure"), requester_email="")

    dataset = RequestRegisterResource().export()

    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["id"] == str(request.pk)
    assert row["rights"] == "access erasure"
    assert row["state"] == "received"
    csv = dataset.csv
    assert request.subject.email not in csv
    assert request.subject.last_name not in csv


def test_register_export_page_opens_for_customer_service(client):
    client.force_login(support_user())

    assert client.get(reverse("admin:requests_dsar_request_export")).status_code == 200


def test_the_request_page_opens_with_a_summary_of_state_deadline_and_rights(today, admin_client):
    from datetime import timedelta

    from tests.factories import logged_request

    request = logged_request(received_on=today - timedelta(days=40))

    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = admin_client.get(f"/admin/requests_dsar/request/{request.pk}/change/")

    assert page.status_code == 200
    summary = page.text.split('id="dsar-summary"')[1].split("</fieldset>")[0]
    assert "days overdue" in summary
    assert "Access" in summary
