from . import admin_systems  # noqa: F401  (connected systems and their tasks)
from .admin_api import ApiClientAdmin

__all__ = ["ApiClientAdmin"]
