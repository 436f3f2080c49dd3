"""API clients and the public references of the requests they log (issue 15, the HTTP API).

A client is a system of IJINUS (the website, the ijitrack platform, the e-mailing tool) that calls
``/api/v1/`` with its own key. The DPO issues and revokes keys in the admin
(``connectors.services.api_keys``). The key is shown once, at issue; only its prefix (to find the
client) and its SHA-256 (to check it) are kept. A key of 256 random bits needs no slow hash: the
hash cannot be reversed, and a leaked table does not open the API.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ijinus_privacy import actors


class Scope(models.TextChoices):
    """What a key may do; a call outside its scopes gets 403."""

    CONSENTS_WRITE = "consents:write", _("Record consents and withdrawals")
    CONSENTS_READ = "consents:read", _("Read whether an e-mail may receive marketing on a channel")
    REQUESTS_WRITE = "requests:write", _("Log data-subject requests")
    REQUESTS_READ = "requests:read", _("Read a request's status by its public reference")


class ApiClientQuerySet(models.QuerySet):
    def active(self, *, now=None) -> ApiClientQuerySet:
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiClient(models.Model):
    name = models.SlugField(
        _("name"),
        max_length=50,
        unique=True,
        help_text=_(
            "Which system calls with this key (website, ijitrack, emailing); it names the calls in the audit trail."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    scopes = models.JSONField(_("scopes"), default=list)
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, editable=False)
    rate_limit = models.CharField(
        _("rate limit"),
        max_length=20,
        blank=True,
        help_text=_("Calls allowed, e.g. 120/minute or 5000/day; empty: the default of the settings (API_RATE_LIMIT)."),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    created_by = actors.user_fk(_("issued by"))
    created_by_username = models.CharField(_("issued by"), max_length=150, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = actors.user_fk(_("revoked by"))
    revoked_by_username = models.CharField(_("revoked by"), max_length=150, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]
        permissions = [
            ("issue_apiclient", _("Issue API keys (DPO)")),
            ("revoke_apiclient", _("Revoke API keys (DPO)")),
        ]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def is_expired(self, *, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired()

    @property
    def actor(self) -> actors.System:
        """Who acts in the services, the audit trail and the request timelines: ``system:api:<name>``."""
        return actors.system(f"api:{self.name}")


class ApiRequestReference(models.Model):
    """The public reference of a request logged through the API, for a "my request" page.

    Random and unguessable (it opens the request's status, nothing personal); never the request's id.
    """

    reference = models.CharField(_("public reference"), max_length=32, unique=True)
    request = models.OneToOneField(
        "requests_dsar.Request", on_delete=models.CASCADE, related_name="api_reference", verbose_name=_("request")
    )
    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, related_name="request_references", verbose_name=_("API client")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("request reference (API)")
        verbose_name_plural = _("request references (API)")

    def __str__(self) -> str:
        return self.reference


__all__ = ["ApiClient", "ApiRequestReference", "Scope"]
