"""The breach register in the admin: the list with the 72-hour clock, the breach page with its
versions, assessments, notifications, people affected and letters, and the DPO's actions.

Thin: every write goes through ``breaches.services`` (versioned and audited). The documents and
letters (CNIL notification content, Art. 34 letters, public communication) come from
``BreachDocumentsAdminMixin`` (``document_admin.py``).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.admin import ActionPagesMixin, ReadOnlyInline, adopt_created

from . import dashboard, deadlines, obligations, services
from .admin_forms import ACTIONS, BREACH_FIELDS, BreachForm
from .document_admin import BreachDocumentsAdminMixin
from .models import (
    Breach,
    BreachLetter,
    BreachVersion,
    NotificationPhase,
    PublicCommunication,
    RiskAssessment,
)

AFFECTED_SHOWN = 50
M2M = ("activities", "data_categories")


class BreachVersionInline(ReadOnlyInline):
    model = BreachVersion
    fields = ("number", "changed_at", "changed_by_username", "summary", "changes")
    readonly_fields = fields
    verbose_name_plural = _("versions (every change, fields before and after)")

    @admin.display(description=_("before → after"))
    def changes(self, version: BreachVersion) -> str:
        snapshot = version.snapshot or {}
        before, after = snapshot.get("before") or {}, snapshot.get("after") or {}
        if not before:
            return "—"
        return format_html_join(
            "", "<div><code>{}</code>: {} → {}</div>", ((key, before.get(key), after.get(key)) for key in after)
        )


class RiskAssessmentInline(ReadOnlyInline):
    model = RiskAssessment
    fields = (
        "assessed_at",
        "assessed_by_username",
        "processing_context",
        "ease_of_identification",
        "loss_of_confidentiality",
        "loss_of_integrity",
        "loss_of_availability",
        "malicious_intent",
        "score",
        "severity",
        "computed_outcome",
        "outcome",
        "override_reason",
        "reasoning",
    )
    readonly_fields = fields
    verbose_name_plural = _("risk assessments (the latest counts)")


class NotificationPhaseInline(ReadOnlyInline):
    model = NotificationPhase
    fields = ("kind", "submitted_at", "cnil_reference", "submitted_by_username")
    readonly_fields = fields


class BreachLetterInline(ReadOnlyInline):
    model = BreachLetter
    fields = ("id", "affected", "language", "channel", "created_at", "sent_at", "created_by_username")
    readonly_fields = fields


class PublicCommunicationInline(ReadOnlyInline):
    model = PublicCommunication
    fields = ("published_at", "where", "justification", "created_by_username")
    readonly_fields = fields


class ClockFilter(admin.SimpleListFilter):
    title = _("72-hour clock")
    parameter_name = "clock"

    def lookups(self, request, model_admin):
        return (("overdue", _("overdue, not notified")), ("running", _("running, not notified")))

    def queryset(self, request, queryset):
        if self.value() not in ("overdue", "running"):
            return queryset
        cutoff = timezone.now() - timedelta(hours=deadlines.NOTIFICATION_HOURS)
        waiting = queryset.exclude(status=Breach.Status.CLOSED).filter(phases__isnull=True)
        waiting = waiting.exclude(pk__in=_no_risk_ids())
        return (
            waiting.filter(aware_at__lt=cutoff) if self.value() == "overdue" else waiting.filter(aware_at__gte=cutoff)
        )


def _no_risk_ids():
    annotated = dashboard.annotated(Breach.objects.all())
    return annotated.filter(latest_outcome=RiskAssessment.Outcome.NO_RISK).values("pk")


@admin.register(Breach)
class BreachAdmin(BreachDocumentsAdminMixin, ActionPagesMixin, admin.ModelAdmin):
    form = BreachForm
    change_form_template = "admin/breaches/breach/change_form.html"
    action_forms = ACTIONS
    action_object_kwarg = "breach"
    list_display = ("reference_link", "title", "status", "aware_at_paris", "clock", "what_is_due")
    list_display_links = None
    list_filter = (
        "status",
        ClockFilter,
        "nature_confidentiality",
        "nature_integrity",
        "nature_availability",
        ("processor", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("title",)
    date_hierarchy = "aware_at"
    filter_horizontal = ("activities", "data_categories")
    inlines = [
        RiskAssessmentInline,
        NotificationPhaseInline,
        BreachLetterInline,
        PublicCommunicationInline,
        BreachVersionInline,
    ]
    show_full_result_count = False

    fieldsets = (
        (None, {"fields": ("title", "status_display", "clock_display", "due_display")}),
        (
            _("Discovery and the 72-hour clock (Art. 33(1))"),
            {"fields": ("discovered_at", "discovered_by", "aware_at", "processor", "processor_informed_at")},
        ),
        (
            _("Nature of the breach (Art. 33(3)(a))"),
            {
                "fields": (
                    "nature_confidentiality",
                    "nature_integrity",
                    "nature_availability",
                    "description",
                    "systems",
                    "activities",
                    "data_categories",
                    "people_estimate",
                    "records_estimate",
                )
            },
        ),
        (
            _("Consequences and measures (Art. 33(3)(c)-(d))"),
            {"fields": ("consequences", "measures_taken", "measures_proposed")},
        ),
        (_("Notification (Art. 33(1), 33(4))"), {"fields": ("late_reasons",)}),
        (_("People affected (Art. 34)"), {"fields": ("affected_display",)}),
        (
            _("Record"),
            {
                "fields": (
                    "created_at",
                    "created_by_username",
                    "source_request_display",
                    "reminder_sent_at",
                    "closed_at",
                    "closure_note",
                )
            },
        ),
    )
    add_fieldsets = ((None, {"fields": ("title",)}), *fieldsets[1:5])

    class Media:
        css = {"all": ["ijinus_privacy/dashboard.css"]}

    # --- list ---------------------------------------------------------------------------------------

    def get_queryset(self, request):
        return dashboard.annotated(super().get_queryset(request))

    @admin.display(description=_("reference"), ordering="pk")
    def reference_link(self, breach: Breach) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:breaches_breach_change", args=[breach.pk]), breach.reference
        )

    @admin.display(description=_("aware at (Paris)"), ordering="aware_at")
    def aware_at_paris(self, breach: Breach) -> str:
        return deadlines.in_paris(breach.aware_at).strftime("%d/%m/%Y %H:%M")

    @admin.display(description=_("hours left (72 h)"))
    def clock(self, breach: Breach) -> str:
        return self._clock(breach)

    @admin.display(description=_("what is due"))
    def what_is_due(self, breach: Breach) -> str:
        return dashboard.due_of(breach).label

    def _clock(self, breach: Breach) -> str:
        if breach.status == Breach.Status.CLOSED:
            return "—"
        row = dashboard.row_of(breach, timezone.now())
        if row.notified:
            return str(_("notified"))
        if row.overdue:
            return format_html(
                '<span class="ij-bad breach-overdue">{}</span>',
                _("%(hours)s h overdue") % {"hours": row.hours_overdue},
            )
        if dashboard.due_of(breach) == obligations.Due.REGISTER_ONLY:
            return str(_("no notification due"))
        return _("%(hours)s h left (due %(due)s)") % {
            "hours": row.hours_left,
            "due": row.due_at.strftime("%d/%m %H:%M"),
        }

    # --- page ---------------------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    # --- a wrongful disclosure while answering a request (EDPB 01/2022 §§80-81) ----------------------

    def _source_request(self, request):
        """The request named by ``?from_request=<id>``, when the user may read requests; else ``None``."""
        from requests_dsar.models import Request

        number = request.GET.get("from_request", "")
        if not number.isdigit() or not request.user.has_perm("requests_dsar.view_request"):
            return None
        return Request.objects.filter(pk=int(number)).first()

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.pop("from_request", None)
        source = self._source_request(request)
        if source is None:
            return initial
        from consents.models import ProcessingActivity
        from requests_dsar.sources import RequestFileSource

        now = timezone.now()
        handling = ProcessingActivity.objects.filter(code__in=RequestFileSource.register_entries)
        return {
            **initial,
            "title": _("Wrongful disclosure while answering request n° %(number)s") % {"number": source.pk},
            "discovered_at": now,
            "aware_at": now,
            "nature_confidentiality": True,
            "description": _(
                "While answering data-subject request n° %(number)s (received on %(received)s), personal data "
                "was sent to the wrong person or more was disclosed than was asked. Say what was sent, to "
                "whom, how and when it was found."
            )
            % {"number": source.pk, "received": date_format(source.received_on, "SHORT_DATE_FORMAT")},
            "activities": list(handling.values_list("pk", flat=True)),
            "people_estimate": 1,
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["breach_actions"] = self.available_actions(request, obj)
        if add:
            source = self._source_request(request)
            if source is not None:
                context["subtitle"] = _("From data-subject request n° %(number)s") % {"number": source.pk}
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    @admin.display(description=_("data-subject request it arose from"))
    def source_request_display(self, breach: Breach) -> str:
        if breach.source_request_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:requests_dsar_request_change", args=[breach.source_request_id]),
            _("Request n° %(number)s") % {"number": breach.source_request_id},
        )

    def get_readonly_fields(self, request, obj=None):
        computed = (
            "status_display",
            "clock_display",
            "due_display",
            "affected_display",
            "created_at",
            "created_by_username",
            "source_request_display",
            "reminder_sent_at",
            "closed_at",
            "closure_note",
        )
        if obj is not None and not self.has_change_permission(request, obj):
            return (*computed, *BREACH_FIELDS)
        return computed

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    @admin.display(description=_("status"))
    def status_display(self, breach: Breach) -> str:
        return breach.get_status_display()

    @admin.display(description=_("72-hour clock"))
    def clock_display(self, breach: Breach) -> str:
        due = deadlines.notification_due(breach.aware_at).strftime("%d/%m/%Y %H:%M %Z")
        annotated = dashboard.annotated(Breach.objects.filter(pk=breach.pk)).get()
        return format_html("{} — {}", _("due %(due)s") % {"due": due}, self._clock(annotated))

    @admin.display(description=_("what is due"))
    def due_display(self, breach: Breach) -> str:
        todo = obligations.outstanding(breach)
        label = obligations.due(breach).label
        if not todo:
            return label
        return format_html("{}<ul>{}</ul>", label, format_html_join("", "<li>{}</li>", ((item,) for item in todo)))

    @admin.display(description=_("people linked"))
    def affected_display(self, breach: Breach) -> str:
        total = breach.affected.count()
        linked = list(
            breach.affected.filter(subject__isnull=False)
            .order_by("id")
            .values_list("subject_id", flat=True)[:AFFECTED_SHOWN]
        )
        erased = breach.affected.filter(subject__isnull=True).count()
        links = format_html_join(
            ", ",
            '<a href="{}">#{}</a>',
            ((reverse("admin:subjects_datasubject_change", args=[pk]), pk) for pk in linked),
        )
        return format_html(
            "{} {}{}",
            _("%(total)s linked (%(erased)s since erased); estimate: %(estimate)s.")
            % {
                "total": total,
                "erased": erased,
                "estimate": breach.people_estimate if breach.people_estimate is not None else "—",
            },
            links,
            " …" if total - erased > AFFECTED_SHOWN else "",
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the register keeps every breach (Art. 33(5))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                changes = {name: data[name] for name in form.changed_data if name in BREACH_FIELDS}
                saved = services.breach_update(breach=obj, changes=changes, actor=request.user)
            else:
                fields = {name: data[name] for name in BREACH_FIELDS if name in data and name not in M2M}
                source = self._source_request(request)
                if source is not None:
                    fields["source_request"] = source
                saved = services.breach_record(
                    actor=request.user,
                    activities=data.get("activities") or (),
                    data_categories=data.get("data_categories") or (),
                    **fields,
                )
        except ValidationError as error:
            # The form validated; a service refusal is shown and nothing is saved.
            raise PermissionDenied("; ".join(error.messages)) from error
        adopt_created(obj, saved)

    def save_related(self, request, form, formsets, change):
        """The services saved the activities and categories (versioned); the inlines are read-only."""

    # --- actions ------------------------------------------------------------------------------------

    def get_urls(self):
        return [*self.action_urls(), *super().get_urls()]
