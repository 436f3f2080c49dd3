from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin

from ijinus_privacy.admin import (
    ActionPagesMixin,
    PersonalDataAdminMixin,
    ReadOnlyInline,
    ReadOnlyModelAdmin,
    adopt_created,
)
from ijinus_privacy.admin_scale import ScaledAdminMixin
from ijinus_privacy.models import OutboxMessage
from ijinus_privacy.written_in import shown_with_language
from subjects.person_page import PersonLabelledAdminMixin
from subjects.rights_admin import RestrictionBannerMixin

from . import (
    casefile,
    dashboard,
    notices,
    rights_admin,  # noqa: F401  (registers the admins of objections and post-mortem directives)
    searches,
    services,
)
from .admin_forms import ACTIONS, RequestAddForm
from .erasure.admin import ErasureRecordInline, RecipientNotificationInline, erasure_plan_view
from .exports import services as export_services
from .exports import transmission as transmissions
from .exports.delivery import LINK_PURPOSE, export_staff_download
from .letters import LETTER_PURPOSE, letter_pdf_read
from .models import (
    ClockPause,
    Decision,
    ExportJob,
    Extension,
    IdentityCheck,
    Letter,
    PortabilityTransmission,
    Request,
    RequestEvent,
    RequestItem,
    Right,
)
from .resources import RequestRegisterResource


class ItemInline(ReadOnlyInline):
    model = RequestItem
    fields = ("right", "details")
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ("occurred_at", "actor_username", "kind", "from_state", "to_state", "reason_as_written")
    readonly_fields = fields

    @admin.display(description=_("reason"))
    def reason_as_written(self, obj: RequestEvent) -> str:
        return shown_with_language(obj.reason, obj.written_in)


class PauseInline(ReadOnlyInline):
    model = ClockPause
    fields = ("reason", "started_on", "ended_on")
    readonly_fields = fields


class IdentityCheckInline(ReadOnlyInline):
    model = IdentityCheck
    fields = (
        "verification_method",
        "status",
        "doubt_reason",
        "document_type",
        "checked_on",
        "checked_by_username",
        "copy_deleted_on",
        "attempts",
    )
    readonly_fields = fields

    # Customer service sees how and whether the identity was checked, never the notes on the
    # check (the doubt, the document seen): those are the DPO's (R5.2.1, data minimisation).
    STATUS_ONLY = ("verification_method", "status", "checked_on", "checked_by_username")

    def get_fields(self, request, obj=None):
        return self.fields if request.user.has_perm("requests_dsar.decide_request") else self.STATUS_ONLY

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    # Not "method": that msgid is a payment's method in the catalogue ("moyen de paiement").
    @admin.display(description=_("verification method"))
    def verification_method(self, obj: IdentityCheck) -> str:
        return obj.get_method_display()


class ExtensionInline(ReadOnlyInline):
    model = Extension
    fields = ("reason", "explanation_as_written", "notice_sent_on", "decided_at")
    readonly_fields = fields

    @admin.display(description=_("explanation given to the requester"))
    def explanation_as_written(self, obj: Extension) -> str:
        return shown_with_language(obj.explanation, obj.written_in)


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = ("item", "kind", "ground", "justification_as_written", "amount", "decided_by_username", "decided_at")
    readonly_fields = fields

    @admin.display(description=_("justification"))
    def justification_as_written(self, obj: Decision) -> str:
        return shown_with_language(obj.justification, obj.written_in)


class LetterInline(ReadOnlyInline):
    model = Letter
    fields = ("kind", "language", "created_at", "sent_at", "on_time", "sent_by_username", "pdf_link")
    readonly_fields = fields

    @admin.display(description=_("due by (Art. 12(3))"))
    def on_time(self, obj: Letter) -> str:
        """A refusal or extension notice's due date, flagged when it left after it (R1.2.4)."""
        if obj.pk is None:
            return "—"
        due = notices.letter_due_on(obj, obj.request)
        if due is None:
            return "—"
        day = date_format(due, "SHORT_DATE_FORMAT")
        if notices.sent_late(obj, obj.request) is not None:
            return format_html('{} <strong class="ij-bad letter-late">{}</strong>', day, _("sent late"))
        return day

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj: Letter) -> str:
        if not obj.pdf.name:
            return "—"
        url = reverse("admin:requests_dsar_request_letter_pdf", args=[obj.request_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open (audited)"))

    @admin.display(description=_("e-mailed at"))
    def sent_at(self, obj: Letter):
        return obj.sent_at or _delivery_state(LETTER_PURPOSE, obj.pk)


EXPORT_FIELDS = (
    "kind",
    "progress",
    "attempts",
    "created_at",
    "finished_at",
    "record_count",
    "redaction_count",
    "size",
    "sha256",
    "error_code",
    "approved_by_username",
    "sent_at",
    "download_count",
    "expires_at",
    "purged_at",
)


def _delivery_state(purpose: str, object_id: int) -> str:
    """Why an e-mail has no "sent" date: still queued in the outbox, failed, or never queued."""
    states = set(OutboxMessage.objects.for_purpose(purpose, object_id).values_list("state", flat=True))
    if states & {OutboxMessage.State.QUEUED, OutboxMessage.State.SENDING}:
        return _("queued")
    if OutboxMessage.State.FAILED in states:
        return _("failed: see the outgoing e-mails")
    return "—"


def _export_sent_at(job: ExportJob):
    if job.sent_at or job.approved_at is None or job.request_id is None:
        return job.sent_at or "—"
    return _delivery_state(LINK_PURPOSE, job.request_id)


def _export_download_link(job: ExportJob) -> str:
    if not job.is_downloadable or job.request_id is None:
        return "—"
    url = reverse("admin:requests_dsar_request_export_download", args=[job.request_id, job.pk])
    return format_html('<a href="{}">{}</a>', url, _("Download (audited)"))


class ExportProgressMixin:
    @admin.display(description=_("status"))
    def progress(self, obj: ExportJob) -> str:
        return obj.progress_label


class ExportJobInline(ExportProgressMixin, ReadOnlyInline):
    """The exports of the request and their progress (R1.7, R1.8), in columns that fit the request's
    page at 1366 px: what the file holds, the file (size and shortened fingerprint, whole on hover),
    its sending, its deletion; every field on its own on the export's page (ExportJobAdmin)."""

    model = ExportJob
    fk_name = "request"
    fields = (
        "kind",
        "progress",
        "finished",
        "content",
        "size_and_fingerprint",
        "sending",
        "download_count",
        "file_deleted",
        "download",
    )
    readonly_fields = fields

    @admin.display(description=_("finished at"))
    def finished(self, obj: ExportJob) -> str:
        return _short(obj.finished_at)

    @admin.display(description=_("content"))
    def content(self, obj: ExportJob) -> str:
        if obj.record_count is None:
            return "—"
        records = ngettext("%(count)s record", "%(count)s records", obj.record_count) % {"count": obj.record_count}
        if not obj.redaction_count:
            return records
        redacted = ngettext(
            "%(count)s redaction (Art. 15(4))", "%(count)s redactions (Art. 15(4))", obj.redaction_count
        ) % {"count": obj.redaction_count}
        return format_html("{}<br>{}", records, redacted)

    @admin.display(description=_("size and fingerprint"))
    def size_and_fingerprint(self, obj: ExportJob) -> str:
        if obj.size is None:
            return "—"
        if not obj.sha256:
            return filesizeformat(obj.size)
        return format_html(
            '{}<br><code title="SHA-256 {}">{}…</code>', filesizeformat(obj.size), obj.sha256, obj.sha256[:12]
        )

    @admin.display(description=_("sending"))
    def sending(self, obj: ExportJob) -> str:
        if obj.approved_at is None:
            return _("not approved yet")
        # The moment the link left, or why not yet ("queued", "failed: see the outgoing e-mails").
        sent = _short(obj.sent_at) if obj.sent_at else _delivery_state(LINK_PURPOSE, obj.request_id)
        return format_html(
            "{}<br>{}",
            _("approved by %(user)s") % {"user": obj.approved_by_username or "—"},
            _("link e-mailed: %(when)s") % {"when": sent},
        )

    @admin.display(description=_("file deleted"))
    def file_deleted(self, obj: ExportJob) -> str:
        if obj.purged_at:
            return _("on %(day)s") % {"day": _short(obj.purged_at, "SHORT_DATE_FORMAT")}
        if obj.expires_at:
            return _("after %(day)s") % {"day": _short(obj.expires_at, "SHORT_DATE_FORMAT")}
        return "—"

    @admin.display(description=_("file"))
    def download(self, obj: ExportJob) -> str:
        return _export_download_link(obj)


def _short(moment, style: str = "SHORT_DATETIME_FORMAT") -> str:
    """A moment in the page's short format (16/08/2026 14:38; 16/08/2026), or a dash."""
    return date_format(timezone.localtime(moment), style) if moment else "—"


class TransmissionInline(ReadOnlyInline):
    """The portability export sent to other controllers at the person's request (Art. 20(2), R1.8.4)."""

    model = PortabilityTransmission
    fields = (
        "controller_name",
        "controller_email",
        "created_at",
        "created_by_username",
        "sent_at",
        "transmission_state",
        "expires_at",
        "download_count",
        "first_downloaded_at",
        "last_downloaded_at",
        "revoked_at",
        "revoke",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("export_job")

    @admin.display(description=_("e-mailed at"))
    def sent_at(self, obj: PortabilityTransmission):
        return obj.sent_at or _delivery_state(transmissions.PURPOSE, obj.pk)

    @admin.display(description=_("state"))
    def transmission_state(self, obj: PortabilityTransmission) -> str:
        return obj.get_state_display()

    @admin.display(description=_("revoke"))
    def revoke(self, obj: PortabilityTransmission) -> str:
        if obj.revoked_at is not None:
            return "—"
        url = reverse("admin:requests_dsar_request_act", args=[obj.request_id, "revoke-transmission"])
        return format_html('<a href="{}">{}</a>', url, _("Revoke the link"))

    def get_fields(self, request, obj=None):
        if request.user.has_perm(transmissions.PERMISSION):
            return self.fields
        return tuple(field for field in self.fields if field != "revoke")

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


# The sections of the request's page, in order; fieldsets and inlines go to one of them by name or model.
SECTIONS = (
    ("requester", _("Requester")),
    ("rights", _("Rights and decisions")),
    ("documents", _("Documents: letters and exports")),
    ("history", _("History: the timeline and the deadlines")),
)
FIELDSET_SECTIONS = ("requester", "requester", "history")  # Requester, Receipt, Deadlines
INLINE_SECTIONS = {
    IdentityCheck: "requester",
    RequestItem: "rights",
    Decision: "rights",
    Letter: "documents",
    ExportJob: "documents",
    PortabilityTransmission: "documents",
    RequestEvent: "history",
    ClockPause: "history",
    Extension: "history",
}
# What staff may still add to a closed or refused request.
# A link sent to another controller (Art. 20(2)) can be revoked after closing too.
CLOSED_ACTIONS = frozenset({"note", "letter", "revoke-transmission"})


def _owner(obj: Request) -> str | None:
    """The request's owner, where the model has one (the triage inbox's); ``None`` otherwise."""
    if not any(field.name == "owner" for field in Request._meta.concrete_fields):
        return None
    owner = getattr(obj, "owner", None)
    return owner.get_username() if owner is not None else "—"


def _sections(adminform, inline_formsets) -> list[dict]:
    """Group the page's fieldsets and inlines into the case file's sections. An inline with no row
    shows only its name; a section with nothing in it is closed. Inlines of other apps (connected
    systems) go with the rights."""
    sections = {
        key: {"key": key, "title": title, "fieldsets": [], "inlines": [], "empty_names": [], "rows": 0}
        for key, title in SECTIONS
    }
    for index, fieldset in enumerate(adminform or []):
        key = FIELDSET_SECTIONS[index] if index < len(FIELDSET_SECTIONS) else "requester"
        sections[key]["fieldsets"].append((index, fieldset))
    for inline in inline_formsets:
        section = sections[INLINE_SECTIONS.get(inline.opts.model, "rights")]
        rows = len(inline.formset.forms)
        section["inlines"].append((inline, rows))
        section["rows"] += rows
        if not rows:
            section["empty_names"].append(inline.opts.verbose_name_plural)
    for section in sections.values():
        section["empty"] = not section["fieldsets"] and not section["rows"]
    return list(sections.values())


@admin.register(Request)
class RequestAdmin(
    PersonLabelledAdminMixin,
    RestrictionBannerMixin,
    PersonalDataAdminMixin,
    ActionPagesMixin,
    ExportMixin,
    ScaledAdminMixin,
    admin.ModelAdmin,
):
    """The request file; the subject's restriction banner shows on it too (RestrictionBannerMixin, R1.11.2)."""

    resource_classes = [RequestRegisterResource]
    action_forms = ACTIONS
    action_object_kwarg = "dsar"
    list_display = ("id", "person", "received_on", "channel", "state", "due_on", "days_left", "identity_request_late")
    list_filter = ("state", "channel", "identity_request_late")
    # Names: each word anywhere in the person's names (trigram indexes on PostgreSQL, subjects
    # migration 0007) or in the requester's name while no person is linked.
    search_fields = (
        "=requester_email",
        "=subject__email",
        "subject__last_name",
        "subject__first_names",
        "requester_name",
    )
    search_number_fields = ("id", "subject_id")
    search_help_text = _("A request or subject number (123 or n° 123), an e-mail address, or a name.")
    list_select_related = ("subject",)  # the person's name, in the same query
    autocomplete_fields = ("subject",)
    ordering = ("due_on", "id")
    change_form_template = "admin/requests_dsar/request/change_form.html"
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}
    readonly_fields = (
        "received_on",
        "channel",
        "state",
        "first_due_on",
        "ceiling_due_on",
        "due_on",
        "paused_days",
        "identity_request_late",
        "fee_amount",
        "closed_on",
        "created_at",
    )
    fieldsets = (
        (
            None,  # the section's own title (SECTIONS) says it
            {
                "fields": (
                    "subject",
                    "requester_name",
                    "requester_email",
                    "requester_phone",
                    "requester_address",
                    "language",
                    "representative_name",
                    "representative_authority",
                )
            },
        ),
        (
            _("Receipt"),
            {"fields": ("received_on", "channel", "state", "oral_summary")},
        ),
        (
            _("Deadlines (Art. 12(3))"),
            {
                "classes": ("collapse",),  # the due date and days left are in the summary
                "fields": (
                    "first_due_on",
                    "ceiling_due_on",
                    "due_on",
                    "paused_days",
                    "identity_request_late",
                    "fee_amount",
                    "closed_on",
                    "created_at",
                ),
            },
        ),
    )
    inlines = [
        ItemInline,
        PauseInline,
        IdentityCheckInline,
        ExtensionInline,
        DecisionInline,
        LetterInline,
        ExportJobInline,
        TransmissionInline,
        ErasureRecordInline,
        RecipientNotificationInline,
        EventInline,
    ]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the request file is evidence (Art. 5(2)); an erasure anonymises it, never deletes it

    def has_change_permission(self, request, obj=None) -> bool:
        # A closed or refused request is read-only: what may still be added (a note, a late letter)
        # goes through its action pages (CLOSED_ACTIONS).
        if obj is not None and obj.pk is not None and not obj.is_open:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("person"), ordering="subject__last_name")
    def person(self, obj: Request) -> str:
        return casefile.person_name(obj)

    def has_export_permission(self, request) -> bool:
        # The register export holds no requester detail (resources.py): both roles may take it.
        return request.user.has_perm("requests_dsar.view_request")

    @admin.display(description=_("days left"))
    def days_left(self, obj: Request) -> int | None:
        return (obj.due_on - timezone.localdate()).days if obj.is_open else None

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RequestAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": (*RequestAddForm.Meta.fields, "rights")}),)
        return self.fieldsets

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {name: data[name] for name in form.changed_data if name in services.REQUEST_EDITABLE_FIELDS}
            if changes:
                services.request_update(request=obj, changes=changes, actor=request.user)
            return
        created = services.request_log(
            received_on=data["received_on"],
            channel=data["channel"],
            rights=[services.RightAsked(right=right) for right in data["rights"]],
            subject=data.get("subject"),
            requester_name=data.get("requester_name", ""),
            requester_email=data.get("requester_email", ""),
            requester_phone=data.get("requester_phone", ""),
            requester_address=data.get("requester_address", ""),
            language=data.get("language", ""),
            representative_name=data.get("representative_name", ""),
            representative_authority=data.get("representative_authority", ""),
            oral_summary=data.get("oral_summary", ""),
            actor=request.user,
        )
        adopt_created(obj, created)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(self.casefile_context(request, context, obj))
            context["show_save_and_add_another"] = False
        return super().render_change_form(request, context, add, change, form_url, obj)

    def casefile_context(self, request, context, obj: Request) -> dict:
        """The summary on top (person, rights, state, due date, owner, the one next step) and the
        sections below it, each holding its fieldsets and inlines."""
        actions = self.available_actions(request, obj)
        if not obj.is_open:
            actions = [(slug, title) for slug, title in actions if slug in CLOSED_ACTIONS]
        step = casefile.next_step(obj)
        step_url = ""
        if step is not None and step.action:
            if step.action == "erasure-plan":
                allowed = request.user.has_perm("requests_dsar.decide_request")
                url = reverse("admin:requests_dsar_request_erasure_plan", args=[obj.pk])
            else:
                allowed = step.action in dict(actions)
                url = reverse("admin:requests_dsar_request_act", args=[obj.pk, step.action])
            step_url = url if allowed else ""
        rows = dashboard.open_requests(only_pk=obj.pk) if obj.is_open else []
        sources = searches.checklist(obj)
        return {
            "export_progress": casefile.export_progress(obj),
            "dsar_late_notices": notices.late_notices(obj),
            "dsar_sources": sources,
            "dsar_sources_left": sum(not row.searched for row in sources),
            "dsar_sources_url": (
                reverse("admin:requests_dsar_request_act", args=[obj.pk, "sources"])
                if "sources" in dict(actions)
                else ""
            ),
            "dsar_actions": [(slug, title) for slug, title in actions if slug != (step.action if step else "")],
            "erasure_asked": any(item.right == Right.ERASURE for item in obj.items.all()),
            # A request can reveal a breach (data sent to the wrong person, R5.3.7): the breach form
            # opens with the request and its requester filled in.
            "breach_from_request_url": (
                reverse("admin:breaches_breach_add") + f"?from_request={obj.pk}"
                if request.user.has_perm("breaches.add_breach")
                else ""
            ),
            "dsar_summary": rows[0] if rows else None,
            "dsar_person": casefile.person_name(obj),
            "dsar_person_email": casefile.person_email(obj),
            "dsar_owner": _owner(obj),
            "next_step": step,
            "next_step_url": step_url,
            "casefile_sections": _sections(context.get("adminform"), context.get("inline_admin_formsets", [])),
        }

    def action_facts(self, request, obj: Request) -> list[tuple[str, str]]:
        return [
            (_("Request"), str(obj)),
            (_("Person"), casefile.person_label(obj)),
            (_("Rights asked"), ", ".join(str(item.get_right_display()) for item in obj.items.all())),
            (_("State"), obj.get_state_display()),
        ]

    def action_first_step(self, request, obj: Request, action: str) -> dict | None:
        step = casefile.first_step(obj, action)
        if step is None:
            return None
        url = ""
        if step.action and request.user.has_perm(self.action_forms[step.action].permission):
            url = reverse("admin:requests_dsar_request_act", args=[obj.pk, step.action])
        return {"text": step.hint if url else f"{step.title}: {step.hint}", "url": url, "title": step.title}

    def get_urls(self):
        return [
            *self.action_urls(),
            self.guarded_path(
                "<int:object_id>/erasure-plan/", self.erasure_plan_view, name="requests_dsar_request_erasure_plan"
            ),
            self.guarded_path(
                "<int:object_id>/export/<int:job_id>/download/",
                self.export_download_view,
                name="requests_dsar_request_export_download",
                permission="requests_dsar.download_export",
            ),
            self.guarded_path(
                "<int:object_id>/exports/progress/",
                self.export_progress_view,
                name="requests_dsar_request_export_progress",
            ),
            self.guarded_path(
                "<int:object_id>/letter/<int:letter_id>/pdf/",
                self.letter_pdf_view,
                name="requests_dsar_request_letter_pdf",
                permission="requests_dsar.view_letter",
            ),
            *super().get_urls(),
        ]

    def action_succeeded(self, request, obj, result, *, title: str = "") -> None:
        if getattr(result, "late", False):
            self.message_user(
                request,
                _(
                    "Information was asked more than 3 working days after receipt: the clock pause may "
                    "not hold (EDPB Guidelines 01/2022, §159). The request is flagged."
                ),
                messages.WARNING,
            )
        super().action_succeeded(request, obj, result, title=title)

    def erasure_plan_view(self, request, object_id: int):
        """The erasure plan (R1.10.3) before the DPO's approval; the approval form executes it.

        Before identity is verified (or while the clock is paused) the approval is refused with what
        to do first, linked to that step."""
        dsar = self.get_object(request, str(object_id))
        first = self.action_first_step(request, dsar, "erasure-plan") if dsar is not None and dsar.is_open else None
        if first is not None:
            text = first["text"]
            if first["url"]:
                text = format_html('{} <a href="{}">{}</a>', text, first["url"], first["title"])
            self.message_user(request, text, messages.ERROR if request.method == "POST" else messages.WARNING)
            if request.method == "POST":
                return HttpResponseRedirect(request.path)
        return erasure_plan_view(self, request, object_id)

    def letter_pdf_view(self, request, object_id: int, letter_id: int):
        """A letter's PDF, decrypted: the permission is checked before any read (``guarded_path``), the
        read audited (R5.1)."""
        letter = Letter.objects.select_related("request").filter(pk=letter_id, request_id=object_id).first()
        if letter is None or self.get_object(request, str(object_id)) is None:
            raise Http404
        try:
            content = letter_pdf_read(letter=letter, actor=request.user)
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:requests_dsar_request_change", args=[object_id]))
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="request-{object_id}-letter-{letter.pk}.pdf"'
        return response

    def export_progress_view(self, request, object_id: int):
        """How far the exports are built, polled by the request's page while a worker builds them: the
        page updates its progress bar, then reloads once they are built. Formats and statuses only."""
        dsar = self.get_object(request, str(object_id))
        if dsar is None:
            raise Http404
        return JsonResponse(casefile.export_progress(dsar).as_json())  # never cached: admin_view

    def export_download_view(self, request, object_id: int, job_id: int):
        """Staff download of an export, decrypted and audited (R5.1)."""
        dsar = self.get_object(request, str(object_id))
        job = ExportJob.objects.filter(pk=job_id, request_id=object_id).first() if dsar else None
        if job is None:
            raise Http404
        change_url = reverse("admin:requests_dsar_request_change", args=[object_id])
        try:
            content = export_staff_download(job=job, actor=request.user)
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(change_url)
        response = HttpResponse(content, content_type=job.content_type)
        response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
        return response


@admin.register(ExportJob)
class ExportJobAdmin(ExportProgressMixin, ReadOnlyModelAdmin):
    """Every export across requests, for the DPO to follow the workers; failed or stuck ones restart."""

    list_display = (
        "id",
        "request",
        "kind",
        "progress",
        "attempts",
        "created_at",
        "finished_at",
        "sent_at",
        "expires_at",
    )
    list_filter = ("status", "kind")
    list_select_related = ("request",)
    raw_id_fields = ("request", "subject", "approved_by")
    readonly_fields = ("request", "subject", *EXPORT_FIELDS, "download")
    fields = readonly_fields
    actions = ["restart"]

    def has_restart_permission(self, request) -> bool:
        return request.user.has_perm("requests_dsar.change_request")

    @admin.action(description=_("Restart the selected failed or stuck exports"), permissions=["restart"])
    def restart(self, request, queryset) -> None:
        restarted, refused = [], []
        for job in queryset.order_by("id"):
            try:
                export_services.export_job_restart(job=job, actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                refused.append(f"#{job.pk}: {text}")
            else:
                restarted.append(job.pk)
        if restarted:
            waiting = export_services.export_jobs_waiting_for_queue(restarted)
            self.message_user(
                request,
                _("Exports restarted: %(count)s.") % {"count": len(restarted)}
                + " "
                + (
                    _("The task queue cannot be reached: they will start when the worker is back.")
                    if waiting
                    else _("A worker builds them now.")
                ),
                messages.WARNING if waiting else messages.SUCCESS,
            )
        for text in refused:
            self.message_user(request, text, messages.ERROR)

    @admin.display(description=_("file"))
    def download(self, obj: ExportJob) -> str:
        return _export_download_link(obj)

    @admin.display(description=_("link e-mailed at"))
    def sent_at(self, obj: ExportJob):
        return _export_sent_at(obj)


@admin.register(RequestEvent)
class RequestEventAdmin(ReadOnlyModelAdmin):
    """The timeline across requests: read-only (append-only rows)."""

    list_display = ("id", "request", "occurred_at", "actor_username", "kind", "from_state", "to_state")
    list_filter = ("kind",)
    list_select_related = ("request",)
    search_number_fields = ("request_id",)
    search_help_text = _("A request number (123 or n° 123).")
    ordering = ("-id",)  # newest first by the primary key: no sort of the whole table
    raw_id_fields = ("request", "actor")
