"""Export of the request register (R1.16.1, R1.16.3) for the DPO and the CNIL.

Field allowlist: ids, dates, channel, rights, states and outcomes. No requester detail leaves
through this export; the request file itself is opened in the admin (and audited).
"""

from __future__ import annotations

from import_export import fields, resources

from .models import Request


class RequestRegisterResource(resources.ModelResource):
    rights = fields.Field(column_name="rights")
    extended = fields.Field(column_name="extended")
    identity_checked = fields.Field(column_name="identity_checked")

    class Meta:
        model = Request
        fields = (
            "id",
            "received_on",
            "channel",
            "state",
            "first_due_on",
            "ceiling_due_on",
            "due_on",
            "paused_days",
            "identity_request_late",
            "fee_amount",
            "closed_on",
            "rights",
            "extended",
            "identity_checked",
        )
        export_order = fields

    def get_queryset(self):
        return Request.objects.prefetch_related("items", "identity_checks").select_related("extension")

    def dehydrate_rights(self, request: Request) -> str:
        return " ".join(sorted(item.right for item in request.items.all()))

    def dehydrate_extended(self, request: Request) -> bool:
        return hasattr(request, "extension")

    def dehydrate_identity_checked(self, request: Request) -> bool:
        return any(check.status == "verified" for check in request.identity_checks.all())
