"""Retention start dates are facts (R4.2): neither the admin nor an import moves them back."""

from __future__ import annotations

import datetime as dt

import pytest
import tablib
from django.urls import reverse

from subjects.models import SubjectRole
from subjects.resources import SubjectRoleResource
from tests import factories as f
from tests.factories import dpo_user

pytestmark = pytest.mark.django_db

HEADERS = ("email", "role", "collected_on", "last_inbound_contact_on")


def _role(**dates) -> SubjectRole:
    values = {"collected_on": dt.date(2021, 5, 3), "last_inbound_contact_on": dt.date(2023, 9, 1), **dates}
    return f.SubjectRoleFactory(subject=f.DataSubjectFactory(email="anne@exemple.fr"), **values)


def test_an_import_keeps_the_collection_date_of_an_existing_role_and_never_moves_contact_back():
    role = _role()
    dataset = tablib.Dataset(("anne@exemple.fr", "prospect", "2025-01-01", "2020-01-01"), headers=HEADERS)

    result = SubjectRoleResource(actor=dpo_user()).import_data(dataset)

    assert not result.has_errors()
    assert not result.has_validation_errors()
    role.refresh_from_db()
    assert role.collected_on == dt.date(2021, 5, 3)
    assert role.last_inbound_contact_on == dt.date(2023, 9, 1)


def test_an_import_moves_the_last_contact_forward_and_sets_the_collection_date_of_a_new_role():
    role = _role()
    dataset = tablib.Dataset(
        ("anne@exemple.fr", "prospect", "2021-05-03", "2024-02-10"),
        ("anne@exemple.fr", "newsletter", "2024-02-10", ""),
        headers=HEADERS,
    )

    SubjectRoleResource(actor=dpo_user()).import_data(dataset)

    role.refresh_from_db()
    assert role.last_inbound_contact_on == dt.date(2024, 2, 10)
    assert SubjectRole.objects.get(role="newsletter").collected_on == dt.date(2024, 2, 10)


def _post_role(client, role: SubjectRole, **changes):
    url = reverse("admin:subjects_subjectrole_change", args=[role.pk])
    data = {
        "subject": role.subject_id,
        "role": role.role,
        "collected_on": "2025-01-01",
        "last_inbound_contact_on": "2023-09-01",
        "contract_end_on": "",
        "unsubscribed_on": "",
        "product_delivered_on": "",
        **changes,
    }
    return client.post(url, data, headers={"accept-language": "en"})


def test_the_admin_shows_the_collection_date_of_a_saved_role_but_does_not_take_a_new_one(client):
    role = _role()
    client.force_login(dpo_user())

    response = _post_role(client, role)

    assert response.status_code == 302
    role.refresh_from_db()
    assert role.collected_on == dt.date(2021, 5, 3)


def test_the_admin_refuses_to_move_the_last_contact_back(client):
    role = _role()
    client.force_login(dpo_user())

    response = _post_role(client, role, last_inbound_contact_on="2022-01-01")

    assert response.status_code == 200
    assert "only moves forward" in response.content.decode()
    role.refresh_from_db()
    assert role.last_inbound_contact_on == dt.date(2023, 9, 1)
