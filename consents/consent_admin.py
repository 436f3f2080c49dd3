"""Admin for notices, consent events, marketing bases and the suppression list (thin: services write).

Consent events are read-only (R2.1.1): they are added by the services (site forms, unsubscribe
links, imports, the withdrawal action), never edited or deleted here. The subject page shows the
subject's history newest first, the current event of each channel marked (``ConsentEventInline``).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ShowFacets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.lookups import IsNull
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from ijinus_privacy import uploads
from ijinus_privacy.admin import (
    ActiveSubjectsOnlyMixin,
    GuardedViewsMixin,
    LabelledTabularInline,
    PersonalDataAdminMixin,
    ReadOnlyModelAdmin,
)
from ijinus_privacy.admin_scale import ScaledAdminMixin, looks_like_email, phone_forms
from ijinus_privacy.identifiers import IdentifierKind, identifier_hash
from subjects.admin import subject_page_inlines
from subjects.models import DataSubject, ProductFamily

from . import imports, proofs, services
from .models import (
    MARKETING_CHANNELS,
    Channel,
    ConsentEvent,
    MarketingBasis,
    Notice,
    ProductFamilyAnalogy,
    Suppression,
)


def _with_current_flag(queryset):
    latest = (
        ConsentEvent.objects.filter(subject_id=OuterRef("subject_id"), channel=OuterRef("channel"))
        .order_by("-occurred_at", "-id")
        .values("pk")[:1]
    )
    return queryset.annotate(
        _current_pk=Subquery(latest),
        is_current=ExpressionWrapper(Q(pk=Subquery(latest)), output_field=BooleanField()),
    )


class HistoryFormSet(BaseInlineFormSet):
    """A read-only history: nothing to validate or save, and a subject form posted without this
    inline's management form (older clients, tests) still saves."""

    def __init__(self, data=None, files=None, *args, **kwargs):
        prefix = kwargs.get("prefix") or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            data, files = None, None
        super().__init__(data, files, *args, **kwargs)

    def is_valid(self) -> bool:
        return True

    def save(self, commit=True):
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        return []


class ConsentEventInline(LabelledTabularInline):
    """The subject's consent history, newest first; "current" marks each channel's state (R2.1.1)."""

    model = ConsentEvent
    formset = HistoryFormSet
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("-occurred_at", "-id")
    fields = ("channel", "action", "current", "occurred_at", "collection_point", "mechanism", "notice")
    readonly_fields = fields
    verbose_name_plural = _("Consent history, newest first (Art. 7(1); the current state of each channel is marked)")

    def get_queryset(self, request):
        return _with_current_flag(super().get_queryset(request).select_related("notice"))

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("current"), boolean=True)
    def current(self, obj: ConsentEvent) -> bool:
        return bool(getattr(obj, "is_current", False))


class CurrentOnlyFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("current", _("Current state only (latest per subject and channel)"))]

    def queryset(self, request, queryset):
        return latest_events_only(queryset) if self.value() == "current" else queryset


def latest_events_only(queryset):
    """The events no later event of the same (subject, channel) -- or, for an unnamed visitor, (visitor
    id, channel) -- follows: what ``ConsentEvent.objects.current()`` keeps, as two ``NOT EXISTS``.

    PostgreSQL turns each into an anti-join served by an index (``consents_evt_subj_chan_at``,
    ``consents_evt_visitor``), where ``current()``'s ``pk = (SELECT ... LIMIT 1)`` runs one subquery
    per row of the table (32.5 s at 3M events, issue 13). The list walks ``occurred_at`` backwards
    (consents migration 0006) and stops at its page.
    """
    now = timezone.now()
    later = ConsentEvent.objects.filter(channel=OuterRef("channel"), occurred_at__lte=now).filter(
        Q(occurred_at__gt=OuterRef("occurred_at")) | Q(occurred_at=OuterRef("occurred_at"), pk__gt=OuterRef("pk"))
    )
    later_of_subject = later.filter(subject_id=OuterRef("subject_id"))
    later_of_visitor = later.filter(
        IsNull(OuterRef("subject_id"), True), subject__isnull=True, visitor_id=OuterRef("visitor_id")
    )
    return queryset.filter(occurred_at__lte=now).exclude(Exists(later_of_subject)).exclude(Exists(later_of_visitor))


class NoticeAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "channel", "language", "version", "effective_on", "sha256", "hash_verified")
    list_filter = ("kind", "channel", "language")
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    fields = ("kind", "channel", "language", "effective_on", "title", "text", "version", "sha256", "created_at")

    def get_fields(self, request, obj=None):
        return (*self.fields, "hash_verified") if obj is not None else self.fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # immutable once saved (R5.6.1)
            return (*self.fields, "hash_verified")
        return ("version", "sha256", "created_at")

    @admin.display(boolean=True, description=_("text matches its SHA-256 (EDPB Guidelines 05/2020, ¶108)"))
    def hash_verified(self, obj: Notice) -> bool:
        return obj.hash_verified

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        saved = services.notice_create(
            kind=obj.kind,
            channel=obj.channel,
            language=obj.language,
            effective_on=obj.effective_on,
            title=obj.title,
            text=obj.text,
            actor=request.user,
        )
        obj.pk, obj.version, obj.sha256 = saved.pk, saved.version, saved.sha256
        obj._state.adding = False
        if saved.kind == Notice.Kind.CONSENT_TEXT:
            self.message_user(
                request,
                _(
                    "This consent wording cannot be used until the DPO confirms its content: controller, purpose, "
                    "data, right to withdraw, transfers (Art. 7, Art. 13). See the consent wording checks."
                ),
                messages.WARNING,
            )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("E-mailing tool export (CSV or XLSX)"))
    notice = forms.ModelChoiceField(
        queryset=Notice.objects.filter(kind=Notice.Kind.CONSENT_TEXT, channel=Channel.NEWSLETTER_EMAIL),
        label=_("Consent wording the tool showed (EDPB Guidelines 05/2020, ¶108)"),
    )
    batch_reference = forms.CharField(max_length=60, label=_("Batch reference (e.g. tool export name and date)"))


class AudienceForm(forms.Form):
    channel = forms.ChoiceField(choices=[(c.value, c.label) for c in MARKETING_CHANNELS], label=_("Channel"))
    on = forms.DateField(label=_("Send date"), initial=date.today)
    product_family = forms.ChoiceField(
        choices=[("", _("None (no soft opt-in)")), *ProductFamily.choices],
        required=False,
        label=_("Product family promoted (soft opt-in, CPCE L.34-5)"),
    )


class WithdrawForm(forms.Form):
    staff_reference = forms.CharField(max_length=100, label=_("How the person asked (call id, letter reference)"))


class ConsentEventAdmin(ActiveSubjectsOnlyMixin, PersonalDataAdminMixin, GuardedViewsMixin, ReadOnlyModelAdmin):
    list_display = ("id", "subject", "channel", "action", "occurred_at", "collection_point", "mechanism", "entered_by")
    list_filter = (
        CurrentOnlyFilter,
        ("occurred_at", admin.DateFieldListFilter),
        "channel",
        "action",
        "collection_point",
        "entered_by",
    )
    raw_id_fields = ("subject",)
    list_select_related = ("subject",)
    search_fields = ("=visitor_id",)
    search_number_fields = ("subject_id",)
    search_help_text = _("A subject number (123 or n° 123) or a pseudonymous visitor id.")
    broad_filter_params = (CurrentOnlyFilter.parameter_name,)  # about one event in three is current
    readonly_fields = [field.name for field in ConsentEvent._meta.fields]
    actions = ["withdraw", "proof_bundle"]
    change_list_template = "admin/consents/consentevent/change_list.html"

    def has_withdraw_permission(self, request) -> bool:
        return request.user.has_perm("consents.add_consentevent")

    def has_proof_permission(self, request) -> bool:
        return request.user.has_perm("consents.export_consentproof")

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(
        description=_("Record a withdrawal for these subjects and channels (Art. 7(3))"), permissions=["withdraw"]
    )
    def withdraw(self, request, queryset):
        form = WithdrawForm(request.POST if "staff_reference" in request.POST else None)
        if not form.is_valid():
            return render(
                request,
                "admin/consents/withdraw.html",
                {**self.admin_site.each_context(request), "form": form, "queryset": queryset, "opts": self.opts},
            )
        done = 0
        pairs = set(queryset.filter(subject__isnull=False).values_list("subject_id", "channel"))
        for subject_id, channel in sorted(pairs):
            try:
                _event, created = services.consent_withdraw(
                    subject=DataSubject.objects.get(pk=subject_id),
                    channel=channel,
                    collection_point=ConsentEvent.CollectionPoint.STAFF,
                    mechanism=ConsentEvent.Mechanism.ORAL,
                    entered_by=ConsentEvent.EnteredBy.STAFF,
                    staff_reference=form.cleaned_data["staff_reference"],
                    actor=request.user,
                )
                done += int(created)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
        self.message_user(request, _("%(count)d withdrawals recorded.") % {"count": done}, messages.SUCCESS)
        return None

    @admin.action(description=_("Consent-proof bundle of the selection (CSV + PDF, zip)"), permissions=["proof"])
    def proof_bundle(self, request, queryset):
        csv_bytes, pdf_bytes = proofs.proof_bundle(
            events=queryset.select_related("notice").order_by("subject_id", "channel", "occurred_at", "id"),
            actor=request.user,
            title=str(_("Consent proofs")),
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("consent-proofs.csv", csv_bytes)
            archive.writestr("consent-proofs.pdf", pdf_bytes)
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="consent-proofs.zip"'
        return response

    def get_urls(self):
        extra = [
            self.guarded_path(
                "import/",
                self.import_view,
                name="consents_consentevent_import",
                permission="consents.import_consentevent",
            ),
            self.guarded_path(
                "audience/",
                self.audience_view,
                name="consents_consentevent_audience",
                permission="consents.export_audience",
            ),
        ]
        return extra + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": request.user.has_perm("consents.import_consentevent"),
            "can_export_audience": request.user.has_perm("consents.export_audience"),
        }
        return super().changelist_view(request, extra_context)

    def _page(self, request, template: str, context: dict):
        return render(request, template, {**self.admin_site.each_context(request), "opts": self.opts, **context})

    def import_view(self, request):
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                layout, dataset = imports.read_export(upload)
            except uploads.UploadRefused as refusal:  # size, format, NUL byte, layout, columns, rows (issues 12, 15)
                self.message_user(request, refusal.message, messages.ERROR)
                return self._page(request, "admin/consents/import.html", {"form": form})
            report = imports.import_consent_proofs(
                dataset=dataset,
                notice=form.cleaned_data["notice"],
                batch_reference=form.cleaned_data["batch_reference"],
                actor=request.user,
                layout=layout,
            )
            recognised = _("Layout recognised: %(layout)s.") % {"layout": report.layout}
            if report.errors:
                self.message_user(
                    request, f"{recognised} {_('Nothing was imported: fix the rows below.')}", messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    f"{recognised} "
                    + _("%(events)d consents imported, %(new)d new subjects, %(skipped)d already on record.")
                    % {"events": report.events, "new": report.created_subjects, "skipped": report.skipped},
                    messages.SUCCESS,
                )
        return self._page(request, "admin/consents/import.html", {"form": form, "report": report})

    def audience_view(self, request):
        form = AudienceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data, count = proofs.audience_csv(
                channel=form.cleaned_data["channel"],
                on=form.cleaned_data["on"],
                product_family=form.cleaned_data["product_family"] or None,
                actor=request.user,
            )
            response = HttpResponse(data, content_type="text/csv; charset=utf-8")
            name = f"audience-{form.cleaned_data['channel']}-{form.cleaned_data['on'].isoformat()}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["X-Audience-Count"] = str(count)
            return response
        return self._page(request, "admin/consents/audience.html", {"form": form})


class MarketingBasisAdmin(ActiveSubjectsOnlyMixin, PersonalDataAdminMixin, ScaledAdminMixin, admin.ModelAdmin):
    list_display = ("id", "subject", "channel", "basis", "product_family", "informed_on", "opt_out_offered")
    list_filter = ("channel", "basis", "product_family")
    raw_id_fields = ("subject", "contract")
    list_select_related = ("subject",)
    search_number_fields = ("subject_id",)
    search_help_text = _("A subject number (123 or n° 123).")
    ordering = ("-id",)  # recorded_at follows the id: newest first without sorting the table
    readonly_fields = ("recorded_at", "recorded_by")

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        saved = services.marketing_basis_record(
            subject=obj.subject,
            channel=obj.channel,
            basis=obj.basis,
            contract=obj.contract,
            informed_on=obj.informed_on,
            opt_out_offered=obj.opt_out_offered,
            job_function=obj.job_function,
            actor=request.user,
        )
        obj.pk = saved.pk
        obj._state.adding = False


SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")


def suppression_search_hash(term: str) -> str | None:
    """The keyed hash to look up for what was typed: an e-mail address or phone number is hashed as
    the list stores it (normalised, HMAC-SHA256), a hash is taken as is; anything else finds nothing."""
    term = (term or "").strip()
    if SHA256_HEX.match(term):
        return term.lower()
    if looks_like_email(term):
        return identifier_hash(IdentifierKind.EMAIL, term)
    if phone_forms(term):
        return identifier_hash(IdentifierKind.PHONE, term)
    return None


class SuppressionAdmin(GuardedViewsMixin, ReadOnlyModelAdmin):
    """The suppression list keeps keyed hashes, never an address (R1.13.3). It is searched by e-mail
    or phone: the search form posts what was typed (``lookup_view``), which is hashed as the list
    stores it and the list is shown for that hash, so the address never travels in a URL or a log."""

    list_display = ("id", "identifier_kind", "channel", "reason", "created_at")
    list_filter = ("identifier_kind", "channel", "reason")
    readonly_fields = [field.name for field in Suppression._meta.fields]
    ordering = ("-id",)  # created_at follows the id: newest first without sorting the table
    search_fields = ("=identifier_hash",)  # the unique (hash, channel) index serves the lookup
    search_help_text = _(
        "An e-mail address or phone number, as the person gives it: it is compared by its keyed hash, since "
        "the list keeps no address (Art. 21(3), Art. 17)."
    )
    change_list_template = "admin/consents/suppression/change_list.html"

    def get_urls(self):
        return [self.guarded_path("lookup/", self.lookup_view, name="consents_suppression_lookup"), *super().get_urls()]

    def lookup_view(self, request):
        changelist = reverse("admin:consents_suppression_changelist")
        if request.method != "POST":
            return HttpResponseRedirect(changelist)
        digest = suppression_search_hash(request.POST.get("identifier", ""))
        if digest is None:
            self.message_user(request, _("Type a whole e-mail address or phone number."), messages.ERROR)
            return HttpResponseRedirect(changelist)
        return HttpResponseRedirect(f"{changelist}?{urlencode({'q': digest})}")

    def get_search_results(self, request, queryset, search_term):
        if not (search_term or "").strip():
            return queryset, False
        digest = suppression_search_hash(search_term)
        return (queryset.filter(identifier_hash=digest) if digest else queryset.none()), False


class ProductFamilyAnalogyAdmin(admin.ModelAdmin):
    list_display = ("id", "family", "analogous_family")
    list_filter = ("family",)


def register(site: admin.AdminSite) -> None:
    site.register(Notice, NoticeAdmin)
    site.register(ConsentEvent, ConsentEventAdmin)
    site.register(MarketingBasis, MarketingBasisAdmin)
    site.register(Suppression, SuppressionAdmin)
    site.register(ProductFamilyAnalogy, ProductFamilyAnalogyAdmin)
    subject_page_inlines(ConsentEventInline)
    from .information_admin import register as register_information

    register_information(site)
