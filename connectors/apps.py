from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorsConfig(AppConfig):
    """Other systems: the HTTP API, the connected systems that hold personal data, webhooks."""

    name = "connectors"
    verbose_name = _("Connected systems")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from consents.models import ConsentEvent
        from ijinus_privacy.personal_data import registry as sources
        from requests_dsar import connected
        from retention import forwarding

        from . import admin_webhooks, emailing, ijitrack, webhooks  # noqa: F401  (admin_webhooks: its admin)
        from .contract import registry as connectors
        from .services import completion_gate, notification_carry, sweep_forwarded, tasks_for_change, tasks_for_sweep
        from .sources import ConnectedSystemsSource

        connectors.register(ijitrack.IjitrackConnector)
        connectors.register(emailing.EmailingConnector)
        connectors.register(webhooks.WebhookConnector)
        # Rights carried out here are carried out in every active connected system too; a request
        # is granted only once each of them confirmed or the DPO waived it; Art. 19 notifications
        # to a recipient that is a connected system go through its connector.
        connected.register_listener(tasks_for_change)
        connected.register_completion_gate(completion_gate)
        connected.register_notification_carrier(notification_carry)
        # People the retention sweep deletes or anonymises are erased there too, and the sweep's page
        # follows the confirmations (R4.7.2, Art. 28(3)(g)).
        forwarding.register_listener(tasks_for_sweep)
        forwarding.register_reporter(sweep_forwarded)
        # The data collected from the connected systems is part of the access export (Art. 15).
        sources.register(ConnectedSystemsSource())
        # An unsubscription outside any request (the one-click link, the consent admin) too.
        from .receivers import consent_event_saved

        post_save.connect(consent_event_saved, sender=ConsentEvent, dispatch_uid="connectors_unsubscription_sync")
