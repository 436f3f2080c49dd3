from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = _("Register and consents")

    def ready(self) -> None:
        from ijinus_privacy import jobs, sweepers
        from ijinus_privacy.personal_data import registry
        from subjects import admission

        from .admission import SuppressionList
        from .export import MAX_ATTEMPTS, register_pdf_job_dispatch
        from .models import RegisterExportJob
        from .sources import SOURCES
        from .sweepers import sweep_inactive_client_marketing

        # Suppressed people stay out unless their own new consent lets them in (R1.10.5, R1.13.3).
        admission.register_refusal_list(SuppressionList())
        for source_class in SOURCES:
            registry.register(source_class())
        # The record sweeper named by the seeded retention rules (retention migration 0002).
        sweepers.register("consents.inactive_client_marketing", sweep_inactive_client_marketing)
        # The register's PDF built in the background: beat re-publishes a job a dead worker left.
        jobs.register(RegisterExportJob, dispatch=register_pdf_job_dispatch, max_attempts=MAX_ATTEMPTS)
        # Re-consent on a substantive register change; policy-change e-mails marked sent (Art. 13-14).
        from .information_hooks import connect

        connect()
