from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Right, WebSubmission


def readable_text(value: str) -> None:
    """Refuse text that did not arrive as readable characters.

    A body in another encoding than UTF-8 is decoded with U+FFFD replacement marks; control characters
    have no place in a name either (NUL has Django's own message).
    """
    if "\ufffd" in value or any(ord(char) < 32 and char not in "\t\n\r\x00" for char in value):
        raise ValidationError(_("Some characters could not be read. Please type this field again."), code="unreadable")


class PublicRequestForm(forms.Form):
    """The public page: no reason is asked, nothing beyond what identifies the request (R1.6.1).

    Lengths are the model's, so that every answer the form accepts can be stored.
    """

    rights = forms.MultipleChoiceField(
        label=_("What would you like to do?"), choices=Right.choices, widget=forms.CheckboxSelectMultiple
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=WebSubmission._meta.get_field("email").max_length,
        help_text=_("We send you a link to confirm it."),
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=WebSubmission._meta.get_field("name").max_length,
        required=False,
        validators=[readable_text],
    )
    details = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=5000,
        validators=[readable_text],
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Anything that helps us find your data. You do not need to give a reason."),
    )
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot
