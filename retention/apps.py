from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        from ijinus_privacy import conditions, jobs
        from ijinus_privacy.personal_data import registry

        from .models import archived_subject_exists, held_subject_exists
        from .services.sweeping import sweep_runs_recover
        from .sources import ArchiveSource

        registry.register(ArchiveSource())
        # Archived people leave every operational list and are never marketed to (R4.4.2); people
        # under a legal hold are left alone by automatic jobs and never marketed to (R4.5.1, R4.5.3).
        conditions.register(conditions.ARCHIVED, archived_subject_exists)
        conditions.register(conditions.MARKETING_BLOCKED, archived_subject_exists)
        conditions.register(conditions.MARKETING_BLOCKED, held_subject_exists)
        conditions.register(conditions.AUTOMATIC_JOBS_SUSPENDED, held_subject_exists)
        conditions.register(conditions.HELD, held_subject_exists)
        # A run whose process died is marked interrupted by beat within minutes (ijinus_privacy/jobs.py).
        jobs.register_recoverer(sweep_runs_recover)
