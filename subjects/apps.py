from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectsConfig(AppConfig):
    name = "subjects"
    verbose_name = _("Data subjects")

    def ready(self) -> None:
        from consents.selectors import register_marketing_block
        from ijinus_privacy import jobs
        from ijinus_privacy.personal_data import registry

        from .import_jobs import MAX_ATTEMPTS, import_job_dispatch
        from .models import ImportJob
        from .restrictions import marketing_block
        from .sources import SOURCES

        for source_class in SOURCES:
            registry.register(source_class())
        register_marketing_block(marketing_block)  # restricted subjects are never selected (R1.11.3)
        jobs.register(ImportJob, dispatch=import_job_dispatch, max_attempts=MAX_ATTEMPTS)
