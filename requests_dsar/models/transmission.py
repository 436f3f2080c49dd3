"""Portability exports sent directly to another controller at the person's request (Art. 20(2); WP242).

A ``PortabilityTransmission`` names the receiving controller (its name and the contact address the
person gave) and the approved portability export it carries. The controller receives, through the
durable outbox, a link to a public page holding a random token; only a keyed hash of the token is
stored (like the subject's download codes), so the database alone cannot open the link. The link
expires, can be revoked by the DPO, and every download is counted and audited. ``__str__`` never
shows personal data.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.actors import user_fk
from ijinus_privacy.written_in import written_in_field

from .request import ExportJob, Request


class PortabilityTransmission(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("E-mail queued")
        SENT = "sent", _("Sent")
        DOWNLOADED = "downloaded", _("Downloaded")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="transmissions", verbose_name=_("request")
    )
    export_job = models.ForeignKey(
        ExportJob, on_delete=models.CASCADE, related_name="transmissions", verbose_name=_("portability export")
    )
    controller_name = models.CharField(_("receiving controller"), max_length=200)
    controller_email = models.EmailField(
        _("receiving controller's e-mail"), help_text=_("The contact address the person gave.")
    )
    note = models.TextField(_("note to the receiving controller"), blank=True)
    written_in = written_in_field()
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = user_fk(_("created by"))
    created_by_username = models.CharField(_("created by"), max_length=150, blank=True)
    expires_at = models.DateTimeField(_("link expires at"))
    sent_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    first_downloaded_at = models.DateTimeField(_("first downloaded at"), null=True, blank=True)
    last_downloaded_at = models.DateTimeField(_("last downloaded at"), null=True, blank=True)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by_username = models.CharField(_("revoked by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("transmission to another controller")
        verbose_name_plural = _("transmissions to other controllers (Art. 20(2))")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return _("Transmission #%(id)s") % {"id": self.pk}

    def state_at(self, now=None) -> str:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return self.State.REVOKED
        if now >= self.expires_at or self.export_job.purged_at is not None:
            return self.State.EXPIRED
        if self.download_count:
            return self.State.DOWNLOADED
        return self.State.SENT if self.sent_at is not None else self.State.QUEUED

    @property
    def state(self) -> str:
        return self.state_at()

    def get_state_display(self) -> str:
        return self.State(self.state).label

    @property
    def is_live(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.SENT, self.State.DOWNLOADED)
