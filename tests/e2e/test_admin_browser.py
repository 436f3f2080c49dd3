"""The admin as the DPO sees it, in a real browser."""

import pytest

from ijinus_privacy.models import AuditEvent
from subjects.models import DataSubject
from tests.factories import dpo_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dpo_logs_in_finds_a_subject_and_the_view_is_audited(live_server, browser_page):
    dpo = dpo_user()
    subject = DataSubject.objects.create(last_name="Lemoine", first_names="Agathe", email="agathe.lemoine@example.org")
    page = browser_page

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", dpo.username)
    page.fill("#id_password", "test-password-123")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/subjects/datasubject/?q=agathe.lemoine@example.org")
    page.click(f"a[href*='/admin/subjects/datasubject/{subject.pk}/change/']")

    assert page.input_value("#id_last_name") == "Lemoine"
    assert AuditEvent.objects.filter(action="view", subject_id=subject.pk, actor_username=dpo.username).exists()
