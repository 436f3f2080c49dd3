"""Forms behind the request's admin actions; each one ends in a single service call."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from consents.models import MARKETING_CHANNELS
from consents.models import Channel as ConsentChannel
from ijinus_privacy.choices import Language
from subjects.models import DeathRecord, Objection, PostMortemDirective, Rectification, Restriction
from subjects.services.rectification import RECTIFY_PERMISSION
from subjects.services.restriction import MANAGE_PERMISSION as RESTRICTION_PERMISSION

from . import fulfilment, services
from .exports import services as export_services
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
    RefusalGround,
    Request,
    Right,
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

    def perform(self, actor) -> str:
        raise NotImplementedError


class NoteForm(ActionForm):
    title = _("Add a note")
    text = forms.CharField(label=_("Note"), widget=forms.Textarea)

    def perform(self, actor) -> str:
        services.request_add_note(request=self.dsar, text=self.cleaned_data["text"], actor=actor)
        return _("Note added.")


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
        return _("State changed.")


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
        return result


class InformationReceivedForm(ActionForm):
    title = _("Information received (clock resumes)")
    received_on = forms.DateField(label=_("Received on"), initial=timezone.localdate)

    def perform(self, actor) -> str:
        request = services.request_information_received(
            request=self.dsar, actor=actor, received_on=self.cleaned_data["received_on"]
        )
        return _("Clock resumed; due on %(due)s.") % {"due": date_format(request.due_on, "SHORT_DATE_FORMAT")}


class IdentityStartForm(ActionForm):
    title = _("Verify identity (Art. 12(6))")
    permission = "requests_dsar.verify_identity"
    doubt_reason = forms.CharField(label=_("Reasonable doubt (Art. 12(6))"), widget=forms.Textarea)
    method = forms.ChoiceField(
        label=_("Method, in order of preference (EDPB Guidelines 01/2022, §§72-75)"),
        choices=IdentityCheck.Method.choices,
    )
    document_justification = forms.CharField(
        label=_("DPO justification for a document check (EDPB Guidelines 01/2022, §§73-79)"),
        widget=forms.Textarea,
        required=False,
    )
    asked_on = forms.DateField(label=_("Asked on"), initial=timezone.localdate)

    def perform(self, actor):
        return services.identity_check_start(
            request=self.dsar,
            method=self.cleaned_data["method"],
            doubt_reason=self.cleaned_data["doubt_reason"],
            document_justification=self.cleaned_data["document_justification"],
            asked_on=self.cleaned_data["asked_on"],
            actor=actor,
        )


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
        return _("Identity verified; any copy received must now be deleted (EDPB Guidelines 01/2022, §§73-79).")


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

    def perform(self, actor) -> str:
        check = services.identity_check_record_callback(
            check=self.cleaned_data["check"], confirmed=bool(self.cleaned_data["confirmed"]), actor=actor
        )
        if check.status == IdentityCheck.Status.VERIFIED:
            return _("Identity verified by callback; the clock resumes.")
        return _("Callback recorded: identity not confirmed.")


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
        return _("Extended; the notice was sent.")


class DecideForm(ActionForm):
    title = _("DPO decision")
    permission = "requests_dsar.decide_request"
    justification = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea,
        help_text=_(
            "Refusal grounds are read narrowly (§175); a one-year interval is never excessive (§185); effort, "
            "tone, no stated reason or an intent to sue do not make a request excessive (§§188-189)."
        ),
    )

    def __init__(self, *args, dsar: Request, **kwargs):
        super().__init__(*args, dsar=dsar, **kwargs)
        self.items = list(dsar.items.all())
        labels = dict(RefusalGround.choices)
        for item in self.items:
            grounds = GROUNDS_BY_RIGHT.get(item.right, frozenset())
            self.fields[f"ground_{item.pk}"] = forms.ChoiceField(
                label=_("Refuse “%(right)s” on the ground") % {"right": item.get_right_display()},
                choices=[("", _("— grant —"))] + [(g, labels[g]) for g in RefusalGround.values if g in grounds],
                required=False,
            )
            self.fields[f"why_{item.pk}"] = forms.CharField(label=_("Why"), required=False)

    def clean(self):
        cleaned = super().clean()
        granted = [item for item in self.items if not cleaned.get(f"ground_{item.pk}")]
        missing = services.missing_fulfilment(request=self.dsar, items=granted)
        if missing:
            raise ValidationError([_("A right cannot be granted before it is carried out. Missing:"), *missing])
        return cleaned

    def perform(self, actor) -> str:
        refusals = [
            services.ItemRefusal(
                item=item,
                ground=self.cleaned_data[f"ground_{item.pk}"],
                justification=self.cleaned_data[f"why_{item.pk}"],
            )
            for item in self.items
            if self.cleaned_data.get(f"ground_{item.pk}")
        ]
        request = services.request_decide(
            request=self.dsar, refusals=refusals, justification=self.cleaned_data["justification"], actor=actor
        )
        return _("Decision recorded: %(state)s.") % {"state": request.get_state_display()}


class CloseUnverifiedForm(ActionForm):
    title = _("Close: identity never verified")
    permission = "requests_dsar.decide_request"
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)

    def perform(self, actor) -> str:
        services.request_close_unverified(request=self.dsar, reason=self.cleaned_data["reason"], actor=actor)
        return _("Request closed.")


class CloseWithdrawnForm(ActionForm):
    title = _("Close: withdrawn by the requester (DPO)")
    permission = "requests_dsar.decide_request"
    reason = forms.CharField(label=_("How and when the requester withdrew"), widget=forms.Textarea)

    def perform(self, actor) -> str:
        services.request_transition(
            request=self.dsar, to_state=State.WITHDRAWN, reason=self.cleaned_data["reason"], actor=actor
        )
        return _("Request closed as withdrawn.")


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
        return _("Fee recorded.")


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
        letter_send(
            request=self.dsar, kind=self.cleaned_data["kind"], language=self.cleaned_data["language"], actor=actor
        )
        if self.dsar.contact_email:
            return _("Letter kept as PDF; its e-mail is queued.")
        return _("Letter sent and kept as PDF.")


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


class ExportSendForm(ActionForm):
    title = _("Approve and send the exports to the data subject (DPO)")
    permission = "requests_dsar.approve_export"
    confirm = forms.BooleanField(
        label=_(
            "I have checked the exports (content, redactions under Art. 15(4)) and approve sending the signed "
            "download link to the requester's e-mail address."
        )
    )

    def perform(self, actor) -> str:
        jobs = export_services.export_approve_and_send(request=self.dsar, actor=actor)
        if any(job.redaction_count for job in jobs):
            return _(
                "Download link queued for e-mail; the Exports section shows when it left. Some third-party data "
                "was redacted: this is a partial refusal to record with its reasons (Art. 12(4))."
            )
        return _("Download link queued for e-mail; the Exports section shows when it left.")


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
        return _("Objection recorded.")


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
        return _("Objection decided.")


class WithdrawalForm(ActionForm):
    title = _("Record the withdrawal of consent (Art. 7(3))")
    permission = "consents.add_consentevent"
    rights = frozenset({Right.CONSENT_WITHDRAWAL})
    channel = forms.ChoiceField(label=_("Consent withdrawn"), choices=ConsentChannel.choices)

    def perform(self, actor) -> str:
        fulfilment.withdrawal_from_request(request=self.dsar, channel=self.cleaned_data["channel"], actor=actor)
        return _("Withdrawal recorded.")


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
            return _("Death recorded.")
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
        return _("Directive registered.")


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
    "exports": ExportBuildForm,
    "send-exports": ExportSendForm,
    "rectification": RectificationForm,
    "restriction": RestrictionForm,
    "objection": ObjectionForm,
    "objection-decide": ObjectionDecideForm,
    "withdrawal": WithdrawalForm,
    "post-mortem": PostMortemForm,
}
