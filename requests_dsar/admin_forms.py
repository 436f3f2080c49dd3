"""Forms behind the request's admin actions; each one ends in a single service call."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from consents.models import MARKETING_CHANNELS
from consents.models import Channel as ConsentChannel
from ijinus_privacy.choices import ContactChannel, Language
from subjects.models import DeathRecord, Objection, PostMortemDirective, Rectification, Restriction
from subjects.services.rectification import RECTIFY_PERMISSION
from subjects.services.restriction import MANAGE_PERMISSION as RESTRICTION_PERMISSION

from . import fulfilment, searches, services
from .exports import services as export_services
from .exports import transmission as transmissions
from .letters import letter_send
from .models import (
    DPO_ONLY_STATES,
    GROUNDS_BY_RIGHT,
    TRANSITIONS,
    ClockPause,
    ExportJob,
    Extension,
    IdentityCheck,
    Letter,
    PortabilityTransmission,
    RefusalGround,
    Request,
    Right,
    SourceSearch,
    State,
)


class RequestAddForm(forms.ModelForm):
    rights = forms.MultipleChoiceField(
        label=_("Rights asked"), choices=Right.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Request
        fields = (
            "received_on",
            "channel",
            "subject",
            "requester_name",
            "requester_email",
            "requester_phone",
            "requester_address",
            "language",
            "representative_name",
            "representative_authority",
            "oral_summary",
        )

    def _post_clean(self) -> None:
        # Due dates are derived by the service: validate everything else, so errors show on the form.
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields)
            self.instance.full_clean(
                exclude=["first_due_on", "ceiling_due_on", "due_on"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            self._update_errors(error)


class ActionForm(forms.Form):
    title = ""
    permission = "requests_dsar.change_request"
    # The rights this action serves; ``None``: every request. Shown only when the request asks one.
    rights: frozenset[str] | None = None

    @classmethod
    def applies_to(cls, dsar: Request) -> bool:
        return cls.rights is None or dsar.items.filter(right__in=cls.rights).exists()

    def __init__(self, *args, dsar: Request, **kwargs):
        self.dsar = dsar
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the admin's own widgets: calendar, short text areas
            if isinstance(field, forms.DateField):
                field.widget = AdminDateWidget()
            elif isinstance(field.widget, forms.Textarea):
                field.widget.attrs.update({"rows": 3, "cols": 60})

    def perform(self, actor) -> Done:
        raise NotImplementedError

    def facts(self) -> list[tuple[str, str]]:
        """Lines shown above the form, beside the request and the person (a number to call...)."""
        return []

    def done(self, text, *, late: bool = False, **values) -> Done:
        """The success message, naming the request: "Identity verified for request #12"."""
        reference = _("request #%(id)s") % {"id": self.dsar.pk}  # inside a sentence: "for request #12"
        return Done(message=capfirst(text % {"request": reference, **values}), late=late)


@dataclass(frozen=True)
class Done:
    """What an action did, in a sentence; ``late``: information asked more than 3 working days after
    receipt (R1.4.2), which the admin adds as a warning."""

    message: str
    late: bool = False


class NoteForm(ActionForm):
    title = _("Add a note")
    text = forms.CharField(label=_("Note"), widget=forms.Textarea)

    def perform(self, actor) -> str:
        services.request_add_note(request=self.dsar, text=self.cleaned_data["text"], actor=actor)
        return self.done(_("Note added to %(request)s."))


class TransitionForm(ActionForm):
    title = _("Change state")
    to_state = forms.ChoiceField(label=_("New state"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, required=False)

    def __init__(self, *args, dsar: Request, **kwargs):
        super().__init__(*args, dsar=dsar, **kwargs)
        # Closures are the DPO's own actions (decide, close-withdrawn, close-unverified).
        allowed = TRANSITIONS.get(dsar.state, frozenset()) - DPO_ONLY_STATES - {State.AWAITING_INFO}
        self.fields["to_state"].choices = [(s.value, s.label) for s in State if s in allowed]

    def perform(self, actor) -> str:
        services.request_transition(
            request=self.dsar, to_state=self.cleaned_data["to_state"], reason=self.cleaned_data["reason"], actor=actor
        )
        self.dsar.refresh_from_db()
        return self.done(_("%(request)s is now “%(state)s”."), state=self.dsar.get_state_display())


class AskInformationForm(ActionForm):
    title = _("Ask for clarification (clock paused, Recital 63)")
    asked_on = forms.DateField(label=_("Asked on"), initial=timezone.localdate)
    send_letter = forms.BooleanField(label=_("Send the clarification letter"), required=False, initial=True)

    def perform(self, actor):
        result = services.request_ask_information(
            request=self.dsar,
            reason=ClockPause.Reason.CLARIFICATION,
            actor=actor,
            asked_on=self.cleaned_data["asked_on"],
        )
        if self.cleaned_data["send_letter"]:
            letter_send(request=self.dsar, kind=Letter.Kind.CLARIFICATION_REQUEST, actor=actor)
        return self.done(_("Clarification asked for %(request)s: the clock is paused."), late=result.late)


class InformationReceivedForm(ActionForm):
    title = _("Information received (clock resumes)")
    received_on = forms.DateField(label=_("Received on"), initial=timezone.localdate)

    def perform(self, actor) -> str:
        request = services.request_information_received(
            request=self.dsar, actor=actor, received_on=self.cleaned_data["received_on"]
        )
        return self.done(
            _("Information received for %(request)s: the clock resumes; due on %(due)s."),
            due=date_format(request.due_on, "SHORT_DATE_FORMAT"),
        )


class IdentityStartForm(ActionForm):
    title = _("Verify identity (Art. 12(6))")
    permission = "requests_dsar.verify_identity"
    doubt_reason = forms.CharField(label=_("Reasonable doubt (Art. 12(6))"), widget=forms.Textarea)
    method = forms.ChoiceField(
        label=_("Verification method, in order of preference (EDPB Guidelines 01/2022, §§72-75)"),
        choices=IdentityCheck.Method.choices,
        widget=forms.RadioSelect,
    )
    document_justification = forms.CharField(
        label=_("DPO justification for a document check (EDPB Guidelines 01/2022, §§73-79)"),
        widget=forms.Textarea,
        required=False,
    )
    asked_on = forms.DateField(label=_("Asked on"), initial=timezone.localdate)

    def __init__(self, *args, dsar: Request, **kwargs):
        super().__init__(*args, dsar=dsar, **kwargs)
        self.fields["method"].initial = default_identity_method(dsar)

    def facts(self) -> list[tuple[str, str]]:
        subject = self.dsar.subject if self.dsar.subject_id else None
        return [
            (_("E-mail on file"), (subject.email if subject else "") or "—"),
            (_("Phone on file"), (subject.phone if subject else "") or "—"),
        ]

    def perform(self, actor):
        started = services.identity_check_start(
            request=self.dsar,
            method=self.cleaned_data["method"],
            doubt_reason=self.cleaned_data["doubt_reason"],
            document_justification=self.cleaned_data["document_justification"],
            asked_on=self.cleaned_data["asked_on"],
            actor=actor,
        )
        texts = {
            IdentityCheck.Method.PLATFORM_SESSION: _("Identity verified for %(request)s (authenticated session)."),
            IdentityCheck.Method.EMAIL_LINK: _(
                "Identity check started for %(request)s: a one-time link was e-mailed to the address on file; "
                "the clock is paused until it is followed."
            ),
            IdentityCheck.Method.PHONE_CALLBACK: _(
                "Identity check started for %(request)s: call the number on file, then record the callback."
            ),
            IdentityCheck.Method.DOCUMENT: _(
                "Identity check started for %(request)s: record the document checked once it is seen."
            ),
        }
        return self.done(texts[started.check.method], late=started.late)


def default_identity_method(dsar: Request) -> str:
    """The method staff would pick first for this channel (R1.5.2): a callback for a phone request,
    the session for a platform ticket, a one-time link to the address on file otherwise; never the
    authenticated session for a request that did not come through it."""
    subject = dsar.subject if dsar.subject_id else None
    has_phone, has_email = bool(subject and subject.phone), bool(subject and subject.email)
    method = IdentityCheck.Method
    if dsar.channel == ContactChannel.PLATFORM_TICKET:
        return method.PLATFORM_SESSION
    if dsar.channel == ContactChannel.PHONE and (has_phone or not has_email):
        return method.PHONE_CALLBACK
    if has_email:
        return method.EMAIL_LINK
    if has_phone:
        return method.PHONE_CALLBACK
    return method.DOCUMENT


class IdentityDocumentForm(ActionForm):
    title = _("Record the document checked (type only, never a copy)")
    permission = "requests_dsar.verify_identity"
    check = forms.ModelChoiceField(label=_("Identity check"), queryset=IdentityCheck.objects.none())
    document_type = forms.ChoiceField(label=_("Document type"), choices=IdentityCheck.DocumentType.choices)
    copy_received_and_deleted = forms.BooleanField(
        label=_("A copy arrived by e-mail and I have deleted it (mailbox and attachments)"), required=False
    )

    def __init__(self, *args, dsar: Request, **kwargs):
        super().__init__(*args, dsar=dsar, **kwargs)
        self.fields["check"].queryset = dsar.identity_checks.filter(
            method=IdentityCheck.Method.DOCUMENT, status=IdentityCheck.Status.PENDING
        )

    def perform(self, actor) -> str:
        services.identity_check_record_document(
            check=self.cleaned_data["check"],
            document_type=self.cleaned_data["document_type"],
            copy_received_and_deleted=self.cleaned_data["copy_received_and_deleted"],
            actor=actor,
        )
        return self.done(
            _(
                "Identity verified for %(request)s; any copy received must now be deleted "
                "(EDPB Guidelines 01/2022, §§73-79)."
            )
        )


class IdentityCallbackForm(ActionForm):
    title = _("Record the callback to the number on file (EDPB Guidelines 01/2022, §§72-75)")
    permission = "requests_dsar.verify_identity"
    check = forms.ModelChoiceField(label=_("Identity check"), queryset=IdentityCheck.objects.none())
    confirmed = forms.TypedChoiceField(
        label=_("Outcome of the call"),
        choices=[
            ("1", _("I called the number on file and the person confirmed the request")),
            ("", _("The person reached on the number on file did not confirm the request")),
        ],
        coerce=bool,
        required=False,
    )

    def __init__(self, *args, dsar: Request, **kwargs):
        super().__init__(*args, dsar=dsar, **kwargs)
        self.fields["check"].queryset = dsar.identity_checks.filter(
            method=IdentityCheck.Method.PHONE_CALLBACK, status=IdentityCheck.Status.PENDING
        )
        pending = list(self.fields["check"].queryset[:2])
        if len(pending) == 1:
            self.fields["check"].initial = pending[0].pk

    def facts(self) -> list[tuple[str, str]]:
        # The number already on file, never one the requester gives now (R1.5.2).
        subject = self.dsar.subject if self.dsar.subject_id else None
        return [(_("Number to call (on file)"), (subject.phone if subject else "") or _("no number on file"))]

    def perform(self, actor):
        check = services.identity_check_record_callback(
            check=self.cleaned_data["check"], confirmed=bool(self.cleaned_data["confirmed"]), actor=actor
        )
        if check.status == IdentityCheck.Status.VERIFIED:
            return self.done(_("Identity verified for %(request)s by callback; the clock resumes."))
        return self.done(_("Callback recorded for %(request)s: identity not confirmed."))


class ExtendForm(ActionForm):
    title = _("Extend by two further months (Art. 12(3))")
    permission = "requests_dsar.extend_request"
    reason = forms.ChoiceField(
        label=_("Reason (EDPB 01/2022 §163)"),
        choices=Extension.Reason.choices,
        help_text=_("A large effort alone does not make a request complex (§164). Extensions are tracked (§162)."),
    )
    explanation = forms.CharField(label=_("Explanation sent to the requester"), widget=forms.Textarea)

    def perform(self, actor) -> str:
        services.request_extend(
            request=self.dsar,
            reason=self.cleaned_data["reason"],
            explanation=self.cleaned_data["explanation"],
            actor=actor,
        )
        return self.done(_("%(request)s extended by two months; the notice was sent to the requester."))


class DecideForm(ActionForm):
    """The DPO's answer: grant, grant in part or refuse. The reasons and a ground are asked for the
    rights refused only (Art. 12(4)); a grant needs the rights carried out (R1.6.3)."""

    title = _("DPO decision")
    permission = "requests_dsar.decide_request"
    GRANT, PART, REFUSE = "grant", "part", "refuse"
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (GRANT, _("Grant: every right asked is carried out")),
            (PART, _("Grant in part: refuse some of the rights asked")),
            (REFUSE, _("Refuse every right asked")),
        ],
        initial=GRANT,
        widget=forms.RadioSelect,
        required=False,  # inferred from the grounds chosen when left empty
    )
    justification = forms.CharField(
        label=_("Reasons for the refusal, sent to the requester"),
        widget=forms.Textarea,
        required=False,
        help_text=_(
            "Required for a refusal (Art. 12(4)). Refusal grounds are read narrowly (§175); a one-year interval is "
            "never excessive (§185); effort, tone, no stated reason or an intent to sue do not make a request "
            "excessive (§§188-189)."
        ),
    )

    def __init__(self, *args, dsar: Request, **kwargs):
        super().__init__(*args, dsar=dsar, **kwargs)
        self.items = list(dsar.items.all())
        labels = dict(RefusalGround.choices)
        self.refusable = []
        for item in self.items:
            grounds = GROUNDS_BY_RIGHT.get(item.right, frozenset())
            if not grounds:
                continue  # Art. 21(2)-(3), Art. 7(3): no ground may be selected (R1.6.5)
            self.refusable.append(item)
            self.fields[f"ground_{item.pk}"] = forms.ChoiceField(
                label=_("Ground for refusing “%(right)s”") % {"right": item.get_right_display()},
                choices=[("", _("— not refused —"))] + [(g, labels[g]) for g in RefusalGround.values if g in grounds],
                required=False,
            )
            self.fields[f"why_{item.pk}"] = forms.CharField(
                label=_("Reasons for this right, if they differ"), required=False
            )
        if len(self.items) < 2:
            self.fields["outcome"].choices = [
                choice for choice in self.fields["outcome"].choices if choice[0] != self.PART
            ]

    @property
    def sections(self) -> list[tuple[str, list[str], str]]:
        refusal_fields = [name for item in self.refusable for name in (f"ground_{item.pk}", f"why_{item.pk}")]
        sections = [(_("Decision"), ["outcome"], "")]
        if refusal_fields:
            sections.append(
                (
                    _("Only for a refusal, in full or in part"),
                    ["justification", *refusal_fields],
                    _("Leave empty when every right is granted."),
                )
            )
        else:
            sections.append((_("Only for a refusal"), ["justification"], ""))
        return sections

    def clean(self):
        cleaned = super().clean()
        refused = [item for item in self.refusable if cleaned.get(f"ground_{item.pk}")]
        outcome = cleaned.get("outcome") or (
            self.GRANT if not refused else self.REFUSE if len(refused) == len(self.items) else self.PART
        )
        cleaned["outcome"] = outcome
        if outcome == self.GRANT:
            for item in self.refusable:
                cleaned[f"ground_{item.pk}"] = ""
            refused = []
        elif outcome == self.REFUSE:
            unrefusable = [item for item in self.items if item not in self.refusable]
            if unrefusable:
                raise ValidationError(
                    _("“%(right)s” cannot be refused: no refusal ground exists for it (Art. 12(4)).")
                    % {"right": unrefusable[0].get_right_display()}
                )
            for item in self.refusable:
                if not cleaned.get(f"ground_{item.pk}"):
                    self.add_error(f"ground_{item.pk}", _("Choose the ground for refusing this right."))
        elif outcome == self.PART:
            if not refused:
                raise ValidationError(_("Choose the ground of at least one right refused."))
            if len(refused) == len(self.items):
                raise ValidationError(_("Every right is refused: choose “Refuse every right asked”."))
        if outcome in (self.PART, self.REFUSE) and not (cleaned.get("justification") or "").strip():
            self.add_error("justification", _("Write the reasons for the refusal (Art. 12(4))."))
        if not self.errors:
            granted = [item for item in self.items if item not in refused]
            missing = services.missing_fulfilment(request=self.dsar, items=granted)
            if missing:
                raise ValidationError([_("A right cannot be granted before it is carried out. Missing:"), *missing])
        return cleaned

    def perform(self, actor):
        refusals = [
            services.ItemRefusal(
                item=item,
                ground=self.cleaned_data[f"ground_{item.pk}"],
                justification=self.cleaned_data[f"why_{item.pk}"],
            )
            for item in self.refusable
            if self.cleaned_data.get(f"ground_{item.pk}")
        ]
        justification = self.cleaned_data["justification"].strip()
        if not refusals and not justification:
            justification = str(_("Granted: every right asked has been carried out."))
        request = services.request_decide(
            request=self.dsar, refusals=refusals, justification=justification, actor=actor
        )
        return self.done(_("Decision recorded for %(request)s: %(state)s."), state=request.get_state_display())


class CloseUnverifiedForm(ActionForm):
    title = _("Close: identity never verified")
    permission = "requests_dsar.decide_request"
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)

    def perform(self, actor) -> str:
        services.request_close_unverified(request=self.dsar, reason=self.cleaned_data["reason"], actor=actor)
        return self.done(_("%(request)s closed: identity never verified."))


class CloseWithdrawnForm(ActionForm):
    title = _("Close: withdrawn by the requester (DPO)")
    permission = "requests_dsar.decide_request"
    reason = forms.CharField(label=_("How and when the requester withdrew"), widget=forms.Textarea)

    def perform(self, actor) -> str:
        services.request_transition(
            request=self.dsar, to_state=State.WITHDRAWN, reason=self.cleaned_data["reason"], actor=actor
        )
        return self.done(_("%(request)s closed as withdrawn."))


class FeeForm(ActionForm):
    title = _("Fee for further copies (Art. 15(3))")
    permission = "requests_dsar.charge_fee"
    further_copy = forms.BooleanField(
        label=_("This is a further copy of the same data (a new scope or period is a new, free request)"),
        required=False,
    )
    amount = forms.DecimalField(label=_("Amount (EUR), administrative costs"), max_digits=8, decimal_places=2)
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea)

    def perform(self, actor) -> str:
        services.request_charge_fee(
            request=self.dsar,
            amount=self.cleaned_data["amount"],
            further_copy=self.cleaned_data["further_copy"],
            justification=self.cleaned_data["justification"],
            actor=actor,
        )
        return self.done(_("Fee recorded for %(request)s; the fee notice was sent to the requester."))


class LetterForm(ActionForm):
    title = _("Send a letter")
    permission = "requests_dsar.send_letter"
    kind = forms.ChoiceField(
        label=_("Letter"),
        choices=[
            (k.value, k.label)
            for k in (Letter.Kind.ACKNOWLEDGEMENT, Letter.Kind.IDENTITY_REQUEST, Letter.Kind.RESPONSE)
        ],
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def __init__(self, *args, dsar: Request, **kwargs):
        super().__init__(*args, dsar=dsar, **kwargs)
        self.fields["language"].initial = dsar.language

    def perform(self, actor) -> str:
        letter = letter_send(
            request=self.dsar, kind=self.cleaned_data["kind"], language=self.cleaned_data["language"], actor=actor
        )
        if self.dsar.contact_email:
            return self.done(
                _("“%(letter)s” written for %(request)s and kept as PDF; its e-mail is queued."),
                letter=letter.get_kind_display(),
            )
        return self.done(
            _("“%(letter)s” written for %(request)s and kept as PDF: no e-mail address, post it."),
            letter=letter.get_kind_display(),
        )


class ExportBuildForm(ActionForm):
    title = _("Build the exports (access PDF + JSON, portability zip)")
    kinds = forms.MultipleChoiceField(
        label=_("Formats (Art. 15(3), 20(1))"), choices=ExportJob.Kind.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, dsar: Request, **kwargs):
        super().__init__(*args, dsar=dsar, **kwargs)
        allowed = export_services.kinds_for_request(dsar)
        self.fields["kinds"].choices = [(k.value, k.label) for k in ExportJob.Kind if k.value in allowed]
        self.fields["kinds"].initial = allowed

    def perform(self, actor) -> str:
        jobs = export_services.export_jobs_create(request=self.dsar, kinds=self.cleaned_data["kinds"], actor=actor)
        if not jobs:
            return _("These exports already exist; see the Exports section.")
        if export_services.export_jobs_waiting_for_queue(job.pk for job in jobs):  # T9: broker down
            return _(
                "Exports saved but not started: the task queue cannot be reached. They are queued and will "
                "start when the worker is back; their status shows in the Exports section."
            )
        return _("Exports queued: a worker builds them; their status shows in the Exports section.")


class SourceSearchForm(ActionForm):
    """The checklist of R1.7.1: staff record, for systems of the register, what the search found."""

    title = _("Record the data sources searched (Art. 15)")
    permission = services.SEARCH_PERMISSION
    sources = forms.MultipleChoiceField(
        label=_("Systems of the register searched"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every system the register of processing names (Art. 30(1)): the answer covers them all."),
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=SourceSearch.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Where the data was found, or why the system does not apply to the person."),
    )

    def __init__(self, *args, dsar: Request, **kwargs):
        super().__init__(*args, dsar=dsar, **kwargs)
        rows = searches.checklist(dsar)
        self.fields["sources"].choices = [(row.system.name, row.system.name) for row in rows]
        self.fields["sources"].initial = [row.system.name for row in rows if not row.searched]

    def facts(self) -> list[tuple[str, str]]:
        remaining = searches.sources_remaining(self.dsar)
        return [(_("Not searched yet"), ", ".join(remaining) or _("none: every source is searched"))]

    def perform(self, actor) -> Done:
        recorded = services.source_search_record(
            request=self.dsar,
            sources=self.cleaned_data["sources"],
            outcome=self.cleaned_data["outcome"],
            note=self.cleaned_data["note"],
            actor=actor,
        )
        return self.done(
            _("%(count)s data source(s) recorded as searched for %(request)s: %(outcome)s."),
            count=len(recorded),
            outcome=SourceSearch.Outcome(self.cleaned_data["outcome"]).label,
        )


class ExportSendForm(ActionForm):
    title = _("Approve and send the exports to the data subject (DPO)")
    permission = "requests_dsar.approve_export"
    confirm = forms.BooleanField(
        label=_(
            "I have checked the exports (content, redactions under Art. 15(4)) and approve sending the signed "
            "download link to the requester's e-mail address."
        )
    )

    def perform(self, actor):
        jobs = export_services.export_approve_and_send(request=self.dsar, actor=actor)
        if any(job.redaction_count for job in jobs):
            text = _(
                "Download link queued for e-mail; the Exports section shows when it left. Some third-party data "
                "was redacted: this is a partial refusal to record with its reasons (Art. 12(4))."
            )
        else:
            text = _("Download link queued for e-mail; the Exports section shows when it left.")
        # Art. 12(3): the answer is complete once the link has left; the page then offers to close.
        return Done(message=f"{text} {_('Next step: close the request once the e-mail has left.')}")


class RectificationForm(ActionForm):
    title = _("Propose a rectification (Art. 16)")
    permission = RECTIFY_PERMISSION
    rights = frozenset({Right.RECTIFICATION})
    field_name = forms.ChoiceField(label=_("Field"), choices=Rectification._meta.get_field("field_name").choices)
    proposed_value = forms.CharField(label=_("Value the person asks for"))
    accuracy_contested = forms.BooleanField(
        label=_("The person contests the accuracy of the data (restriction to offer, Art. 18(1)(a))"), required=False
    )

    def perform(self, actor) -> str:
        fulfilment.rectification_from_request(
            request=self.dsar,
            changes={self.cleaned_data["field_name"]: self.cleaned_data["proposed_value"]},
            accuracy_contested=self.cleaned_data["accuracy_contested"],
            actor=actor,
        )
        return _("Rectification proposed; apply or reject it after checking (Art. 16).")


class RestrictionForm(ActionForm):
    title = _("Place a restriction (Art. 18) (DPO)")
    permission = RESTRICTION_PERMISSION
    rights = frozenset({Right.RESTRICTION, Right.RECTIFICATION, Right.OBJECTION})
    ground = forms.ChoiceField(label=_("Ground (Art. 18(1))"), choices=Restriction.Ground.choices)

    def perform(self, actor) -> str:
        fulfilment.restriction_from_request(request=self.dsar, ground=self.cleaned_data["ground"], actor=actor)
        return _("Restriction placed: only storage is allowed while it is in force (Art. 18(2)).")


class ObjectionForm(ActionForm):
    title = _("Record the objection (Art. 21)")
    permission = "subjects.add_objection"
    rights = frozenset({Right.OBJECTION, Right.OBJECTION_MARKETING})
    channel = forms.ChoiceField(
        label=_("Marketing channel objected to (Art. 21(2))"),
        choices=[(Objection.ALL_CHANNELS, _("All channels"))]
        + [(c.value, c.label) for c in ConsentChannel if c in MARKETING_CHANNELS],
        required=False,
    )
    processing = forms.CharField(
        label=_("Processing objected to (Art. 21(1)), register code e.g. P08"), max_length=200, required=False
    )

    def perform(self, actor) -> str:
        fulfilment.objection_from_request(
            request=self.dsar,
            channel=self.cleaned_data["channel"] or Objection.ALL_CHANNELS,
            processing=self.cleaned_data["processing"],
            actor=actor,
        )
        return self.done(_("Objection recorded for %(request)s."))


class ObjectionDecideForm(ActionForm):
    title = _("Decide the Art. 21(1) objection (DPO)")
    permission = RESTRICTION_PERMISSION
    rights = frozenset({Right.OBJECTION})
    objection = forms.ModelChoiceField(label=_("Objection"), queryset=Objection.objects.none())
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[
            ("1", _("Upheld: processing stops")),
            ("", _("Not upheld: compelling legitimate grounds or legal claims demonstrated")),
        ],
        coerce=bool,
        required=False,
    )
    notice = forms.CharField(
        label=_("Notice to the person before the restriction is lifted (Art. 18(3))"),
        widget=forms.Textarea,
        required=False,
    )

    def __init__(self, *args, dsar: Request, **kwargs):
        super().__init__(*args, dsar=dsar, **kwargs)
        self.fields["objection"].queryset = Objection.objects.filter(
            request=dsar, kind=Objection.Kind.LEGITIMATE_INTEREST, status=Objection.Status.PENDING
        )

    def perform(self, actor) -> str:
        fulfilment.objection_decide_from_request(
            request=self.dsar,
            objection=self.cleaned_data["objection"],
            upheld=bool(self.cleaned_data["upheld"]),
            notice=self.cleaned_data["notice"],
            actor=actor,
        )
        return self.done(_("Objection decided for %(request)s."))


class WithdrawalForm(ActionForm):
    title = _("Record the withdrawal of consent (Art. 7(3))")
    permission = "consents.add_consentevent"
    rights = frozenset({Right.CONSENT_WITHDRAWAL})
    channel = forms.ChoiceField(label=_("Consent withdrawn"), choices=ConsentChannel.choices)

    def perform(self, actor) -> str:
        fulfilment.withdrawal_from_request(request=self.dsar, channel=self.cleaned_data["channel"], actor=actor)
        return self.done(_("Withdrawal of consent recorded for %(request)s."))


class PostMortemForm(ActionForm):
    title = _("Register a post-mortem directive or a death (LIL art. 85)")
    permission = "subjects.add_postmortemdirective"
    rights = frozenset({Right.POST_MORTEM})
    kind = forms.ChoiceField(label=_("Kind"), choices=PostMortemDirective.Kind.choices, required=False)
    instruction = forms.ChoiceField(
        label=_("Instruction"), choices=PostMortemDirective.Instruction.choices, required=False
    )
    content_summary = forms.CharField(label=_("Content summary"), widget=forms.Textarea, required=False)
    designated_person_name = forms.CharField(label=_("Designated person"), max_length=200, required=False)
    designated_person_email = forms.EmailField(label=_("Designated person's e-mail"), required=False)
    specific_consent = forms.BooleanField(label=_("Specific consent given for this directive"), required=False)
    died_on = forms.DateField(label=_("Or: date of death (applies the directive, LIL art. 85)"), required=False)
    evidence_type = forms.ChoiceField(
        label=_("Evidence of death"), choices=[("", "—"), *DeathRecord.Evidence.choices], required=False
    )

    def perform(self, actor) -> str:
        data = self.cleaned_data
        if data["died_on"] is not None:
            fulfilment.post_mortem_from_request(
                request=self.dsar, died_on=data["died_on"], evidence_type=data["evidence_type"], actor=actor
            )
            return self.done(_("Death recorded for %(request)s."))
        fulfilment.post_mortem_from_request(
            request=self.dsar,
            kind=data["kind"],
            instruction=data["instruction"],
            content_summary=data["content_summary"],
            designated_person_name=data["designated_person_name"],
            designated_person_email=data["designated_person_email"],
            specific_consent=data["specific_consent"],
            actor=actor,
        )
        return self.done(_("Post-mortem directive registered for %(request)s."))


class TransmitForm(ActionForm):
    """R1.8.4: the approved portability export, sent to the controller the person named (Art. 20(2))."""

    title = _("Transmit to another controller (Art. 20(2))")
    permission = transmissions.PERMISSION
    rights = frozenset({Right.PORTABILITY})
    controller_name = forms.CharField(label=_("Receiving controller"), max_length=200)
    controller_email = forms.EmailField(
        label=_("Receiving controller's e-mail"), help_text=_("The contact address the person gave.")
    )
    note = forms.CharField(
        label=_("Note to the receiving controller"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Added to the e-mail; write nothing about the person (the data is behind the link)."),
    )
    confirm = forms.BooleanField(
        label=_(
            "The person asked for their data to be transmitted directly to this controller (Art. 20(2)), "
            "and I have checked the portability export."
        )
    )

    def perform(self, actor):
        transmission = transmissions.transmission_create(
            request=self.dsar,
            controller_name=self.cleaned_data["controller_name"],
            controller_email=self.cleaned_data["controller_email"],
            note=self.cleaned_data["note"],
            actor=actor,
        )
        return self.done(
            _(
                "Link to the portability export of %(request)s queued for e-mail to %(controller)s; "
                "the transmissions under Documents show when it left and when it was downloaded."
            ),
            controller=transmission.controller_name,
        )


class RevokeTransmissionForm(ActionForm):
    title = _("Revoke a transmission to another controller (Art. 20(2))")
    permission = transmissions.PERMISSION
    rights = frozenset({Right.PORTABILITY})
    transmission = forms.ModelChoiceField(label=_("Transmission"), queryset=PortabilityTransmission.objects.none())

    @classmethod
    def applies_to(cls, dsar: Request) -> bool:
        # One query whatever the request (a transmission exists only on a portability request).
        return dsar.transmissions.filter(revoked_at__isnull=True).exists()

    def __init__(self, *args, dsar: Request, **kwargs):
        super().__init__(*args, dsar=dsar, **kwargs)
        field = self.fields["transmission"]
        field.queryset = dsar.transmissions.filter(revoked_at__isnull=True).select_related("export_job")
        field.label_from_instance = lambda t: (
            _("%(controller)s <%(email)s>, %(state)s")
            % {
                "controller": t.controller_name,
                "email": t.controller_email,
                "state": t.get_state_display(),
            }
        )
        live = list(field.queryset[:2])
        if len(live) == 1:
            field.initial = live[0].pk

    def perform(self, actor):
        transmission = transmissions.transmission_revoke(transmission=self.cleaned_data["transmission"], actor=actor)
        return self.done(
            _("Transmission of %(request)s to %(controller)s revoked: its link no longer works."),
            controller=transmission.controller_name,
        )


ACTIONS: dict[str, type[ActionForm]] = {
    "note": NoteForm,
    "transition": TransitionForm,
    "ask-information": AskInformationForm,
    "information-received": InformationReceivedForm,
    "identity": IdentityStartForm,
    "identity-document": IdentityDocumentForm,
    "identity-callback": IdentityCallbackForm,
    "letter": LetterForm,
    "extend": ExtendForm,
    "decide": DecideForm,
    "close-unverified": CloseUnverifiedForm,
    "close-withdrawn": CloseWithdrawnForm,
    "fee": FeeForm,
    "sources": SourceSearchForm,
    "exports": ExportBuildForm,
    "send-exports": ExportSendForm,
    "transmit": TransmitForm,
    "revoke-transmission": RevokeTransmissionForm,
    "rectification": RectificationForm,
    "restriction": RestrictionForm,
    "objection": ObjectionForm,
    "objection-decide": ObjectionDecideForm,
    "withdrawal": WithdrawalForm,
    "post-mortem": PostMortemForm,
}
