from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Right


class PublicRequestForm(forms.Form):
    """The public page: no reason is asked, nothing beyond what identifies the request (R1.6.1)."""

    rights = forms.MultipleChoiceField(
        label=_("What would you like to do?"), choices=Right.choices, widget=forms.CheckboxSelectMultiple
    )
    email = forms.EmailField(label=_("Your e-mail address"), help_text=_("We send you a link to confirm it."))
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    details = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Anything that helps us find your data. You do not need to give a reason."),
    )
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot
