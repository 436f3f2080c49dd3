from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = _("Register and consents")

    def ready(self) -> None:
        from ijinus_privacy.personal_data import registry

        from .sources import SOURCES

        for source_class in SOURCES:
            registry.register(source_class())
