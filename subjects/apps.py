from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectsConfig(AppConfig):
    name = "subjects"
    verbose_name = _("Data subjects")

    def ready(self) -> None:
        from consents.selectors import register_marketing_block
        from ijinus_privacy.personal_data import registry

        from .restrictions import marketing_block
        from .sources import SOURCES

        for source_class in SOURCES:
            registry.register(source_class())
        register_marketing_block(marketing_block)  # restricted subjects are never selected (R1.11.3)
