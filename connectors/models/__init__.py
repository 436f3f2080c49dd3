"""Models of the connected systems (DESIGN.md, layout: connectors/)."""

from .api import ApiClient, ApiRequestReference, Scope

__all__ = ["ApiClient", "ApiRequestReference", "Scope"]
