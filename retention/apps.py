from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        from consents.selectors import register_marketing_block
        from consents.sweepers import sweep_inactive_client_marketing
        from ijinus_privacy import jobs
        from requests_dsar.sweepers import sweep_export_files
        from subjects.sweepers import sweep_assumed_interests, sweep_navigation_records

        from . import sweepers
        from .models import archived_subject_exists, held_subject_exists
        from .services.sweeping import sweep_runs_recover

        # The record sweepers named by the seeded rules (migration 0002); each lives with its model.
        sweepers.register("subjects.navigation_records", sweep_navigation_records)
        sweepers.register("subjects.assumed_interests", sweep_assumed_interests)
        sweepers.register("consents.inactive_client_marketing", sweep_inactive_client_marketing)
        sweepers.register("requests_dsar.export_files", sweep_export_files)
        # Archived or held people are never marketed to (R4.4.2, R4.5.3).
        register_marketing_block(archived_subject_exists)
        register_marketing_block(held_subject_exists)
        # A run whose process died is marked interrupted by beat within minutes (ijinus_privacy/jobs.py).
        jobs.register_recoverer(sweep_runs_recover)
