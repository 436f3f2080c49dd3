"""Sensitive data received by accident (policy §3.6, R4.6): screening, flags, DPO purge."""

from __future__ import annotations

import io

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from ijinus_privacy.choices import ContactChannel
from ijinus_privacy.models import AuditEvent
from subjects import services
from subjects.models import SensitiveCategory, SensitiveDataFlag
from subjects.sensitive import detect_categories
from tests import factories as f
from tests.factories import dpo_user, support_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Le client est en arrêt maladie jusqu'au 12.", SensitiveCategory.HEALTH),
        ("She is pregnant and asks to delay the visit.", SensitiveCategory.HEALTH),
        ("Absent pour le Ramadan.", SensitiveCategory.RELIGION),
        ("Il est délégué syndical CGT.", SensitiveCategory.TRADE_UNION),
        ("He talked about his political party all along.", SensitiveCategory.POLITICAL),
        ("Mentioned his sexual orientation.", SensitiveCategory.SEXUAL),
        ("Question sur son origine ethnique.", SensitiveCategory.ETHNIC),
        ("Résultat de test ADN joint.", SensitiveCategory.GENETIC),
        ("Badge à empreinte digitale.", SensitiveCategory.BIOMETRIC),
        ("Il a un casier judiciaire.", SensitiveCategory.OFFENCES),
    ],
)
def test_french_and_english_terms_are_detected(text, category):
    assert category in detect_categories(text)


@pytest.mark.parametrize(
    "text",
    ["Le capteur de débit est en panne.", "Please send the invoice again.", "Santiago office", ""],
)
def test_ordinary_text_is_not_flagged(text):
    assert detect_categories(text) == []


def test_saving_a_ticket_with_health_data_opens_a_flag_with_the_field_name_only():
    subject = f.DataSubjectFactory()

    ticket = services.ticket_create(
        subject=subject,
        opened_on="2025-01-06",
        channel=ContactChannel.PHONE,
        text="Rappeler après son hospitalisation.",
        actor=None,
    )

    flag = SensitiveDataFlag.objects.get()
    assert (flag.model, flag.object_id, flag.field_name) == ("subjects.supportticket", ticket.pk, "text")
    assert flag.category == SensitiveCategory.HEALTH
    assert flag.status == SensitiveDataFlag.Status.OPEN
    assert "hospitalisation" not in str(vars(flag))


def test_dpo_purge_blanks_the_field_and_audits_the_field_name_not_the_text():
    ticket = services.ticket_create(
        subject=f.DataSubjectFactory(),
        opened_on="2025-01-06",
        channel=ContactChannel.EMAIL,
        summary="Retard",
        text="Client condamné, ne plus livrer. Il est aussi en arrêt maladie.",
        actor=None,
    )
    flags = list(SensitiveDataFlag.objects.order_by("category"))
    assert {flag.category for flag in flags} == {SensitiveCategory.HEALTH, SensitiveCategory.OFFENCES}

    services.sensitive_purge(flag=flags[0], actor=dpo_user())

    ticket.refresh_from_db()
    assert ticket.text == ""
    assert ticket.summary == "Retard"
    assert set(SensitiveDataFlag.objects.values_list("status", flat=True)) == {SensitiveDataFlag.Status.PURGED}
    event = AuditEvent.objects.get(reason__startswith="Sensitive data purged")
    assert event.fields == ["text"]
    assert event.subject_id == ticket.subject_id
    assert "condamn" not in str(vars(event))
    assert "maladie" not in str(vars(event))


def test_customer_service_cannot_purge():
    subject = f.DataSubjectFactory()
    services.subject_update(subject=subject, fields={"notes": "Il est syndiqué."}, actor=None)
    flag = SensitiveDataFlag.objects.get()

    with pytest.raises(PermissionDenied):
        services.sensitive_purge(flag=flag, actor=support_user())

    subject.refresh_from_db()
    assert subject.notes == "Il est syndiqué."


def test_customer_service_holds_no_permission_on_flags():
    user = support_user()

    assert not user.has_perm("subjects.purge_sensitivedata")
    assert not user.has_perm("subjects.view_sensitivedataflag")
    assert dpo_user().has_perm("subjects.purge_sensitivedata")


def test_dismissed_flag_keeps_the_text():
    ticket = f.TicketFactory(text="Réunion du syndicat.")
    services.screen_instance(ticket)
    flag = SensitiveDataFlag.objects.get()

    services.sensitive_dismiss(flag=flag, actor=dpo_user())

    ticket.refresh_from_db()
    flag.refresh_from_db()
    assert flag.status == SensitiveDataFlag.Status.DISMISSED
    assert ticket.text == "Réunion du syndicat."


def test_screen_sensitive_command_rescans_everything_once():
    f.TicketFactory(text="Customer has diabetes.")
    f.ThirdPartyFactory(declaration="Accord donné ; il est catholique pratiquant.")
    f.TicketFactory(text="Sensor offline.")

    call_command("screen_sensitive", stdout=io.StringIO())
    call_command("screen_sensitive", stdout=io.StringIO())

    assert sorted(SensitiveDataFlag.objects.values_list("model", "category")) == [
        ("subjects.supportticket", "health"),
        ("subjects.thirdpartydata", "religion"),
    ]


def test_dpo_purges_from_the_admin_action(client):
    ticket = f.TicketFactory(text="Il a un cancer.")
    services.screen_instance(ticket)
    flag = SensitiveDataFlag.objects.get()
    client.force_login(dpo_user())

    response = client.post(
        reverse("admin:subjects_sensitivedataflag_changelist"),
        {"action": "purge", "_selected_action": [flag.pk]},
        follow=True,
    )

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.text == ""
    assert "cancer" not in response.text


def test_flag_admin_is_closed_to_customer_service(client):
    client.force_login(support_user())

    assert client.get(reverse("admin:subjects_sensitivedataflag_changelist")).status_code == 403
    assert site._registry[SensitiveDataFlag] is not None
