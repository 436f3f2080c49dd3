from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsDsarConfig(AppConfig):
    name = "requests_dsar"
    verbose_name = _("Data-subject requests")

    def ready(self) -> None:
        from ijinus_privacy import jobs
        from ijinus_privacy.personal_data import registry
        from subjects.signals import subject_data_changed

        from . import letters  # noqa: F401  (registers its outbox hooks)
        from .erasure.notifications import notify_recipients_of_change
        from .exports import delivery  # noqa: F401  (registers its outbox hooks)
        from .exports.services import MAX_ATTEMPTS, export_dispatch
        from .models import ExportJob
        from .sources import DisclosureSource, RequestFileSource

        subject_data_changed.connect(notify_recipients_of_change, dispatch_uid="art19_notifications")

        registry.register(RequestFileSource())
        registry.register(DisclosureSource())
        jobs.register(ExportJob, dispatch=export_dispatch, max_attempts=MAX_ATTEMPTS)
