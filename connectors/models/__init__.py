"""connectors: the connected systems and their tasks (``systems``)."""

from .systems import Action, ConnectedSystem, ConnectedSystemQuerySet, ConnectorTask, ConnectorTaskQuerySet

__all__ = ["Action", "ConnectedSystem", "ConnectedSystemQuerySet", "ConnectorTask", "ConnectorTaskQuerySet"]
from .webhooks import WebhookDelivery

__all__ += ["WebhookDelivery"]
