"""connectors: the API clients (``api``), the connected systems and their tasks (``systems``), webhook
deliveries (``webhooks``)."""

from .api import ApiClient, ApiRequestReference, Scope
from .systems import Action, ConnectedSystem, ConnectedSystemQuerySet, ConnectorTask, ConnectorTaskQuerySet
from .webhooks import WebhookDelivery

__all__ = [
    "Action",
    "ApiClient",
    "ApiRequestReference",
    "ConnectedSystem",
    "ConnectedSystemQuerySet",
    "ConnectorTask",
    "ConnectorTaskQuerySet",
    "Scope",
    "WebhookDelivery",
]
