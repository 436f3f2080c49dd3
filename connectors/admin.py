from .admin_api import ApiClientAdmin

__all__ = ["ApiClientAdmin"]
