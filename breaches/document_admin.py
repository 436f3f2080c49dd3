"""Admin URLs and buttons for the breach documents (helper B)."""


class BreachDocumentsAdminMixin:
    pass
