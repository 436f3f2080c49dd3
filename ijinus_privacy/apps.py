from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IjinusPrivacyConfig(AppConfig):
    name = "ijinus_privacy"
    verbose_name = _("Accountability")

    def ready(self) -> None:
        from . import checks, roles, signals, staff_language, sweepers  # noqa: F401  (checks; login auditing and language)
        from .audit_retention import sweep_audit_events

        # The retention rule "logs" applies the audit trail's retention (R5.1.3).
        sweepers.register("ijinus_privacy.logs", sweep_audit_events)

        post_migrate.connect(roles.roles_sync_after_migrate, sender=self)
