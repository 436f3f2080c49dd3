from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IjinusPrivacyConfig(AppConfig):
    name = "ijinus_privacy"
    verbose_name = _("Accountability")

    def ready(self) -> None:
        from . import checks, roles, signals, staff_language  # noqa: F401  (checks; login auditing and language)

        post_migrate.connect(roles.roles_sync_after_migrate, sender=self)
