"""Every registered model's changelist and add page answer 200 to a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse

from ijinus_privacy.models import AuditEvent
from subjects.models import DataSubject

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=[m._meta.label for m, _ in REGISTERED])
def test_changelist_and_add_pages(admin_client, model, model_admin):
    info = (model._meta.app_label, model._meta.model_name)

    assert admin_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    add = admin_client.get(reverse("admin:{}_{}_add".format(*info)))
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)


def test_admin_index_is_branded(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "IJINUS Privacy" in response.text


def test_opening_a_subject_records_a_view_without_values(admin_client):
    subject = DataSubject.objects.create(last_name="Durand", email="claire.durand@example.org")

    admin_client.get(reverse("admin:subjects_datasubject_change", args=[subject.pk]))

    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, subject_id=subject.pk)
    assert event.object_type == "subjects.datasubject"
    assert "Durand" not in str(vars(event))


def test_customer_service_cannot_open_the_audit_trail(client):
    from tests.factories import support_user

    client.force_login(support_user())

    assert client.get(reverse("admin:ijinus_privacy_auditevent_changelist")).status_code == 403
