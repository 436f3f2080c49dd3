"""The erasure plan on the request, DPO approval in the admin, Art. 19 tasks and the archive's visibility."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from requests_dsar.erasure.notifications import notifications_create_for
from requests_dsar.models import ChangeKind, ErasureGround, ErasureKeep, ErasureRecord, RecipientNotification, State
from retention.models import LegalHold
from retention.services import hold_place
from subjects.models import DataSubject
from tests.factories import archivist_user, client_to_erase, disclose, dpo_user, erasure_request, support_user

pytestmark = pytest.mark.django_db


def _plan_url(request) -> str:
    return reverse("admin:requests_dsar_request_erasure_plan", args=[request.pk])


def test_request_page_links_to_the_erasure_plan(client):
    dpo = dpo_user()
    request = erasure_request(client_to_erase(), actor=dpo)
    client.force_login(dpo)

    response = client.get(reverse("admin:requests_dsar_request_change", args=[request.pk]))

    assert _plan_url(request) in response.text


def test_plan_page_shows_each_category_action_reason_and_end_date(client):
    dpo = dpo_user()
    request = erasure_request(client_to_erase(), actor=dpo)
    client.force_login(dpo)

    response = client.get(_plan_url(request))

    assert response.status_code == 200
    text = response.text
    assert "Keep in intermediate archive" in text or "Conserver en archive intermédiaire" in text
    assert "31/12/2032" in text  # the page's date style (issue 16), never ISO
    assert "L.123-22" in text
    assert "Approve and erase" in text


def test_dpo_approves_the_plan_and_the_subject_is_erased(client):
    dpo = dpo_user()
    subject = client_to_erase()
    request = erasure_request(subject, actor=dpo)
    client.force_login(dpo)

    response = client.post(
        _plan_url(request),
        {"ground": ErasureGround.CONSENT_WITHDRAWN, "justification": "Retrait du consentement", "confirm": "on"},
    )

    assert response.status_code == 302
    assert not DataSubject.objects.filter(pk=subject.pk).exists()
    request.refresh_from_db()
    assert request.state == State.COMPLETED
    assert ErasureRecord.objects.get().ground == ErasureGround.CONSENT_WITHDRAWN


def test_r1_10_4_the_erasure_proof_on_the_request_reads_as_lines_not_json(client):
    dpo = dpo_user()
    request = erasure_request(client_to_erase(), actor=dpo)
    client.force_login(dpo)
    client.post(_plan_url(request), {"ground": "17_1_a", "justification": "Plus client", "confirm": "on"})

    page = client.get(reverse("admin:requests_dsar_request_change", args=[request.pk])).text
    kept = page.split('class="field-kept_items"')[1].split("</td>")[0]
    counts = page.split('class="field-counts_by_source"')[1].split("</td>")[0]

    assert "kept until 31/12/2032" in kept  # the invoices, C. com. L.123-22, in the page's date style
    assert "Identity and contact details" in counts
    assert "{" not in kept + counts
    assert "subjects.identity" not in counts


def test_customer_service_sees_the_plan_but_cannot_approve(client):
    support = support_user()
    subject = client_to_erase()
    request = erasure_request(subject, actor=support)
    client.force_login(support)

    page = client.get(_plan_url(request))
    post = client.post(_plan_url(request), {"ground": "17_1_a", "justification": "x", "confirm": "on"})

    assert page.status_code == 200
    assert "Approve and erase" not in page.text
    assert post.status_code == 403
    assert DataSubject.objects.filter(pk=subject.pk).exists()


def test_plan_page_shows_the_hold_refusal_and_no_form(client):
    dpo = dpo_user()
    subject = client_to_erase()
    request = erasure_request(subject, actor=dpo)
    hold_place(subject=subject, reason=LegalHold.Reason.CLAIM, review_on=dt.date(2030, 1, 1), actor=dpo)
    client.force_login(dpo)

    response = client.get(_plan_url(request))

    assert "legal hold(s) in force on this person. Lift the hold" in response.text
    assert "Approve and erase" not in response.text


def test_notification_tasks_show_on_the_request_and_are_tracked_by_actions(client):
    support = support_user()
    subject = client_to_erase()
    disclose(subject, "crm")
    request = erasure_request(subject, actor=support)
    tasks = notifications_create_for(subject=subject, change_kind=ChangeKind.RESTRICTION, request=request, actor=None)
    task = next(task for task in tasks if task.recipient.code == "crm")
    client.force_login(support)

    page = client.get(reverse("admin:requests_dsar_request_change", args=[request.pk]))
    client.post(
        reverse("admin:requests_dsar_recipientnotification_changelist"),
        {"action": "mark_sent", "_selected_action": [task.pk]},
    )

    assert "CRM provider" in page.text
    task.refresh_from_db()
    assert task.status == RecipientNotification.Status.SENT


def test_impossible_closure_needs_a_justification_in_the_admin(client):
    support = support_user()
    subject = client_to_erase()
    disclose(subject, "carriers")
    tasks = notifications_create_for(subject=subject, change_kind=ChangeKind.ERASURE, request=None, actor=None)
    task = next(task for task in tasks if task.recipient.code == "carriers")
    client.force_login(support)
    url = reverse("admin:requests_dsar_recipientnotification_impossible", args=[task.pk])

    empty = client.post(url, {"justification": ""})
    done = client.post(url, {"justification": "Transporteur disparu, aucun contact"})

    assert empty.status_code == 200
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == RecipientNotification.Status.IMPOSSIBLE


def test_kept_records_are_seen_by_the_archivist_only(client):
    dpo = dpo_user()
    subject = client_to_erase()
    from requests_dsar.erasure.services import erasure_execute

    erasure_execute(request=erasure_request(subject, actor=dpo), ground="17_1_a", justification="ok", actor=dpo)
    url = reverse("admin:requests_dsar_erasurekeep_changelist")
    assert ErasureKeep.objects.count() == 3

    client.force_login(dpo)
    dpo_status = client.get(url).status_code
    client.force_login(support_user())
    support_status = client.get(url).status_code
    client.force_login(archivist_user())
    archivist_status = client.get(url).status_code

    assert (dpo_status, support_status, archivist_status) == (403, 403, 200)


def test_the_plan_reads_in_the_dpos_language_with_the_person_named_and_no_codes(client):
    """Sources and categories by their names in the page's language, the person by name; no
    reference to the policy's paragraphs, no category code (issue 16)."""
    from django.conf import settings

    dpo = dpo_user()
    subject = client_to_erase()
    request = erasure_request(subject, actor=dpo)
    client.force_login(dpo)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    page = client.get(_plan_url(request)).text
    plan = page.split('id="erasure-plan"')[1].split("</table>")[0]

    assert f"Ce que fait l'effacement de {subject.first_names} {subject.last_name.upper()}" in page
    assert "<td>Identité et coordonnées</td><td>Identité, Coordonnées, Vie professionnelle</td>" in plan
    assert "Factures et paiements (conservés 10 ans, C. com. L.123-22)" in plan
    for internal in ("policy §", "professional", "third_party", "request_file", "Identity and contact"):
        assert internal not in plan
