from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BreachesConfig(AppConfig):
    name = "breaches"
    verbose_name = _("Personal-data breaches")

    def ready(self) -> None:
        from ijinus_privacy.personal_data import registry

        from .sources import AffectedPersonSource

        registry.register(AffectedPersonSource())
