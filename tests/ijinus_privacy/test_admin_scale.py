"""Admin lists at a million rows (issue 13; ``ijinus_privacy.admin_scale``).

Query budgets that do not grow with the rows on the page or the rows related to a record; no
whole-table ``COUNT(*)``, ``SELECT DISTINCT`` or ``date_trunc`` in a list; searches that find the
person (exact e-mail, name or e-mail fragment, phone number in another form, subject number); an
estimated count on PostgreSQL; a "delete selected" that counts instead of walking every related row.
The budget tests run on SQLite and, with ``DATABASE_URL``, on PostgreSQL; tests marked ``postgres``
check the plans and the estimate there.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.contrib.admin.filters import BooleanFieldListFilter, ChoicesFieldListFilter, DateFieldListFilter
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consents.consent_admin import latest_events_only
from consents.models import Channel, ConsentEvent
from ijinus_privacy import admin_scale, audit
from ijinus_privacy.models import AuditEvent
from requests_dsar.models import ExportJob, Request, RequestEvent, Right
from subjects.models import DataSubject, Delivery, Order, SubjectRole
from tests import factories as sf
from tests.factories import DataSubjectFactory, UserFactory, disclose, dpo_user, give, logged_request, withdraw

pytestmark = pytest.mark.django_db

# Tables that grow with the people, their history or time, to a million rows and beyond.
LARGE = {
    "subjects.datasubject",
    "subjects.subjectrole",
    "subjects.contract",
    "subjects.order",
    "subjects.delivery",
    "subjects.invoice",
    "subjects.payment",
    "subjects.promotionparticipation",
    "subjects.supportticket",
    "subjects.navigationrecord",
    "subjects.mobiledevice",
    "subjects.assumedinterest",
    "subjects.thirdpartydata",
    "subjects.sensitivedataflag",
    "subjects.rectification",
    "subjects.restriction",
    "subjects.objection",
    "subjects.postmortemdirective",
    "subjects.deathrecord",
    "consents.consentevent",
    "connectors.webhookdelivery",  # one row per attempt to every processor, kept as proof
    "consents.marketingbasis",
    "consents.reconsentflag",  # one row per person and purpose asked again
    "consents.indirectcollection",  # one row per person obtained from a list or a fair
    "consents.suppression",
    "consents.registerversion",
    "connectors.connectortask",  # one row per request and connected system
    "ijinus_privacy.auditevent",
    "ijinus_privacy.outboxmessage",
    "requests_dsar.request",
    "requests_dsar.requestevent",
    "requests_dsar.exportjob",
    "requests_dsar.erasurerecord",
    "requests_dsar.erasurekeep",
    "requests_dsar.erasuretombstone",
    "requests_dsar.disclosurelog",
    "requests_dsar.recipientnotification",
    "retention.archivedsubject",
    "retention.legalhold",
    "retention.sweeprun",
}
# Reference tables (tens to thousands of rows), staff accounts and the libraries' own admins.
SMALL = {
    "auth.group",
    "auth.user",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "breaches.breach",  # the register of breaches: tens of rows
    "connectors.connectedsystem",  # a handful of systems
    "connectors.apiclient",  # the API clients: one per connected system
    "consents.bloctellist",  # one row per monthly list
    "consents.consentpurposesetting",  # one row per consent purpose
    "consents.consenttextreview",  # one row per consent wording
    "consents.controller",
    "consents.datacategory",
    "ijinus_privacy.auditcheckpoint",  # one row per nightly purge that removed something
    "consents.notice",
    "consents.policynotificationcampaign",  # one row per substantive policy version
    "consents.processingactivity",
    "consents.productfamilyanalogy",
    "consents.reconsentcause",  # one row per register change or refresh run
    "consents.recipient",
    "consents.securitymeasure",
    "consents.subjectcategory",
    "otp_static.staticdevice",
    "otp_totp.totpdevice",
    "retention.retentionrule",
    "subjects.importjob",
}
REGISTERED = {model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()}
BY_URL_NAME = {
    f"{model._meta.app_label}_{model._meta.model_name}": model_admin
    for model, model_admin in admin.site._registry.items()
}
LARGE_ADMINS = sorted((label, REGISTERED[label]) for label in LARGE)
# What reads a whole table for a list page: DISTINCT values (a filter without choices, facets) and
# date_trunc (date_hierarchy). A COUNT(*) is checked on PostgreSQL, where the estimate replaces it.
WHOLE_TABLE = re.compile(r"SELECT DISTINCT|DATE_TRUNC|django_datetime_trunc", re.IGNORECASE)


def superuser_request():
    request = RequestFactory().get("/")
    request.user = UserFactory(username="root", is_superuser=True)
    return request


def test_every_registered_admin_is_classed_large_or_small():
    assert set(REGISTERED) - LARGE - SMALL == set()
    assert not LARGE & SMALL


@pytest.mark.parametrize(("label", "model_admin"), LARGE_ADMINS, ids=[label for label, _ in LARGE_ADMINS])
def test_large_tables_are_listed_the_scalable_way(label, model_admin):
    request = superuser_request()
    model = model_admin.model

    assert issubclass(model_admin.paginator, admin_scale.EstimatedCountPaginator)
    assert model_admin.show_full_result_count is False
    assert model_admin.show_facets == admin.ShowFacets.NEVER
    assert model_admin.date_hierarchy is None
    for entry in model_admin.get_list_filter(request):
        if isinstance(entry, type) and issubclass(entry, SimpleListFilter):
            continue  # written for the project: EXISTS, fixed choices (tests/subjects/test_admin_filters.py)
        name, filter_class = entry if isinstance(entry, tuple) else (entry, None)
        field = model._meta.get_field(name)
        assert (
            field.choices
            or isinstance(field, models.BooleanField)
            or filter_class in (DateFieldListFilter, BooleanFieldListFilter, ChoicesFieldListFilter)
        ), f"{label}: the filter on {name} would list DISTINCT values of the whole table"
    shown = [name for name in model_admin.get_list_display(request) if isinstance(name, str)]
    related = model_admin.list_select_related
    for name in shown:
        field = next((f for f in model._meta.fields if f.name == name), None)
        if field is not None and field.is_relation:
            assert related is True or name in related, f"{label}: {name} would cost a query per row"
    if model_admin.has_add_permission(request) or model_admin.has_change_permission(request):
        readonly = set(model_admin.get_readonly_fields(request))
        fields = set(admin.utils.flatten_fieldsets(model_admin.get_fieldsets(request))) - readonly
        for name in fields:
            field = next((f for f in model._meta.fields if f.name == name), None)
            if field is not None and field.many_to_one and field.related_model._meta.label_lower in LARGE:
                assert name in (*model_admin.raw_id_fields, *model_admin.autocomplete_fields), (
                    f"{label}: the {name} select would load the whole related table"
                )
    actions = model_admin.get_actions(request)
    if "delete_selected" in actions:
        assert actions["delete_selected"][0] is admin_scale.delete_selected


# --- Query budgets ------------------------------------------------------------------------------


def _subjects(count):
    sf.DataSubjectFactory.create_batch(count)


def _factory(factory):
    return lambda count: factory.create_batch(count)


def _consent_events(count):
    for _ in range(count):
        give(DataSubjectFactory(consumer=True, admitted=True))


def _audit_events(count):
    for person in sf.DataSubjectFactory.create_batch(count):
        audit.record(action=audit.Action.VIEW, actor=None, obj=person)


def _requests(count):
    for _ in range(count):
        logged_request()


def _export_jobs(count):
    for _ in range(count):
        dsar = logged_request()
        ExportJob.objects.create(request=dsar, subject=dsar.subject, kind=ExportJob.Kind.ACCESS_PDF)


def _disclosures(count):
    for person in sf.DataSubjectFactory.create_batch(count):
        disclose(person, "carriers")


LISTS = {
    "subjects_datasubject": _subjects,
    "subjects_subjectrole": _factory(sf.SubjectRoleFactory),
    "subjects_contract": _factory(sf.ContractFactory),
    "subjects_order": _factory(sf.OrderFactory),
    "subjects_delivery": _factory(sf.DeliveryFactory),
    "subjects_invoice": _factory(sf.InvoiceFactory),
    "subjects_payment": _factory(sf.PaymentFactory),
    "subjects_promotionparticipation": _factory(sf.PromotionFactory),
    "subjects_supportticket": _factory(sf.TicketFactory),
    "subjects_navigationrecord": _factory(sf.NavigationFactory),
    "subjects_mobiledevice": _factory(sf.DeviceFactory),
    "subjects_assumedinterest": _factory(sf.InterestFactory),
    "subjects_thirdpartydata": _factory(sf.ThirdPartyFactory),
    "consents_consentevent": _consent_events,
    "ijinus_privacy_auditevent": _audit_events,
    "requests_dsar_request": _requests,
    "requests_dsar_requestevent": _requests,
    "requests_dsar_exportjob": _export_jobs,
    "requests_dsar_disclosurelog": _disclosures,
}
# Session, user, the page's rows, its count; on PostgreSQL the estimate and the exact count under its
# timeout (set_config), in a savepoint here (the test's transaction).
LIST_BUDGET = 12
# A person's page shows a dozen inlines (one query each) and records the view in the audit trail.
RECORD_BUDGET = 60


def captured(client, url, params=None) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_list_costs_the_same_queries_for_2_rows_as_for_30(admin_client, name):
    url = reverse(f"admin:{name}_changelist")
    LISTS[name](2)
    admin_client.get(url)  # warm: the session and the content types
    with_two = captured(admin_client, url)

    LISTS[name](28)
    with_thirty = captured(admin_client, url)

    assert len(with_thirty) == len(with_two) <= LIST_BUDGET, "\n".join(with_thirty)
    assert not [sql for sql in with_thirty if WHOLE_TABLE.search(sql)]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("subjects_datasubject", {"q": "Durand"}),
        ("subjects_datasubject", {"role": SubjectRole.Role.PROSPECT}),
        ("subjects_datasubject", {"status": "restricted"}),
        ("subjects_subjectrole", {"role__exact": SubjectRole.Role.PROSPECT}),
        ("consents_consentevent", {"state": "current"}),
        ("consents_consentevent", {"channel__exact": Channel.NEWSLETTER_EMAIL}),
        ("ijinus_privacy_auditevent", {"action__exact": "view"}),
        ("ijinus_privacy_auditevent", {"q": "12"}),
        ("requests_dsar_request", {"state__exact": "received"}),
    ],
)
def test_a_filtered_list_has_no_distinct_nor_date_trunc(admin_client, name, params):
    LISTS[name](3)

    queries = captured(admin_client, reverse(f"admin:{name}_changelist"), params)

    assert len(queries) <= LIST_BUDGET
    assert not [sql for sql in queries if WHOLE_TABLE.search(sql)]


def _subject_with_related(count: int) -> DataSubject:
    person = DataSubjectFactory(consumer=True, admitted=True)
    for role in list(SubjectRole.Role)[:count]:
        sf.SubjectRoleFactory(subject=person, role=role)
    for factory in (
        sf.ContractFactory,
        sf.DeliveryFactory,
        sf.InvoiceFactory,
        sf.PaymentFactory,
        sf.PromotionFactory,
        sf.TicketFactory,
        sf.DeviceFactory,
        sf.InterestFactory,
        sf.ThirdPartyFactory,
    ):
        factory.create_batch(count, subject=person)
    for day in range(count):
        give(person, at=timezone.now() - timedelta(days=day + 1))
    return person


def test_a_subject_page_costs_the_same_queries_with_2_or_8_of_everything(admin_client):
    few, many = _subject_with_related(2), _subject_with_related(8)
    admin_client.get(reverse("admin:subjects_datasubject_change", args=[few.pk]))

    with_few = captured(admin_client, reverse("admin:subjects_datasubject_change", args=[few.pk]))
    with_many = captured(admin_client, reverse("admin:subjects_datasubject_change", args=[many.pk]))

    assert len(with_many) == len(with_few), "\n".join(with_many)


def _request_with_related(count: int) -> Request:
    dsar = logged_request(rights=list(Right)[:count])
    for _ in range(count):
        RequestEvent.objects.create(request=dsar, kind=RequestEvent.Kind.NOTE, reason="Appel du client")
    for kind in list(ExportJob.Kind)[:count]:  # one export of each kind per request
        ExportJob.objects.create(request=dsar, subject=dsar.subject, kind=kind)
    return dsar


def test_a_request_page_costs_the_same_queries_with_2_or_8_of_everything(admin_client):
    few, many = _request_with_related(2), _request_with_related(8)
    admin_client.get(reverse("admin:requests_dsar_request_change", args=[few.pk]))

    with_few = captured(admin_client, reverse("admin:requests_dsar_request_change", args=[few.pk]))
    with_many = captured(admin_client, reverse("admin:requests_dsar_request_change", args=[many.pk]))

    assert len(with_many) == len(with_few), "\n".join(with_many)


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_record_page_costs_the_same_queries_whichever_record_it_shows(admin_client, name):
    LISTS[name](2)
    first, second = BY_URL_NAME[name].model._base_manager.order_by("-pk")[:2]
    admin_client.get(reverse(f"admin:{name}_change", args=[second.pk]))

    one = captured(admin_client, reverse(f"admin:{name}_change", args=[second.pk]))
    other = captured(admin_client, reverse(f"admin:{name}_change", args=[first.pk]))

    assert len(one) == len(other) <= RECORD_BUDGET, "\n".join(other)


# --- Search: what the person on the phone sees ----------------------------------------------------


def found(client, name: str, query: str) -> list:
    response = client.get(reverse(f"admin:{name}_changelist"), {"q": query})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.fixture
def people():
    claire = sf.DataSubjectFactory(
        last_name="Durand-Lefèvre",
        first_names="Claire",
        email="claire.durand@exemple.fr",
        phone="06 12 34 56 78",
        organisation="Hydro Mesures SARL",
    )
    other = sf.DataSubjectFactory(
        last_name="Martin", first_names="Paul", email="paul.martin@autre.fr", phone="+33 1 45 67 89 00", organisation=""
    )
    return claire, other


@pytest.mark.parametrize(
    "query",
    [
        "claire.durand@exemple.fr",  # the exact address
        "Claire.Durand@Exemple.FR ",  # as typed
        "durand-lef",  # a name fragment
        "lefèvre claire",  # words in any order
        "hydro mesures",  # the organisation
        "claire.dur",  # an e-mail fragment
        "durand@",
        "@exemple.fr",
        "+33 6 12 34 56 78",  # the phone, in another form than stored
        "0612345678",
    ],
)
def test_search_finds_the_person(admin_client, people, query):
    claire, _other = people

    assert found(admin_client, "subjects_datasubject", query) == [claire]


def test_search_by_subject_number(admin_client, people):
    claire, other = people

    assert found(admin_client, "subjects_datasubject", str(other.pk)) == [other]
    assert found(admin_client, "subjects_datasubject", f"n° {claire.pk}") == [claire]
    assert found(admin_client, "subjects_datasubject", f"#{claire.pk}") == [claire]


def test_an_address_is_matched_whole_not_as_a_fragment(admin_client, people):
    sf.DataSubjectFactory(email="xclaire.durand@exemple.fr")
    claire, _other = people

    assert found(admin_client, "subjects_datasubject", "claire.durand@exemple.fr") == [claire]


def test_subject_number_in_the_audit_trail_consent_events_and_requests(admin_client, people):
    claire, other = people
    for person in (claire, other):
        audit.record(action=audit.Action.VIEW, actor=None, obj=person)
        give(person)
    dsar = logged_request(subject=claire)

    events = found(admin_client, "ijinus_privacy_auditevent", f"n° {claire.pk}")
    consents = found(admin_client, "consents_consentevent", str(claire.pk))
    requests = found(admin_client, "requests_dsar_request", f"n° {claire.pk}")

    assert events
    assert {event.subject_id for event in events} == {claire.pk}
    assert [event.subject_id for event in consents] == [claire.pk]
    assert dsar in requests
    assert found(admin_client, "ijinus_privacy_auditevent", "n° 987654321") == []


def test_the_subject_box_of_a_request_finds_the_person_by_name_fragment(admin_client, people):
    claire, _other = people

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "requests_dsar", "model_name": "request", "field_name": "subject", "term": "durand-lef"},
    )

    assert [result["id"] for result in response.json()["results"]] == [str(claire.pk)]


def test_search_help_says_what_can_be_typed_in_french_and_english(admin_client):
    url = reverse("admin:subjects_datasubject_changelist")

    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = admin_client.get(url)
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = admin_client.get(url)

    assert "Un numéro de personne (123 ou n° 123), une adresse e-mail ou un numéro de téléphone" in french.text
    assert "A subject number (123 or n° 123), an e-mail address or phone number" in english.text


# --- Consent events: the current state only ------------------------------------------------------


def test_current_state_filter_keeps_the_latest_event_of_each_subject_channel_and_visitor(admin_client):
    now = timezone.now()
    person = DataSubjectFactory(consumer=True, admitted=True)
    give(person, at=now - timedelta(days=10))
    latest_withdrawal, _created = withdraw(person)
    push = give(person, Channel.MARKETING_PUSH, at=now - timedelta(days=5))
    give(None, Channel.COOKIES_AUDIENCE, at=now - timedelta(days=3), visitor_id="v-1")
    visitor_latest = give(
        None, Channel.COOKIES_AUDIENCE, at=now - timedelta(days=1), visitor_id="v-1", action=ConsentEvent.Action.REFUSED
    )

    response = admin_client.get(reverse("admin:consents_consentevent_changelist"), {"state": "current"})

    shown = set(response.context["cl"].result_list)
    assert shown == {latest_withdrawal, push, visitor_latest}
    assert set(latest_events_only(ConsentEvent.objects.all())) == set(ConsentEvent.objects.current())


# --- Delete selected, bounded ------------------------------------------------------------------


def test_delete_selected_counts_what_goes_with_the_rows_and_deletes_through_the_admin(client):
    client.force_login(dpo_user())
    orders = sf.OrderFactory.create_batch(2)
    sf.DeliveryFactory(subject=orders[0].subject, order=orders[0])
    url = reverse("admin:subjects_order_changelist")
    selection = {"action": "delete_selected", "_selected_action": [order.pk for order in orders]}

    page = client.post(url, selection)

    assert page.status_code == 200
    assert "Delete the 2 selected orders?" in page.text
    assert "Deliveries: 1" in page.text
    client.post(url, {**selection, "post": "yes"})
    assert not Order.objects.filter(pk__in=[order.pk for order in orders]).exists()
    assert not Delivery.objects.filter(order__in=orders).exists()
    deleted = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, object_type="subjects.order")
    assert {int(event.object_id) for event in deleted} == {order.pk for order in orders}


def test_delete_selected_refuses_more_rows_than_its_limit(client, settings):
    settings.ADMIN_DELETE_MAX_ROWS = 2
    client.force_login(dpo_user())
    orders = sf.OrderFactory.create_batch(3)

    response = client.post(
        reverse("admin:subjects_order_changelist"),
        {"action": "delete_selected", "_selected_action": [order.pk for order in orders]},
        follow=True,
    )

    assert "Select at most 2 rows to delete at once." in response.text
    assert Order.objects.filter(pk__in=[order.pk for order in orders]).count() == 3


# --- PostgreSQL: the estimate and the plans -------------------------------------------------------


def _analyse(model) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{model._meta.db_table}"')


@pytest.mark.postgres
def test_a_large_unfiltered_list_shows_an_estimate_without_counting(client, settings):
    settings.ADMIN_EXACT_COUNT_MAX_ROWS = 1000
    DataSubject.objects.bulk_create(DataSubject(last_name=f"Nom{n}", email=f"p{n}@exemple.fr") for n in range(3000))
    _analyse(DataSubject)
    client.force_login(dpo_user())
    client.get(reverse("admin:subjects_datasubject_changelist"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:subjects_datasubject_changelist"))

    assert response.context["cl"].paginator.count_is_estimate
    assert re.search(r"about [\d\s,.\u202f]+ data subjects", response.text)
    sql = [query["sql"] for query in queries.captured_queries]
    assert not [statement for statement in sql if "COUNT(" in statement.upper()]
    assert len(sql) <= 6, "\n".join(sql)  # T3: session, user, permissions (2), estimate, page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = client.get(reverse("admin:subjects_datasubject_changelist"))
    assert re.search(r"environ [\d\s,.\u202f]+ personnes concernées", french.text)


@pytest.mark.postgres
@pytest.mark.parametrize("name", sorted(LISTS))
def test_on_postgresql_a_large_list_is_not_counted(admin_client, settings, name):
    settings.ADMIN_EXACT_COUNT_MAX_ROWS = 0  # every table counts as large
    LISTS[name](2)

    queries = captured(admin_client, reverse(f"admin:{name}_changelist"))

    assert not [sql for sql in queries if "COUNT(" in sql.upper()], "\n".join(queries)


@pytest.mark.postgres
def test_a_filtered_list_is_counted_exactly(client, settings):
    settings.ADMIN_EXACT_COUNT_MAX_ROWS = 1000
    DataSubject.objects.bulk_create(
        DataSubject(last_name="Durand" if n % 3 == 0 else "Martin", email=f"p{n}@exemple.fr") for n in range(3000)
    )
    _analyse(DataSubject)
    client.force_login(dpo_user())

    response = client.get(reverse("admin:subjects_datasubject_changelist"), {"q": "durand"})

    assert response.context["cl"].result_count == 1000
    assert not response.context["cl"].paginator.count_is_estimate
    assert "1000 results" in response.text


@pytest.mark.postgres
def test_a_count_slower_than_its_timeout_gives_way_to_the_estimate(settings):
    settings.ADMIN_COUNT_TIMEOUT_MS = 5
    sf.DataSubjectFactory.create_batch(20)
    _analyse(DataSubject)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]
    slow = DataSubject.objects.alias(nap=RawSQL("pg_sleep(0.01)::text", [], output_field=models.CharField()))

    paginator = admin_scale.EstimatedCountPaginator(slow.filter(nap=""), 100, filtered=True)

    assert paginator.count > 0
    assert paginator.count_is_estimate
    with connection.cursor() as cursor:  # the timeout left with the count's savepoint
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before


def _plan(queryset) -> str:
    """The plan PostgreSQL makes when scans and sorts cost it dearly: what is left of them, no index serves."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
        cursor.execute("SET LOCAL enable_sort = on")
    return plan


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("subjects_datasubject", "claire.durand@exemple.fr"),
        ("subjects_datasubject", "durand"),
        ("subjects_datasubject", "claire.dur"),
        ("subjects_datasubject", "06 12 34 56 78"),
        ("subjects_datasubject", "n° 123"),
        ("subjects_subjectrole", "claire.durand@exemple.fr"),
        ("ijinus_privacy_auditevent", "123"),
        ("ijinus_privacy_auditevent", "dpo"),
        ("consents_consentevent", "n° 123"),
        ("requests_dsar_request", "123"),
        ("requests_dsar_request", "claire.durand@exemple.fr"),
    ],
)
def test_each_search_is_served_by_an_index(name, query):
    model_admin = BY_URL_NAME[name]
    request = superuser_request()
    queryset, _duplicates = model_admin.get_search_results(request, model_admin.get_queryset(request), query)

    plan = _plan(queryset.order_by())

    assert f"Seq Scan on {model_admin.model._meta.db_table}" not in plan, plan


@pytest.mark.postgres
def test_the_consent_events_list_and_its_current_state_filter_read_indexes_not_the_whole_table():
    model_admin = REGISTERED["consents.consentevent"]
    listed = model_admin.get_queryset(superuser_request()).select_related("subject")

    page = _plan(listed.order_by("-occurred_at", "-id")[:100])
    current = _plan(latest_events_only(listed).order_by("-occurred_at", "-id")[:100])

    assert "consents_evt_occurred_id" in page, page
    assert "Sort" not in page, page
    assert "SubPlan" not in current, current
    assert current.count("Anti Join") >= 2, current
