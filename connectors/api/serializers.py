"""What each endpoint accepts and answers. Field errors come back in the caller's language (Accept-Language)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from consents.models import MARKETING_CHANNELS, Channel, ConsentEvent, Notice
from ijinus_privacy.choices import ContactChannel, Language
from ijinus_privacy.identifiers import normalise_email
from requests_dsar.models import IdentityCheck, Right, State
from subjects.models import ProductFamily

# A collection point or mechanism the system itself uses (expiry) is never declared by a caller.
COLLECTION_POINTS = [(value, label) for value, label in ConsentEvent.CollectionPoint.choices if value != "system"]
MECHANISMS = [(value, label) for value, label in ConsentEvent.Mechanism.choices if value != "automatic"]
ACTIONS = [(value, label) for value, label in ConsentEvent.Action.choices if value != "expired"]
ENTERED_BY = [(value, label) for value, label in ConsentEvent.EnteredBy.choices if value != "system"]
IDENTITY_METHODS = [
    (IdentityCheck.Method.PLATFORM_SESSION.value, IdentityCheck.Method.PLATFORM_SESSION.label),
    (IdentityCheck.Method.EMAIL_LINK.value, IdentityCheck.Method.EMAIL_LINK.label),
]


class EmailInput(serializers.EmailField):
    def to_internal_value(self, data):
        return normalise_email(super().to_internal_value(data))


class ConsentEventInput(serializers.Serializer):
    """A consent event or a withdrawal, with the proof the admin and the import ask for (Art. 7(1) GDPR)."""

    email = EmailInput(max_length=254, help_text=_("The person's e-mail address: it finds or adds the person."))
    first_names = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=Channel.choices)
    action = serializers.ChoiceField(choices=ACTIONS)
    notice = serializers.PrimaryKeyRelatedField(
        queryset=Notice.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Id of the notice version shown (consent wording); required for a choice (Art. 7(1) GDPR)."),
    )
    collection_point = serializers.ChoiceField(choices=COLLECTION_POINTS)
    collection_detail = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    interface_version = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    mechanism = serializers.ChoiceField(choices=MECHANISMS)
    entered_by = serializers.ChoiceField(choices=ENTERED_BY, required=False, default="subject")
    staff_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    requested_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    confirmed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    ip_address = serializers.IPAddressField(required=False, allow_null=True, allow_blank=True, default=None)
    language = serializers.ChoiceField(choices=Language.choices, required=False, allow_blank=True, default="")


class ConsentEventOutput(serializers.Serializer):
    recorded = serializers.BooleanField(help_text=_("False when the person had already withdrawn: nothing new."))
    event = serializers.IntegerField(allow_null=True, help_text=_("Id of the consent event recorded."))
    channel = serializers.CharField()
    action = serializers.CharField()
    suppressed = serializers.BooleanField(help_text=_("The e-mail is on the suppression list for this channel."))


class RequestLogInput(serializers.Serializer):
    """A data-subject request, with the intake rules of the admin (Art. 12(3) GDPR: the clock starts on receipt)."""

    received_on = serializers.DateField(help_text=_("The day the request reached IJINUS (Art. 12(3) GDPR)."))
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    rights = serializers.ListField(child=serializers.ChoiceField(choices=Right.choices), min_length=1)
    details = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    requester_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    requester_email = EmailInput(required=False, allow_blank=True, default="")
    requester_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    requester_address = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=Language.choices, required=False, allow_blank=True, default="")
    representative_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    representative_authority = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    oral_summary = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    identity = serializers.ChoiceField(
        choices=IDENTITY_METHODS,
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "How identity is checked (Art. 12(6) GDPR): platform_session when the person was signed in to the "
            "platform, email_link to send a one-time link to the address on file; empty: staff decide."
        ),
    )


class RequestStatusOutput(serializers.Serializer):
    reference = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField()
    received_on = serializers.DateField()
    due_on = serializers.DateField(allow_null=True, help_text=_("The answer is due by this day (open requests)."))
    closed_on = serializers.DateField(allow_null=True)
    rights = serializers.ListField(child=serializers.CharField())
    expected = serializers.CharField(help_text=_("What is expected from the person: nothing, identity, clarification."))
    expected_label = serializers.CharField()
    identity_check = serializers.CharField(allow_null=True)


class MarketableInput(serializers.Serializer):
    email = EmailInput(max_length=254)
    channel = serializers.ChoiceField(choices=[(channel.value, channel.label) for channel in MARKETING_CHANNELS])
    product_family = serializers.ChoiceField(
        choices=ProductFamily.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The product family the campaign promotes (soft opt-in, CPCE L.34-5)."),
    )


class MarketableOutput(serializers.Serializer):
    channel = serializers.CharField()
    marketable = serializers.BooleanField()
