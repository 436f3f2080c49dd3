"""Every admin URL, walked from the URL resolver, for the five roles and a staff user with no group.

A user without the permission gets 403 (or 404 for an app index), for an existing and a missing
id alike, and never a page with data. Stock ModelAdmin pages answer as their ``has_*_permission``
say; every custom view (``get_urls``) is listed in ``custom_cases`` with a real object and the
status each role gets. A new admin URL that is neither stock nor listed there fails
``test_every_admin_url_is_covered``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from django.contrib import admin
from django.contrib.admin.options import ModelAdmin
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, reverse

from breaches.admin_forms import ACTIONS as BREACH_ACTIONS
from connectors.models import ConnectedSystem, ConnectorTask
from ijinus_privacy.models import AuditEvent
from requests_dsar.admin_forms import ACTIONS
from requests_dsar.erasure.notifications import notifications_create_for
from requests_dsar.erasure.services import erasure_execute
from requests_dsar.letters import letter_send
from requests_dsar.models import ChangeKind, ExportJob, Letter, RecipientNotification
from retention.models import Action, ArchivedSubject, RetentionRule
from tests import factories as sf
from tests.breaches.conftest_docs import document_url_cases
from tests.factories import (
    UserFactory,
    administrator_user,
    archivist_user,
    client_to_erase,
    disclose,
    dpo_user,
    erasure_request,
    sales_user,
    support_user,
)

pytestmark = pytest.mark.django_db

ROLES = ("dpo", "support", "archivist", "sales", "administrator", "no group")
MISSING_ID = 987654

# Pages of the site itself, not of a model: the index (each dashboard widget checks its own
# permission), login and logout, password change, the JavaScript catalogue, the catch-all.
SITE_PAGES = {"index", "login", "logout", "password_change", "password_change_done", "jsi18n", "view_on_site", None}
STOCK_SUFFIXES = ("changelist", "add", "change", "history", "delete")
# django-import-export's pages: each checks the model admin's import or export permission.
IMPORT_EXPORT = {"import": "has_import_permission", "process_import": "has_import_permission"}
IMPORT_EXPORT_EXPORT = "export"


def admin_patterns(patterns=None, prefix: str = ""):
    for pattern in patterns if patterns is not None else admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            yield from admin_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


MODEL_ADMINS = {
    f"{model._meta.app_label}_{model._meta.model_name}": (model, model_admin)
    for model, model_admin in admin.site._registry.items()
}


def stock_parts(name: str | None) -> tuple[type, ModelAdmin, str] | None:
    """(model, model admin, page) for a ModelAdmin page or an import/export page, else None."""
    if name is None:
        return None
    for key, (model, model_admin) in MODEL_ADMINS.items():
        if name.startswith(key + "_"):
            page = name[len(key) + 1 :]
            if page in STOCK_SUFFIXES or page in IMPORT_EXPORT or page == IMPORT_EXPORT_EXPORT:
                if page == IMPORT_EXPORT_EXPORT and not hasattr(model_admin, "has_export_permission"):
                    return None
                return model, model_admin, page
    return None


@dataclass
class Case:
    url: str
    expected: dict[str, int | tuple[int, ...]]


@dataclass
class World:
    users: dict
    dsar: object
    job: ExportJob
    notification: RecipientNotification
    archived: ArchivedSubject
    letter: Letter
    breach: object
    connector_task: object


@pytest.fixture
def world():
    with time_machine.travel(dt.datetime(2026, 11, 26, 10, tzinfo=dt.UTC), tick=False):
        users = {
            "dpo": dpo_user(),
            "support": support_user(),
            "archivist": archivist_user(),
            "sales": sales_user(),
            "administrator": administrator_user(),
            "no group": UserFactory(username="nogroup"),
        }
        erased = client_to_erase(email="erased@exemple.fr", phone="0600000001")
        erasure_execute(
            request=erasure_request(erased, actor=users["dpo"]), ground="17_1_a", justification="ok", actor=users["dpo"]
        )
        person = client_to_erase()
        sf.PromotionFactory(subject=person)
        sf.ThirdPartyFactory(subject=person)
        disclose(person, "carriers")
        dsar = erasure_request(person, actor=users["dpo"])
        notification = next(
            task
            for task in notifications_create_for(
                subject=person, change_kind=ChangeKind.ERASURE, request=dsar, actor=None
            )
            if task.recipient.code == "carriers"
        )
        job = ExportJob.objects.create(request=dsar, subject=person, kind=ExportJob.Kind.ACCESS_PDF)
        letter = letter_send(request=dsar, kind=Letter.Kind.ACKNOWLEDGEMENT, actor=None)
        kept = sf.DataSubjectFactory()
        rule = RetentionRule.objects.filter(end_of_active_action=Action.ARCHIVE).first()
        archived = ArchivedSubject.objects.create(
            subject=kept,
            rule=rule,
            archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            archive_until=dt.date(2031, 1, 1),
        )
        breach = sf.breach(actor=users["support"])
        system = ConnectedSystem.objects.create(name="ijitrack", kind="ijitrack", base_url="https://ijitrack.example")
        connector_task = ConnectorTask.objects.create(
            request=dsar, subject_ref=person.pk, system=system, action="erase"
        )
        yield World(
            users=users,
            dsar=dsar,
            job=job,
            notification=notification,
            archived=archived,
            letter=letter,
            breach=breach,
            connector_task=connector_task,
        )


def _only(statuses: dict[str, int | tuple[int, ...]], others: int = 403) -> dict:
    return {role: statuses.get(role, others) for role in ROLES}


def custom_cases(world: World) -> dict[str, list[Case]]:
    """Every custom admin view, with a real object and a missing one, and what each role gets."""
    dsar, users = world.dsar, world.users
    act = []
    for slug, form_class in ACTIONS.items():
        # A step needs its own permission and the sight of requests (Sales record consents, not requests).
        allowed = {
            role: users[role].has_perm(form_class.permission) and users[role].has_perm("requests_dsar.view_request")
            for role in ROLES
        }
        real = {role: (200 if form_class.applies_to(dsar) else 404) if ok else 403 for role, ok in allowed.items()}
        act.append(Case(reverse("admin:requests_dsar_request_act", args=[dsar.pk, slug]), real))
        act.append(
            Case(
                reverse("admin:requests_dsar_request_act", args=[MISSING_ID, slug]),
                {role: 404 if ok else 403 for role, ok in allowed.items()},
            )
        )
    act.append(Case(reverse("admin:requests_dsar_request_act", args=[dsar.pk, "no-such-action"]), _only({})))
    breach_act = [Case(reverse("admin:breaches_breach_act", args=[world.breach.pk, "no-such-action"]), _only({}))]
    for slug, form_class in BREACH_ACTIONS.items():
        allowed = {role: users[role].has_perm(form_class.permission) for role in ROLES}
        breach_act.append(
            Case(
                reverse("admin:breaches_breach_act", args=[world.breach.pk, slug]),
                {role: 200 if ok else 403 for role, ok in allowed.items()},
            )
        )
        breach_act.append(
            Case(
                reverse("admin:breaches_breach_act", args=[MISSING_ID, slug]),
                {role: 404 if ok else 403 for role, ok in allowed.items()},
            )
        )
    return {
        "requests_dsar_request_act": act,
        "breaches_breach_act": breach_act,
        "requests_dsar_request_erasure_plan": [
            Case(
                reverse("admin:requests_dsar_request_erasure_plan", args=[dsar.pk]), _only({"dpo": 200, "support": 200})
            ),
            Case(
                reverse("admin:requests_dsar_request_erasure_plan", args=[MISSING_ID]),
                _only({"dpo": 404, "support": 404}),
            ),
        ],
        "requests_dsar_request_export_download": [
            # The job has no file yet: the DPO is sent back to the request with a message.
            Case(
                reverse("admin:requests_dsar_request_export_download", args=[dsar.pk, world.job.pk]),
                _only({"dpo": 302}),
            ),
            Case(
                reverse("admin:requests_dsar_request_export_download", args=[dsar.pk, MISSING_ID]), _only({"dpo": 404})
            ),
        ],
        # The progress the request's page polls while its exports are built: whoever sees requests.
        "requests_dsar_request_export_progress": [
            Case(
                reverse("admin:requests_dsar_request_export_progress", args=[dsar.pk]),
                {role: 200 if users[role].has_perm("requests_dsar.view_request") else 403 for role in ROLES},
            ),
            Case(
                reverse("admin:requests_dsar_request_export_progress", args=[MISSING_ID]),
                {role: 404 if users[role].has_perm("requests_dsar.view_request") else 403 for role in ROLES},
            ),
        ],
        "requests_dsar_request_letter_pdf": [
            Case(
                reverse("admin:requests_dsar_request_letter_pdf", args=[dsar.pk, world.letter.pk]),
                {role: 200 if users[role].has_perm("requests_dsar.view_letter") else 403 for role in ROLES},
            ),
            Case(
                reverse("admin:requests_dsar_request_letter_pdf", args=[dsar.pk, MISSING_ID]),
                {role: 404 if users[role].has_perm("requests_dsar.view_letter") else 403 for role in ROLES},
            ),
        ],
        "requests_dsar_recipientnotification_impossible": [
            Case(
                reverse("admin:requests_dsar_recipientnotification_impossible", args=[world.notification.pk]),
                _only({"dpo": 200, "support": 200}),
            ),
            Case(
                reverse("admin:requests_dsar_recipientnotification_impossible", args=[MISSING_ID]),
                _only({"dpo": 404, "support": 404}),
            ),
        ],
        # The suppression list's search posts the address typed; a GET only leads back to the list.
        "consents_suppression_lookup": [
            Case(
                reverse("admin:consents_suppression_lookup"),
                {role: 302 if users[role].has_perm("consents.view_suppression") else 403 for role in ROLES},
            )
        ],
        "retention_archivedsubject_consult": [
            Case(
                reverse("admin:retention_archivedsubject_consult", args=[world.archived.pk]), _only({"archivist": 200})
            ),
            Case(reverse("admin:retention_archivedsubject_consult", args=[MISSING_ID]), _only({"archivist": 404})),
        ],
        "connectors_connectortask_retry": [  # POST only: a GET is refused to those allowed too
            Case(reverse("admin:connectors_connectortask_retry", args=[world.connector_task.pk]), _only({"dpo": 405})),
            Case(reverse("admin:connectors_connectortask_retry", args=[MISSING_ID]), _only({"dpo": 405})),
        ],
        "connectors_connectortask_waive": [
            Case(reverse("admin:connectors_connectortask_waive", args=[world.connector_task.pk]), _only({"dpo": 200})),
            Case(reverse("admin:connectors_connectortask_waive", args=[MISSING_ID]), _only({"dpo": 404})),
        ],
        "consents_consentevent_import": [Case(reverse("admin:consents_consentevent_import"), _only({"dpo": 200}))],
        "consents_consentevent_audience": [
            Case(reverse("admin:consents_consentevent_audience"), _only({"dpo": 200, "sales": 200}))
        ],
        "consents_bloctellist_upload": [Case(reverse("admin:consents_bloctellist_upload"), _only({"dpo": 200}))],
        "consents_processingactivity_export": [
            Case(reverse("admin:consents_processingactivity_export", args=["csv"]), _only({"dpo": 200})),
            Case(reverse("admin:consents_processingactivity_export", args=["pdf"]), _only({"dpo": 200})),
        ],
        # Django's own: changing a staff member's password (the administrator keeps staff accounts).
        "auth_user_password_change": [
            Case(reverse("admin:auth_user_password_change", args=[users["dpo"].pk]), _only({"administrator": 200})),
            Case(reverse("admin:auth_user_password_change", args=[MISSING_ID]), _only({"administrator": 404})),
        ],
        # The library's TOTP device pages: no role manages devices (``manage.py totp_enrol``).
        "otp_totp_totpdevice_config": [Case(reverse("admin:otp_totp_totpdevice_config", args=[MISSING_ID]), _only({}))],
        "otp_totp_totpdevice_qrcode": [Case(reverse("admin:otp_totp_totpdevice_qrcode", args=[MISSING_ID]), _only({}))],
        "autocomplete": [
            Case(
                reverse("admin:autocomplete") + "?app_label=requests_dsar&model_name=request&field_name=subject&term=a",
                _only({"dpo": 200, "support": 200, "sales": 200}),
            )
        ],
        "app_list": [],  # checked in test_app_indexes
        # A previewed import is confirmed or cancelled by POST only: a GET is refused to everyone.
        "subjects_importjob_confirm": [Case(reverse("admin:subjects_importjob_confirm", args=[MISSING_ID]), _only({}))],
        "subjects_importjob_cancel": [Case(reverse("admin:subjects_importjob_cancel", args=[MISSING_ID]), _only({}))],
        # A webhook system's signing secret (connectors.webhooks): the DPO only; GET shows no secret.
        "connectors_webhookdelivery_secret": [
            Case(reverse("admin:connectors_webhookdelivery_secret", args=[MISSING_ID]), _only({"dpo": 404}))
        ],
        # The register's PDF built in the background: its page and its download (the DPO only).
        "consents_processingactivity_export_job": [
            Case(reverse("admin:consents_processingactivity_export_job", args=[MISSING_ID]), _only({"dpo": 404}))
        ],
        "consents_processingactivity_export_download": [
            Case(reverse("admin:consents_processingactivity_export_download", args=[MISSING_ID]), _only({"dpo": 404}))
        ],
        # The imports' template files (headers only): whoever may import.
        "subjects_datasubject_import_template": [
            Case(reverse("admin:subjects_datasubject_import_template", args=[0]), _only({"dpo": 200})),
            Case(reverse("admin:subjects_datasubject_import_template", args=[9]), _only({"dpo": 404})),
        ],
        "subjects_subjectrole_import_template": [
            Case(reverse("admin:subjects_subjectrole_import_template", args=[0]), _only({"dpo": 200})),
        ],
        # The dashboard's "assign to me" (triage inbox): POST only, a GET is refused to everyone.
        "dashboard_assign_to_me": [
            Case(reverse("admin:dashboard_assign_to_me", args=[dsar.pk]), _only({})),
            Case(reverse("admin:dashboard_assign_to_me", args=[MISSING_ID]), _only({})),
        ],
        # The sweep button (retention.run_sweep): the DPO only; the commit is POST only.
        "retention_sweeprun_run": [Case(reverse("admin:retention_sweeprun_run"), _only({"dpo": 200}))],
        "retention_sweeprun_launched": [
            Case(
                reverse("admin:retention_sweeprun_launched", args=["0f6b3a4e-8c1d-4e2a-9b7f-3d5c6a7b8e9f"]),
                _only({"dpo": 200}),
            )
        ],
        "retention_sweeprun_commit": [
            Case(reverse("admin:retention_sweeprun_commit", args=[MISSING_ID]), _only({"dpo": 405}))
        ],
        **document_url_cases(world.breach, world.users, ROLES, Case, MISSING_ID),
    }


def test_every_admin_url_is_covered(world):
    """A view added to an admin's get_urls() must be added to custom_cases (with its expectations)."""
    custom = custom_cases(world)
    uncovered = [
        (route, name)
        for route, name in admin_patterns()
        if name not in SITE_PAGES and name not in custom and stock_parts(name) is None
    ]

    assert uncovered == []


def _request_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _first_row(model) -> object | None:
    return model._default_manager.order_by("pk").first()


def stock_expectations(user, name: str) -> list[tuple[str, int | tuple[int, ...]]]:
    model, model_admin, page = stock_parts(name)
    request = _request_for(user)
    info = f"admin:{name}"
    if page == "changelist":
        return [(reverse(info), 200 if model_admin.has_view_or_change_permission(request) else 403)]
    if page == "add":
        return [(reverse(info), 200 if model_admin.has_add_permission(request) else 403)]
    if page in IMPORT_EXPORT:
        allowed = getattr(model_admin, IMPORT_EXPORT[page])(request)
        return [(reverse(info), ((200, 302) if page == "process_import" else 200) if allowed else 403)]
    if page == IMPORT_EXPORT_EXPORT:
        return [(reverse(info), 200 if model_admin.has_export_permission(request) else 403)]
    cases = []
    row = _first_row(model)
    for object_id, obj in ((row.pk, row) if row is not None else (MISSING_ID, None), (MISSING_ID, None)):
        url = reverse(info, args=[object_id])
        if page == "delete":
            allowed = model_admin.has_delete_permission(request, obj)
        else:
            allowed = model_admin.has_view_or_change_permission(request, obj)
        visible = obj is not None and model_admin.get_queryset(request).filter(pk=obj.pk).exists()
        cases.append((url, (200 if visible else (302, 404)) if allowed else 403))
    return cases


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_url_answers_each_role_as_its_permissions_say(client, world, role):
    user = world.users[role]
    client.force_login(user)
    custom = custom_cases(world)
    wrong = []
    with time_machine.travel(dt.datetime(2026, 11, 26, 10, tzinfo=dt.UTC), tick=False):
        for _route, name in admin_patterns():
            if name in SITE_PAGES or name == "app_list":
                continue
            if name in custom:
                expectations = [(case.url, case.expected[role]) for case in custom[name]]
            else:
                expectations = stock_expectations(user, name)
            for url, expected in expectations:
                if role == "no group":
                    expected = 403  # whatever the has_*_permission methods say: no group, no page
                # process_import only takes a POST (the upload); a GET would be a 405 for everyone.
                method = client.post if url.endswith("/process_import/") else client.get
                status = method(url).status_code
                if status not in (expected if isinstance(expected, tuple) else (expected,)):
                    wrong.append((url, status, expected))

    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_app_indexes(client, world, role):
    user = world.users[role]
    client.force_login(user)
    request = _request_for(user)
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        visible = any(
            model_admin.has_module_permission(request) and any(model_admin.get_model_perms(request).values())
            for model, model_admin in admin.site._registry.items()
            if model._meta.app_label == app_label
        )
        status = client.get(reverse("admin:app_list", args=[app_label])).status_code
        assert status == (200 if visible else 404), app_label


def test_erasure_plan_is_refused_before_any_lookup_and_audited_when_shown(client, world):
    url = reverse("admin:requests_dsar_request_erasure_plan", args=[world.dsar.pk])
    missing = reverse("admin:requests_dsar_request_erasure_plan", args=[MISSING_ID])
    client.force_login(world.users["no group"])

    refused = (client.get(url).status_code, client.get(missing).status_code)
    views_before = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, subject_id=world.dsar.subject_id).count()
    client.force_login(world.users["dpo"])
    shown = client.get(url)

    assert refused == (403, 403)
    assert shown.status_code == 200
    event = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, subject_id=world.dsar.subject_id).last()
    assert views_before == 0
    assert (event.actor_username, event.fields) == ("dpo", ["erasure_plan"])


def test_request_actions_check_the_permission_before_the_request_exists(client, world):
    client.force_login(world.users["support"])
    real = reverse("admin:requests_dsar_request_act", args=[world.dsar.pk, "decide"])
    missing = reverse("admin:requests_dsar_request_act", args=[MISSING_ID, "decide"])

    assert (client.get(real).status_code, client.get(missing).status_code) == (403, 403)


def test_no_group_history_pages_do_not_tell_which_ids_exist(client, world):
    client.force_login(world.users["no group"])
    existing = reverse("admin:subjects_datasubject_history", args=[world.dsar.subject_id])
    missing = reverse("admin:subjects_datasubject_history", args=[MISSING_ID])

    assert (client.get(existing).status_code, client.get(missing).status_code) == (403, 403)


# Deletion in the admin is kept only where it is harmless and intended: single records that no legal
# keep protects and that an erasure would delete anyway (audited, DPO only), and reference lists.
# People, roles, contracts, invoices, payments, requests, proofs, events and the archive are not.
DELETABLE_BY_THE_DPO = {
    "subjects.order",
    "subjects.delivery",
    "subjects.promotionparticipation",
    "subjects.supportticket",
    "subjects.navigationrecord",
    "subjects.mobiledevice",
    "subjects.assumedinterest",
    "subjects.thirdpartydata",
    "consents.productfamilyanalogy",
}


def test_the_dpo_deletes_nothing_a_legal_keep_or_the_erasure_workflow_protects():
    """A new admin whose rows the DPO could delete fails here until it is judged harmless above."""
    request = _request_for(dpo_user())
    deletable = {
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in ("subjects", "consents", "requests_dsar", "retention", "ijinus_privacy")
        and model_admin.has_delete_permission(request)
    }

    assert deletable == DELETABLE_BY_THE_DPO
