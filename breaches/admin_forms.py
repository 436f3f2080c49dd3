"""Forms behind the breach page's actions; each one ends in a single service call."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consents.models import DataCategory, ProcessingActivity
from subjects.models import DataSubject

from . import deadlines, obligations, risk, services
from .models import (
    EASE_OF_IDENTIFICATION,
    LOSS_OF_AVAILABILITY,
    LOSS_OF_CONFIDENTIALITY,
    LOSS_OF_INTEGRITY,
    Breach,
    NotificationPhase,
    ProcessingContext,
    RiskAssessment,
)

BREACH_FIELDS = (
    "title",
    "discovered_at",
    "discovered_by",
    "aware_at",
    "nature_confidentiality",
    "nature_integrity",
    "nature_availability",
    "description",
    "systems",
    "activities",
    "data_categories",
    "people_estimate",
    "records_estimate",
    "consequences",
    "measures_taken",
    "measures_proposed",
    "processor",
    "processor_informed_at",
    "late_reasons",
)


class BreachForm(forms.ModelForm):
    """Add and change: the fields of the breach; the service validates, versions and audits."""

    class Meta:
        model = Breach
        fields = BREACH_FIELDS

    def _post_clean(self) -> None:
        super()._post_clean()
        data = self.cleaned_data
        if not any(data.get(name) for name in ("nature_confidentiality", "nature_integrity", "nature_availability")):
            self.add_error(
                "nature_confidentiality",
                _("Say what the breach touched: confidentiality, integrity or availability (at least one)."),
            )
        if data.get("discovered_at") and data.get("aware_at") and data["aware_at"] < data["discovered_at"]:
            self.add_error("aware_at", _("IJINUS cannot have become aware of the breach before it was discovered."))


def _decimal_choices(choices):
    return [(str(value), label) for value, label in choices]


class ActionForm(forms.Form):
    title = ""
    permission = "breaches.change_breach"

    @classmethod
    def applies_to(cls, breach: Breach) -> bool:
        return breach.status != Breach.Status.CLOSED

    def __init__(self, *args, breach: Breach, **kwargs):
        self.breach = breach
        super().__init__(*args, **kwargs)

    def perform(self, actor) -> str:
        raise NotImplementedError


class AssessForm(ActionForm):
    title = _("Assess the risk (EDPB Guidelines 9/2022, ENISA method)")
    permission = "breaches.assess_breach"

    processing_context = forms.TypedChoiceField(
        label=_("Data processing context (DPC)"), choices=ProcessingContext.choices, coerce=int
    )
    ease_of_identification = forms.TypedChoiceField(
        label=_("Ease of identification (EI)"), choices=_decimal_choices(EASE_OF_IDENTIFICATION), coerce=Decimal
    )
    loss_of_confidentiality = forms.TypedChoiceField(
        label=_("Loss of confidentiality"), choices=_decimal_choices(LOSS_OF_CONFIDENTIALITY), coerce=Decimal
    )
    loss_of_integrity = forms.TypedChoiceField(
        label=_("Loss of integrity"), choices=_decimal_choices(LOSS_OF_INTEGRITY), coerce=Decimal
    )
    loss_of_availability = forms.TypedChoiceField(
        label=_("Loss of availability"), choices=_decimal_choices(LOSS_OF_AVAILABILITY), coerce=Decimal
    )
    malicious_intent = forms.BooleanField(label=_("Malicious intent (+0.5)"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("As the score gives")), *RiskAssessment.Outcome.choices],
        required=False,
        help_text=_("Leave as the score gives, or choose another outcome and say why below."),
    )
    override_reason = forms.CharField(label=_("Why another outcome"), widget=forms.Textarea, required=False)
    reasoning = forms.CharField(
        label=_("Reasoning"),
        widget=forms.Textarea,
        help_text=_(
            "Likelihood and severity of the risk to the people: type of breach, nature and volume of the data, "
            "ease of identification, consequences, special characteristics of the people (EDPB Guidelines 9/2022)."
        ),
    )

    def __init__(self, *args, breach: Breach, **kwargs):
        super().__init__(*args, breach=breach, **kwargs)
        self.fields["processing_context"].initial = risk.suggested_context(breach)
        self.fields["loss_of_confidentiality"].initial = "0.50" if breach.nature_confidentiality else "0.00"
        self.fields["loss_of_integrity"].initial = "0.25" if breach.nature_integrity else "0.00"
        self.fields["loss_of_availability"].initial = "0.25" if breach.nature_availability else "0.00"
        self.fields["ease_of_identification"].initial = "1.00"

    def perform(self, actor) -> str:
        data = self.cleaned_data
        assessment = services.breach_assess(
            breach=self.breach,
            actor=actor,
            processing_context=data["processing_context"],
            ease_of_identification=data["ease_of_identification"],
            loss_of_confidentiality=data["loss_of_confidentiality"],
            loss_of_integrity=data["loss_of_integrity"],
            loss_of_availability=data["loss_of_availability"],
            malicious_intent=data["malicious_intent"],
            outcome=data["outcome"] or None,
            override_reason=data["override_reason"],
            reasoning=data["reasoning"],
        )
        return _("Assessed: score %(score)s, severity %(severity)s. Due: %(due)s.") % {
            "score": assessment.score,
            "severity": assessment.get_severity_display(),
            "due": obligations.due(self.breach).label,
        }


class NotifyForm(ActionForm):
    title = _("Record a notification to the CNIL (Art. 33)")
    permission = "breaches.notify_breach"

    kind = forms.ChoiceField(label=_("Kind"), choices=NotificationPhase.Kind.choices)
    submitted_at = forms.SplitDateTimeField(label=_("Submitted at (Paris time)"), widget=AdminSplitDateTime)
    cnil_reference = forms.CharField(label=_("CNIL reference"), required=False, max_length=100)
    late_reasons = forms.CharField(
        label=_("Reasons for the delay"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Required when the first notification comes more than 72 hours after awareness (Art. 33(1))."),
    )

    def __init__(self, *args, breach: Breach, **kwargs):
        super().__init__(*args, breach=breach, **kwargs)
        self.fields["late_reasons"].initial = breach.late_reasons
        if breach.phases.exists():
            self.fields["kind"].choices = [
                c for c in NotificationPhase.Kind.choices if c[0] != NotificationPhase.Kind.INITIAL
            ]
        self.fields["submitted_at"].initial = timezone.localtime()
        due = deadlines.notification_due(breach.aware_at)
        self.fields["submitted_at"].help_text = _("Due by %(due)s.") % {"due": due.strftime("%d/%m/%Y %H:%M %Z")}

    def perform(self, actor) -> str:
        data = self.cleaned_data
        phase = services.notification_submit(
            breach=self.breach,
            actor=actor,
            kind=data["kind"],
            submitted_at=data["submitted_at"],
            cnil_reference=data["cnil_reference"],
            late_reasons=data["late_reasons"],
        )
        return _("Notification recorded: %(kind)s.") % {"kind": phase.get_kind_display()}


class CloseForm(ActionForm):
    title = _("Close the breach")
    permission = "breaches.close_breach"

    closure_note = forms.CharField(label=_("Closure note"), widget=forms.Textarea)

    def perform(self, actor) -> str:
        services.breach_close(breach=self.breach, closure_note=self.cleaned_data["closure_note"], actor=actor)
        return _("Breach closed.")


class AffectedListForm(ActionForm):
    title = _("Add people affected: choose them")

    subjects = forms.CharField(
        label=_("Person numbers"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The numbers of the people (as on their files), separated by spaces, commas or lines."),
    )

    def clean_subjects(self) -> list[int]:
        raw = [part for part in services.affected.EMAIL_SEPARATORS.split(self.cleaned_data["subjects"]) if part]
        try:
            ids = sorted({int(part.lstrip("#")) for part in raw})
        except ValueError:
            raise forms.ValidationError(_("Give person numbers only.")) from None
        found = set(DataSubject.objects.filter(pk__in=ids).values_list("pk", flat=True))
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise forms.ValidationError(
                _("No person has these numbers: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
            )
        return ids

    def perform(self, actor) -> str:
        result = services.affected_add_subjects(breach=self.breach, subjects=self.cleaned_data["subjects"], actor=actor)
        return _("%(added)s person(s) added, %(already)s already linked.") % {
            "added": result.added,
            "already": result.already,
        }


class AffectedRegisterForm(ActionForm):
    title = _("Add people affected: query over the register's sources")

    activities = forms.ModelMultipleChoiceField(
        label=_("Processing activities"),
        queryset=ProcessingActivity.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    data_categories = forms.ModelMultipleChoiceField(
        label=_("Data categories"),
        queryset=DataCategory.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Everybody with data in a source serving one of these activities or holding one of these categories."
        ),
    )

    def __init__(self, *args, breach: Breach, **kwargs):
        super().__init__(*args, breach=breach, **kwargs)
        self.fields["activities"].initial = list(breach.activities.values_list("pk", flat=True))
        self.fields["data_categories"].initial = list(breach.data_categories.values_list("pk", flat=True))

    def clean(self):
        data = super().clean()
        if not data.get("activities") and not data.get("data_categories"):
            raise forms.ValidationError(_("Choose at least one processing activity or data category."))
        return data

    def perform(self, actor) -> str:
        data = self.cleaned_data
        result = services.affected_from_register(
            breach=self.breach,
            actor=actor,
            activity_codes=[a.code for a in data["activities"]],
            category_codes=[c.code for c in data["data_categories"]],
        )
        return _("%(added)s person(s) added, %(already)s already linked.") % {
            "added": result.added,
            "already": result.already,
        }


class AffectedImportForm(ActionForm):
    title = _("Add people affected: import e-mail addresses")

    emails = forms.CharField(
        label=_("E-mail addresses"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One a line, or separated by commas. Addresses matching nobody are counted, not kept."),
    )

    def perform(self, actor) -> str:
        result = services.affected_import_emails(breach=self.breach, text=self.cleaned_data["emails"], actor=actor)
        return _(
            "%(added)s person(s) added, %(already)s already linked, %(unknown)s address(es) matching nobody, "
            "%(invalid)s not an address."
        ) % {"added": result.added, "already": result.already, "unknown": result.unknown, "invalid": result.invalid}


ACTIONS: dict[str, type[ActionForm]] = {
    "assess": AssessForm,
    "notify": NotifyForm,
    "affected-list": AffectedListForm,
    "affected-register": AffectedRegisterForm,
    "affected-import": AffectedImportForm,
    "close": CloseForm,
}
