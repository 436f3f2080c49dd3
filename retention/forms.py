"""The form in front of every opening of archived data (R4.4.2): a reason chosen on purpose."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import CASE_REFERENCE_VALIDATOR, AccessReason
from .services import archive_access_reason


class ArchiveConsultForm(forms.Form):
    """No reason is pre-selected; dispute, authority and data-subject reasons need a file number."""

    reason = forms.ChoiceField(
        label=_("Reason for this consultation"),
        choices=[("", _("— choose a reason —")), *AccessReason.choices],
        help_text=_(
            "Archived data is consulted occasionally and for a stated reason only (Art. 5(1)(b) and (e) GDPR)."
        ),
    )
    reference = forms.CharField(
        label=_("Case or file number"),
        required=False,
        max_length=40,
        validators=[CASE_REFERENCE_VALIDATOR],
        help_text=_("Required for a dispute, an authority request or a data-subject request."),
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                archive_access_reason(reason=cleaned["reason"], reference=cleaned["reference"])
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned
