"""The data sources searched for a request (R1.7.1, R1.16.1).

Before an access request is answered, staff go through every system the register lists (the
software and systems of each processing activity, ``consents.ProcessingActivity.software``) and
record, per system, what they found: data, nothing, or that the system does not apply to the
person. Append-only: searching a system again adds a row, the latest counts. The note is staff
free text: the request file's disposal blanks it (``requests_dsar.sources``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.written_in import writing_language, written_in_field

from .request import Request


class SourceSearch(models.Model):
    class Outcome(models.TextChoices):
        FOUND = "found", _("Data found")
        NOTHING = "nothing", _("Nothing found")
        NOT_APPLICABLE = "not_applicable", _("Not applicable to this person")

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="source_searches", verbose_name=_("request")
    )
    source = models.CharField(
        _("data source"), max_length=200, help_text=_("A system named in the register of processing (Art. 30(1)).")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    written_in = written_in_field()
    searched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    searched_by_username = models.CharField(_("searched by"), max_length=150, blank=True)
    searched_at = models.DateTimeField(_("searched at"), default=timezone.now)

    class Meta:
        verbose_name = _("data source searched")
        verbose_name_plural = _("data sources searched")
        ordering = ["searched_at", "id"]
        default_permissions = ("add", "view")

    def __str__(self) -> str:
        return _("Search #%(id)s") % {"id": self.pk}

    def save(self, *args, **kwargs):
        if self.note and not self.written_in:
            self.written_in = writing_language()
        super().save(*args, **kwargs)
