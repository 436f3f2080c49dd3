from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorsConfig(AppConfig):
    """Other systems: the HTTP API, the connected systems that hold personal data, webhooks."""

    name = "connectors"
    verbose_name = _("Connected systems")

    def ready(self) -> None:
        from . import admin_webhooks, webhooks  # noqa: F401  (the webhook kind and its deliveries' admin)
