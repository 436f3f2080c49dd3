"""The one-month period of Art. 12(3) covers the refusal and extension notices (R1.2.4) and the Art. 19
notifications to recipients (R1.12.4): due dates shown, what has not gone out on the dashboard and in
the DPO's reminder, what left late flagged on the request."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from requests_dsar import services
from requests_dsar.models import ChangeKind, Letter, RecipientNotification, RequestEvent, State
from requests_dsar.notifications import due_soon_reminder_send
from tests.conftest import paris_moment
from tests.factories import dpo_user, logged_request, recipient
from tests.mail import deliver

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}
RECEIVED = date(2026, 3, 5)  # due on Tuesday 7 April 2026 (5 April is a Sunday, 6 April Easter Monday)
DUE = date(2026, 4, 7)


def _dashboard(client) -> str:
    response = client.get(reverse("admin:index"), headers=EN)
    assert response.status_code == 200
    return response.text.split('id="dash-notices"')[1].split('<div class="module')[0]


def _page(client, dsar) -> str:
    response = client.get(reverse("admin:requests_dsar_request_change", args=[dsar.pk]), headers=EN)
    assert response.status_code == 200
    return response.text


def _reminder(mailoutbox) -> str:
    (mail,) = [mail for mail in mailoutbox if mail.subject.startswith("[IJINUS Privacy]")]
    return mail.body


def _refuse(dsar, dpo):
    Request = type(dsar)
    Request.objects.filter(pk=dsar.pk).update(state=State.IN_PROGRESS)
    return services.request_decide(
        request=dsar,
        refusals=[services.ItemRefusal(item=dsar.items.get(), ground="12_5", justification="Cinquième demande")],
        justification="Demande manifestement excessive",
        actor=dpo,
    )


def _notification(dsar, *, status=RecipientNotification.Status.PENDING) -> RecipientNotification:
    return RecipientNotification.objects.create(
        request=dsar,
        subject_ref=dsar.subject_id,
        recipient=recipient("crm"),
        change_kind=ChangeKind.ERASURE,
        categories=["identity"],
        last_disclosed_on=date(2026, 1, 5),
        status=status,
    )


def test_r1_2_4_a_refusal_notice_not_gone_out_is_due_on_the_dashboard_and_in_the_reminder(client, mailoutbox):
    dpo = dpo_user()
    client.force_login(dpo)
    with time_machine.travel(paris_moment("2026-03-20"), tick=False):
        dsar = logged_request(received_on=RECEIVED)
        _refuse(dsar, dpo)  # the refusal letter is queued, its e-mail has not left yet
        assert Letter.objects.get(request=dsar, kind=Letter.Kind.REFUSAL).sent_at is None

        widget = _dashboard(client)
        assert f"Request #{dsar.pk}" in widget
        assert "refusal notice not sent, due 07/04/2026" in widget

        due_soon_reminder_send(today=date(2026, 3, 20))
        deliver()  # the reminder and the refusal e-mail leave
        reminder = _reminder(mailoutbox)
        assert "Refusal notices not sent yet" in reminder
        assert f"#{dsar.pk}  due {DUE.isoformat()}" in reminder

        assert Letter.objects.get(request=dsar, kind=Letter.Kind.REFUSAL).sent_at is not None
        assert f"Request #{dsar.pk}" not in _dashboard(client)


def test_r1_2_4_a_refusal_notice_sent_after_the_due_date_is_flagged_late(client):
    dpo = dpo_user()
    with time_machine.travel(paris_moment("2026-04-08"), tick=False):  # the day after the due date
        dsar = logged_request(received_on=RECEIVED)
        _refuse(dsar, dpo)
        deliver()

        client.force_login(dpo)
        page = _page(client, dsar)

    assert "Refusal (Art. 12(4)) sent on 08/04/2026, after its due date of 07/04/2026" in page
    assert "letter-late" in page.split('id="section-documents"')[1]
    warning = RequestEvent.objects.get(request=dsar, kind=RequestEvent.Kind.WARNING)
    assert "sent after its due date of 2026-04-07" in warning.reason


def test_r1_2_4_a_refusal_notice_sent_on_time_is_not_flagged(client):
    dpo = dpo_user()
    with time_machine.travel(paris_moment("2026-04-07"), tick=False):  # on the due date
        dsar = logged_request(received_on=RECEIVED)
        _refuse(dsar, dpo)
        deliver()
        client.force_login(dpo)
        page = _page(client, dsar)

    assert "after its due date" not in page
    assert "letter-late" not in page
    assert not RequestEvent.objects.filter(request=dsar, kind=RequestEvent.Kind.WARNING).exists()


def test_r1_2_4_an_extension_notice_that_left_after_the_one_month_due_date_is_flagged_late(client):
    dpo = dpo_user()
    with time_machine.travel(paris_moment("2026-04-07"), tick=False):  # extended on the last day (allowed)
        dsar = logged_request(received_on=RECEIVED)
        services.request_extend(request=dsar, reason="large_volume", explanation="Volume important", actor=dpo)
    with time_machine.travel(paris_moment("2026-04-09"), tick=False):  # the mail server was down two days
        deliver()
        client.force_login(dpo)
        page = _page(client, dsar)

    assert "Extension notice (Art. 12(3)) sent on 09/04/2026, after its due date of 07/04/2026" in page


def test_r1_12_4_a_notification_is_due_on_its_requests_due_date_and_flagged_once_overdue(client):
    dpo = dpo_user()
    client.force_login(dpo)
    with time_machine.travel(paris_moment("2026-03-20"), tick=False):
        dsar = logged_request(received_on=RECEIVED)
        notification = _notification(dsar)
        assert notification.due_on == dsar.due_on == DUE

        section = _page(client, dsar).split('id="section-rights"')[1].split("</details>")[0]
        assert "07/04/2026" in section
        assert "notification-overdue" not in section
        assert f"Request #{dsar.pk}" not in _dashboard(client)

    with time_machine.travel(paris_moment("2026-04-08"), tick=False):
        section = _page(client, dsar).split('id="section-rights"')[1].split("</details>")[0]
        assert "notification-overdue" in section
        listing = client.get(reverse("admin:requests_dsar_recipientnotification_changelist"), headers=EN).text
        assert "notification-overdue" in listing


def test_r1_12_4_overdue_unsent_notifications_are_flagged_on_the_dashboard_and_in_the_reminder(client, mailoutbox):
    dpo = dpo_user()
    client.force_login(dpo)
    with time_machine.travel(paris_moment("2026-03-20"), tick=False):
        late = logged_request(received_on=date(2026, 2, 2))  # due 2 March 2026
        sent = logged_request(received_on=date(2026, 2, 2))
        not_yet = logged_request(received_on=RECEIVED)
        _notification(late)
        _notification(sent, status=RecipientNotification.Status.SENT)
        _notification(not_yet)

        widget = _dashboard(client)
        due_soon_reminder_send(today=date(2026, 3, 20))
        deliver()

    assert f"Request #{late.pk}" in widget
    assert "overdue since 02/03/2026" in widget
    assert f"Request #{sent.pk}" not in widget
    assert f"Request #{not_yet.pk}" not in widget
    reminder = _reminder(mailoutbox)
    assert "Recipient notifications overdue (Art. 19)" in reminder
    assert f"request #{late.pk}  due 2026-03-02" in reminder
    assert f"request #{not_yet.pk}" not in reminder
