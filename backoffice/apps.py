from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The top floor: the admin site and the DPO's dashboard that compose every app, and the demo.

    Nothing below imports from here (docs/architecture.md); it has no models.
    """

    name = "backoffice"
    verbose_name = _("Back office")

    def ready(self) -> None:
        from . import person_parts  # noqa: F401  (registers the person's page sections of requests and consents)
