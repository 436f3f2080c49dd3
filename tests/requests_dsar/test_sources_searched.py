"""Every data source of the register searched before an access answer, and the request file listing
them with the outcome, who and when (R1.7.1, R1.16.1)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ijinus_privacy.models import AuditEvent
from requests_dsar import services
from requests_dsar.exports import services as export_services
from requests_dsar.models import ExportJob, RequestEvent, Right, SourceSearch
from requests_dsar.searches import register_systems
from tests.factories import dpo_user, logged_request, sales_user, subject_with_data, support_user
from tests.requests_dsar.documented import document_register, search_register_systems

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


def _page(client, dsar) -> str:
    response = client.get(reverse("admin:requests_dsar_request_change", args=[dsar.pk]), headers=EN)
    assert response.status_code == 200
    return response.text


def _sources_section(text: str) -> str:
    return text.split('id="section-sources"')[1].split("</details>")[0]


def _act_url(dsar) -> str:
    return reverse("admin:requests_dsar_request_act", args=[dsar.pk, "sources"])


def _built_access_request(django_capture_on_commit_callbacks):
    document_register()
    dsar = logged_request(subject=subject_with_data(email="maelle.kerjean@exemple.fr"), rights=(Right.ACCESS,))
    with django_capture_on_commit_callbacks(execute=True):
        export_services.export_jobs_create(request=dsar, actor=None, kinds=["access_json"])
    return dsar


def test_r1_7_1_the_checklist_is_every_system_the_register_names():
    names = [system.name for system in register_systems()]

    # the seeded register's systems (software of each entry), each once, details in brackets dropped
    for expected in (
        "CRM",
        "IJINUS Privacy back office",
        "Accounting software",
        "E-mailing tool",
        "sales e-mail",
        "v2.ijitrack.com web platform and its mobile application",
        "Quotation form of the IJINUS website",
    ):
        assert expected in names
    assert len({name.casefold() for name in names}) == len(names)
    crm = next(system for system in register_systems() if system.name == "CRM")
    assert {"P01", "P03", "P08"} <= set(crm.entries)


def test_r1_16_1_the_request_file_lists_the_sources_searched_with_outcome_who_and_when(client):
    dsar = logged_request(rights=(Right.ACCESS,))
    client.force_login(support_user())

    before = _sources_section(_page(client, dsar))
    assert "CRM" in before
    assert "not searched yet" in before

    response = client.post(
        _act_url(dsar),
        {"sources": ["CRM", "Accounting software"], "outcome": "found", "note": "Two quotes in the CRM"},
        headers=EN,
        follow=True,
    )
    assert response.status_code == 200

    section = _sources_section(_page(client, dsar))
    crm_row = section.split("<td>CRM</td>")[1].split("</tr>")[0]
    assert "Data found" in crm_row
    assert "support" in crm_row
    assert "Two quotes in the CRM" in crm_row
    search = SourceSearch.objects.get(request=dsar, source="CRM")
    assert search.searched_by_username == "support"
    assert search.searched_at is not None
    # the timeline names the systems and the outcome; the audit trail has the step
    event = RequestEvent.objects.get(request=dsar, kind=RequestEvent.Kind.SEARCH)
    assert "CRM" in event.reason
    assert "Accounting software" in event.reason
    assert "Two quotes" not in event.reason
    assert AuditEvent.objects.filter(object_id=str(dsar.pk), reason="searched:found").exists()
    # what is left is still listed as not searched
    assert "E-mailing tool</td>" in section
    assert section.count("source-missing") == len(register_systems()) - 2


def test_r1_7_1_approval_refused_naming_the_sources_not_searched(django_capture_on_commit_callbacks, mailoutbox):
    dsar = _built_access_request(django_capture_on_commit_callbacks)
    left = {"CRM", "Accounting software"}
    services.source_search_record(
        request=dsar,
        sources=[system.name for system in register_systems() if system.name not in left],
        outcome=SourceSearch.Outcome.NOTHING,
        actor=support_user(),
    )

    with pytest.raises(ValidationError) as refused:
        export_services.export_approve_and_send(request=dsar, actor=dpo_user())

    messages = refused.value.messages
    assert "CRM" in messages
    assert "Accounting software" in messages
    assert "E-mailing tool" not in messages
    assert ExportJob.objects.get(request=dsar).approved_at is None
    assert mailoutbox == []

    search_register_systems(dsar)
    with django_capture_on_commit_callbacks(execute=True):
        export_services.export_approve_and_send(request=dsar, actor=dpo_user())
    assert ExportJob.objects.get(request=dsar).approved_at is not None


def test_r1_7_1_the_send_page_points_to_the_sources_left(client, django_capture_on_commit_callbacks):
    dsar = _built_access_request(django_capture_on_commit_callbacks)
    client.force_login(dpo_user())

    page = client.get(reverse("admin:requests_dsar_request_act", args=[dsar.pk, "send-exports"]), headers=EN)

    assert _act_url(dsar) in page.text


def test_r1_7_1_customer_service_and_the_dpo_record_searches_sales_cannot(client):
    dsar = logged_request(rights=(Right.ACCESS,))

    for user in (support_user(), dpo_user()):
        client.force_login(user)
        assert client.get(_act_url(dsar)).status_code == 200
    client.force_login(sales_user())
    assert client.get(_act_url(dsar)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.source_search_record(request=dsar, sources=["CRM"], outcome="nothing", actor=sales_user())
    assert not SourceSearch.objects.exists()


def test_r1_7_1_not_applicable_needs_a_reason_and_only_register_systems_are_accepted():
    dsar = logged_request(rights=(Right.ACCESS,))

    with pytest.raises(ValidationError, match="does not apply"):
        services.source_search_record(
            request=dsar, sources=["Careers site"], outcome="not_applicable", actor=support_user()
        )
    with pytest.raises(ValidationError, match="not a system of the register"):
        services.source_search_record(request=dsar, sources=["My notebook"], outcome="nothing", actor=support_user())
    # a spelling of the register's name in another case is the same system
    (search,) = services.source_search_record(
        request=dsar, sources=["crm"], outcome="not_applicable", note="Never a client", actor=support_user()
    )
    assert search.source == "CRM"
