from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsDsarConfig(AppConfig):
    name = "requests_dsar"
    verbose_name = _("Data-subject requests")

    def ready(self) -> None:
        from ijinus_privacy.personal_data import registry

        from .sources import DisclosureSource, RequestFileSource

        registry.register(RequestFileSource())
        registry.register(DisclosureSource())
