from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsDsarConfig(AppConfig):
    name = "requests_dsar"
    verbose_name = _("Data-subject requests")

    def ready(self) -> None:
        from ijinus_privacy import conditions, jobs, sweepers
        from ijinus_privacy.personal_data import registry
        from subjects import admission
        from subjects.signals import subject_data_changed

        from . import letters  # noqa: F401  (registers its outbox hooks)
        from .erasure.admission import TombstoneList, own_act_of_request_number
        from .erasure.notifications import notify_recipients_of_change
        from .exports import (
            delivery,  # noqa: F401  (registers its outbox hooks)
            transmission,  # noqa: F401  (registers its outbox hook)
        )
        from .exports.services import MAX_ATTEMPTS, export_dispatch
        from .models import ExportJob, open_request_exists
        from .sources import DisclosureSource, RequestFileSource
        from .sweepers import sweep_export_files, sweep_request_files

        subject_data_changed.connect(notify_recipients_of_change, dispatch_uid="art19_notifications")

        registry.register(RequestFileSource())
        registry.register(DisclosureSource())
        # A person with an open request is left alone by automatic jobs until it is answered (R1.7.7).
        conditions.register(conditions.AUTOMATIC_JOBS_SUSPENDED, open_request_exists)
        # The record sweeper named by the seeded retention rules (retention migration 0002).
        sweepers.register("requests_dsar.export_files", sweep_export_files)
        sweepers.register("requests_dsar.request_files", sweep_request_files)
        # Erased people stay out unless their own new request lets them in (R1.10.7).
        admission.register_refusal_list(TombstoneList())
        admission.register_own_act_lookup("request", own_act_of_request_number)
        jobs.register(ExportJob, dispatch=export_dispatch, max_attempts=MAX_ATTEMPTS)
