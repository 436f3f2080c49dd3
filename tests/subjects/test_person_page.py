"""The person's page (issue 16): one screen customer service answers a phone call from, and the
person picker that tells three people of the same name apart."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from consents.models import Channel
from ijinus_privacy.models import AuditEvent
from requests_dsar.models import Right
from retention.models import LegalHold
from retention.services import hold_place
from tests import factories as f
from tests.factories import dpo_user, give, logged_request, support_user, withdraw

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 4, 20, 10, 0, tzinfo=timezone.get_default_timezone())


def shown(day: date) -> str:
    """A date as an English page writes it (the project's short date format)."""
    with translation.override("en"):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def page(client, subject, language: str = "en"):
    response = client.get(
        reverse("admin:subjects_datasubject_change", args=[subject.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response


def part_html(response, key: str) -> str:
    match = re.search(rf'<fieldset[^>]*id="part-{key}".*?</fieldset>', response.text, re.S)
    assert match, f"no section {key}"
    return match.group(0)


def test_customer_service_sees_the_persons_requests_with_rights_state_and_due_date(client):
    person = f.DataSubjectFactory(first_names="Claire", last_name="Bouchet", city="Lyon")
    f.SubjectRoleFactory(subject=person, role="active_client")
    old = logged_request(subject=person, received_on=date(2026, 1, 5), rights=[Right.ACCESS])
    new = logged_request(subject=person, received_on=date(2026, 3, 5), rights=[Right.ERASURE, Right.OBJECTION])
    client.force_login(support_user())

    with time_machine.travel(TODAY, tick=False):
        response = page(client, person)

    requests = part_html(response, "requests")
    assert "<details open>" in requests
    assert requests.index(f"Request #{new.pk}") < requests.index(f"Request #{old.pk}")  # newest first
    assert reverse("admin:requests_dsar_request_change", args=[new.pk]) in requests
    assert "Erasure" in requests
    assert "Objection" in requests
    assert new.get_state_display() in requests
    assert shown(new.due_on) in requests
    assert "overdue" in requests  # both were due before 20 April 2026
    assert f'href="/admin/requests_dsar/request/add/?subject={person.pk}"' in response.text
    assert "Log a new request for this person" in response.text
    assert f'href="/admin/subjects/rectification/add/?subject={person.pk}"' in response.text


def test_the_summary_names_the_person_and_empty_sections_are_collapsed(client):
    person = f.DataSubjectFactory(
        first_names="Claire", last_name="Bouchet", email="claire.bouchet@exemple.fr", city="Lyon", phone="0611223344"
    )
    f.SubjectRoleFactory(subject=person, role="newsletter")
    client.force_login(dpo_user())

    response = page(client, person)

    summary = re.search(r'<section class="person-summary".*?</section>', response.text, re.S).group(0)
    assert "Claire Bouchet" in summary
    assert "claire.bouchet@exemple.fr" in summary
    assert "0611223344" in summary
    assert "Lyon" in summary
    assert "Newsletter subscriber" in summary
    for key, empty_text in (
        ("requests", "No request from this person."),
        ("consents", "No consent recorded for this person."),
        ("holds", "No legal hold on this person."),
    ):
        section = part_html(response, key)
        assert "<details>" in section, key
        assert "<details open>" not in section, key
        assert empty_text in section
    # The relationship sections with no rows fold too; the roles, which have one, stay open.
    assert re.search(r'id="contracts-group".*?<fieldset class="module[^"]*collapse', response.text, re.S)
    assert not re.search(
        r'id="roles-group".*?<fieldset class="module[^"]*collapse', response.text.split("contracts-group")[0], re.S
    )


def test_current_consents_holds_and_suppression_show_as_sections_and_banners(client):
    person = f.DataSubjectFactory(consumer=True, admitted=True)
    give(person, Channel.NEWSLETTER_EMAIL, at=timezone.now() - timedelta(days=30))
    withdraw(person, Channel.NEWSLETTER_EMAIL)
    give(person, Channel.PHONE_MARKETING, at=timezone.now() - timedelta(days=3))
    dpo = dpo_user()
    hold_place(
        subject=person, reason=LegalHold.Reason.DISPUTE, reference="RG-26/0042", review_on=date(2027, 1, 1), actor=dpo
    )
    client.force_login(dpo)

    response = page(client, person)

    consents = part_html(response, "consents")
    assert "Newsletter by e-mail" in consents
    assert "Withdrawn" in consents
    assert "Phone marketing" in consents
    assert "Given" in consents
    assert "RG-26/0042" in part_html(response, "holds")
    banners = re.search(r'<div class="person-banners".*?</div>', response.text, re.S).group(0)
    assert f"Legal hold (Dispute) since {shown(timezone.localdate())}" in banners
    assert "Suppression list" in banners
    assert "Newsletter by e-mail" in banners
    assert person.email not in banners  # the banner names the list, not the address


def test_opening_the_page_is_audited_and_the_label_stays_out_of_str(client):
    person = f.DataSubjectFactory(first_names="Claire", last_name="Bouchet")
    client.force_login(support_user())

    page(client, person)

    assert "Bouchet" not in str(person)
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, subject_id=person.pk)
    assert "Bouchet" not in str(vars(event))


def test_the_person_picker_tells_three_bouchets_apart_by_email_city_and_roles(client):
    lyon = f.DataSubjectFactory(first_names="Claire", last_name="Bouchet", email="c.bouchet@exemple.fr", city="Lyon")
    nantes = f.DataSubjectFactory(first_names="Claire", last_name="Bouchet", email="cb44@exemple.fr", city="Nantes")
    brest = f.DataSubjectFactory(first_names="Claire", last_name="Bouchet", email="claire@brest.fr", city="Brest")
    f.SubjectRoleFactory(subject=lyon, role="active_client")
    f.SubjectRoleFactory(subject=lyon, role="newsletter")
    f.SubjectRoleFactory(subject=nantes, role="prospect")
    client.force_login(support_user())

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "requests_dsar", "model_name": "request", "field_name": "subject", "term": "Bouchet"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    labels = {result["id"]: result["text"] for result in response.json()["results"]}
    assert labels == {
        str(
            lyon.pk
        ): f"Claire Bouchet · c.bouchet@exemple.fr · Lyon · Active client, Newsletter subscriber · n° {lyon.pk}",
        str(nantes.pk): f"Claire Bouchet · cb44@exemple.fr · Nantes · Prospect · n° {nantes.pk}",
        str(brest.pk): f"Claire Bouchet · claire@brest.fr · Brest · no role · n° {brest.pk}",
    }


def test_the_person_picker_reads_the_roles_of_a_whole_page_at_once(client):
    for n in range(8):
        person = f.DataSubjectFactory(last_name="Bouchet", email=f"bouchet{n}@exemple.fr")
        f.SubjectRoleFactory(subject=person, role="prospect")
    client.force_login(support_user())
    params = {"app_label": "requests_dsar", "model_name": "request", "field_name": "subject", "term": "Bouchet"}
    client.get(reverse("admin:autocomplete"), params)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:autocomplete"), params)

    assert len(response.json()["results"]) == 8
    assert len([q for q in queries.captured_queries if "subjects_subjectrole" in q["sql"]]) == 1


def _person_with_a_file(count: int, dpo):
    person = f.DataSubjectFactory(consumer=True, admitted=True)
    for role in ("active_client", "newsletter", "purchaser")[: min(count, 3)]:
        f.SubjectRoleFactory(subject=person, role=role)
    for n in range(count):
        logged_request(
            subject=person, received_on=date(2026, 1, 1) + timedelta(days=n), rights=[Right.ACCESS, Right.ERASURE]
        )
        hold_place(
            subject=person, reason=LegalHold.Reason.CLAIM, reference=f"RG-{n}", review_on=date(2027, 1, 1), actor=dpo
        )
    # Phone marketing first: both people then take the same path through the phone check (its queries
    # depend on whether a consent exists, not on how many rows the file holds).
    channels = [Channel.PHONE_MARKETING, Channel.NEWSLETTER_EMAIL, Channel.MARKETING_PUSH, Channel.PARTNER_SHARING]
    for n, channel in enumerate(channels[: max(1, count // 2)]):
        give(person, channel, at=timezone.now() - timedelta(days=n + 2))
    return person


def test_the_persons_page_costs_the_same_queries_with_2_or_8_requests_holds_and_consents(admin_client):
    dpo = dpo_user()
    few, many = _person_with_a_file(2, dpo), _person_with_a_file(8, dpo)
    url = "admin:subjects_datasubject_change"
    admin_client.get(reverse(url, args=[few.pk]))

    with CaptureQueriesContext(connection) as with_few:
        first = admin_client.get(reverse(url, args=[few.pk]))
    with CaptureQueriesContext(connection) as with_many:
        second = admin_client.get(reverse(url, args=[many.pk]))

    assert first.status_code == second.status_code == 200
    assert second.text.count("/admin/requests_dsar/request/") >= 8
    assert len(with_many.captured_queries) == len(with_few.captured_queries), "\n".join(
        query["sql"] for query in with_many.captured_queries
    )


def test_a_record_page_names_its_person_with_the_same_label(client):
    person = f.DataSubjectFactory(first_names="Claire", last_name="Bouchet", email="c.bouchet@exemple.fr", city="Lyon")
    f.SubjectRoleFactory(subject=person, role="active_client")
    contract = f.ContractFactory(subject=person)
    client.force_login(dpo_user())

    contract_page = client.get(reverse("admin:subjects_contract_change", args=[contract.pk]), HTTP_ACCEPT_LANGUAGE="en")
    hold_form = client.get(reverse("admin:retention_legalhold_add"), {"subject": person.pk}, HTTP_ACCEPT_LANGUAGE="en")

    label = f"Claire Bouchet · c.bouchet@exemple.fr · Lyon · Active client · n° {person.pk}"
    assert label in contract_page.text
    assert label in hold_form.text


def test_what_is_archived_says_when_each_roles_data_leaves_the_active_base(client):
    person = f.DataSubjectFactory()
    f.SubjectRoleFactory(subject=person, role="prospect", collected_on=date(2025, 2, 10))
    f.SubjectRoleFactory(
        subject=person, role="newsletter", collected_on=date(2024, 3, 1), unsubscribed_on=date(2026, 1, 15)
    )
    f.SubjectRoleFactory(subject=person, role="purchaser", collected_on=date(2024, 3, 1))
    client.force_login(dpo_user())

    with time_machine.travel(TODAY, tick=False):
        response = page(client, person)

    retention = part_html(response, "retention")
    rows = {
        re.sub(r"<[^>]+>|\s+", " ", row).split()[0]: re.sub(r"<[^>]+>|\s+", " ", row)
        for row in re.findall(r"<tr><td>.*?</tr>", retention, re.S)
    }
    # A prospect: 36 months after collection (or the last contact), then deleted.
    assert shown(date(2028, 2, 10)) in rows["Prospect"]
    assert "Delete" in rows["Prospect"]
    # A newsletter subscriber: archived from the unsubscription (passed), 36 months in the archive, but
    # only once no other role is active.
    assert shown(date(2026, 1, 15)) in rows["Newsletter"]
    assert "passed: archived once no other role is active" in rows["Newsletter"]
    assert shown(date(2029, 1, 15)) in rows["Newsletter"]
    # A purchaser whose contract has not ended: the clock has not started.
    assert "The clock has not started" in rows["Purchaser"]


def test_a_subscriber_with_no_other_role_is_due_for_the_archive_at_the_next_sweep(client):
    person = f.DataSubjectFactory()
    f.SubjectRoleFactory(
        subject=person, role="newsletter", collected_on=date(2024, 3, 1), unsubscribed_on=date(2026, 1, 15)
    )
    client.force_login(dpo_user())

    with time_machine.travel(TODAY, tick=False):
        retention = part_html(page(client, person), "retention")

    assert "passed: due at the next sweep" in retention
    assert "no other role" not in retention


@pytest.mark.parametrize("make_user", [support_user, dpo_user], ids=["customer service", "DPO"])
def test_every_action_offered_on_the_page_opens_for_the_person(client, make_user):
    person = f.DataSubjectFactory(consumer=True, admitted=True)
    give(person)
    client.force_login(make_user())

    response = page(client, person)

    actions = re.search(r'<ul class="person-actions">(.*?)</ul>', response.text, re.S).group(1)
    urls = [url.replace("&amp;", "&") for url in re.findall(r'href="([^"]+)"', actions)]
    assert len(urls) >= 2
    for url in urls:
        opened = client.get(url)
        assert opened.status_code == 200, url
        if "/add/" in url:
            assert f'value="{person.pk}"' in opened.text, url


def test_each_input_of_the_person_tables_is_named_for_screen_readers(client):
    """Tabular inlines name their columns in the table head only: each input carries its column's
    name too (axe-core label/select-name, WCAG 4.1.2), in the page's language."""
    person = f.subject_with_data()
    client.force_login(dpo_user())

    page = client.get(reverse("admin:subjects_datasubject_change", args=[person.pk])).text

    inputs = re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="roles-0-[^"]*"[^>]*>', page)
    visible = [tag for tag in inputs if 'type="hidden"' not in tag]
    assert visible, "the roles table shows the person's role"
    assert [tag for tag in visible if "aria-label=" not in tag] == []
    assert '<select name="roles-0-role" aria-label="Role"' in page
