from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectsConfig(AppConfig):
    name = "subjects"
    verbose_name = _("Data subjects")

    def ready(self) -> None:
        from ijinus_privacy import conditions, jobs, sweepers
        from ijinus_privacy.personal_data import registry

        from .import_jobs import MAX_ATTEMPTS, import_job_dispatch
        from .models import ImportJob
        from .services.restriction import automated_jobs_block, marketing_block
        from .sources import SOURCES
        from .sweepers import sweep_assumed_interests, sweep_navigation_records

        for source_class in SOURCES:
            registry.register(source_class())
        # Restricted people are never selected for marketing nor touched by automatic jobs (R1.11.3).
        conditions.register(conditions.MARKETING_BLOCKED, marketing_block)
        conditions.register(conditions.AUTOMATIC_JOBS_SUSPENDED, automated_jobs_block)
        # The record sweepers named by the seeded retention rules (retention migration 0002).
        sweepers.register("subjects.navigation_records", sweep_navigation_records)
        sweepers.register("subjects.assumed_interests", sweep_assumed_interests)
        jobs.register(ImportJob, dispatch=import_job_dispatch, max_attempts=MAX_ATTEMPTS)
