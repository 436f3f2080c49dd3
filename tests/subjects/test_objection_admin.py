"""The DPO's "not upheld" decision on an Art. 21(1) objection, from the admin, with its notice (Art. 18(3))."""

from __future__ import annotations

import pytest
from django.urls import reverse

from requests_dsar.services.objection import objection_record
from subjects.models import Objection
from subjects.services.restriction import is_restricted
from tests.factories import DataSubjectFactory, dpo_user, support_user

pytestmark = pytest.mark.django_db

URL = "admin:subjects_objection_changelist"


def _pending() -> Objection:
    return objection_record(
        subject=DataSubjectFactory(consumer=True, admitted=True),
        kind=Objection.Kind.LEGITIMATE_INTEREST,
        actor=support_user(),
    )


def test_the_dpo_records_not_upheld_with_the_notice_and_the_restriction_is_lifted(client):
    objection = _pending()
    client.force_login(dpo_user())
    action = {"action": "not_upheld", "_selected_action": [objection.pk]}

    form_page = client.post(reverse(URL), action)
    done = client.post(
        reverse(URL),
        {
            **action,
            "notice": "Motifs légitimes impérieux : sécurité du réseau de capteurs.",
            "notice_sent_on": "2026-03-02",
        },
    )

    assert form_page.status_code == 200
    assert 'name="notice"' in form_page.content.decode()
    assert done.status_code == 302
    objection.refresh_from_db()
    assert objection.status == Objection.Status.OVERRIDDEN
    assert objection.restriction.lift_notice.startswith("Motifs légitimes")
    assert not is_restricted(objection.subject_id)


def test_without_the_notice_nothing_is_decided(client):
    objection = _pending()
    client.force_login(dpo_user())

    page = client.post(
        reverse(URL), {"action": "not_upheld", "_selected_action": [objection.pk], "notice_sent_on": "2026-03-02"}
    )

    assert page.status_code == 200
    objection.refresh_from_db()
    assert objection.status == Objection.Status.PENDING
    assert is_restricted(objection.subject_id)


def test_customer_service_is_not_offered_the_decision(client):
    _pending()
    client.force_login(support_user())

    page = client.get(reverse(URL))

    assert page.status_code == 200
    assert 'value="not_upheld"' not in page.content.decode()
