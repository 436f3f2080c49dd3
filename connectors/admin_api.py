"""API clients in the admin: the DPO issues a key (shown once), sees when it was last used, revokes it.

Thin: ``connectors.services.api_keys`` writes and audits. A client is never edited or deleted: to
change its scopes, issue a new key and revoke the old one (the audit trail keeps both).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ijinus_privacy.admin import adopt_created

from .models import ApiClient, Scope
from .services import api_keys


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only what this system needs (Art. 5(1)(c) and 32 GDPR)."),
    )

    class Meta:
        model = ApiClient
        fields = ("name", "description", "scopes", "expires_at", "rate_limit")

    def clean(self):
        cleaned = super().clean()
        if "scopes" in cleaned:
            api_keys.api_client_issue_check(
                scopes=cleaned["scopes"],
                expires_at=cleaned.get("expires_at"),
                rate_limit=cleaned.get("rate_limit") or "",
            )
        return cleaned


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ("name", "scope_list", "status", "key_prefix", "expires_at", "last_used_at", "created_at")
    list_filter = ("revoked_at",)
    search_fields = ("name",)
    actions = ["revoke"]
    readonly_fields = (
        "name",
        "description",
        "scope_list",
        "status",
        "key_prefix",
        "rate_limit",
        "expires_at",
        "created_at",
        "created_by_username",
        "last_used_at",
        "revoked_at",
        "revoked_by_username",
        "revocation_reason",
    )

    def get_fields(self, request, obj=None):
        return ApiClientForm.Meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_add_permission(self, request) -> bool:
        return request.user.has_perm("connectors.issue_apiclient")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("connectors.revoke_apiclient")

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("scopes"))
    def scope_list(self, obj: ApiClient) -> str:
        return ", ".join(obj.scopes or [])

    @admin.display(description=_("status"))
    def status(self, obj: ApiClient) -> str:
        if obj.revoked_at is not None:
            return _("Revoked")
        if obj.is_expired():
            return _("Expired")
        return _("Active")

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        data = form.cleaned_data
        client, key = api_keys.api_client_issue(
            name=data["name"],
            description=data.get("description", ""),
            scopes=data["scopes"],
            expires_at=data.get("expires_at"),
            rate_limit=data.get("rate_limit") or "",
            actor=request.user,
        )
        adopt_created(obj, client)
        request._api_key_issued = key

    def save_related(self, request, form, formsets, change):
        """Nothing else to save: the service wrote the client."""

    def response_add(self, request, obj, post_url_continue=None):
        """Show the key on this one page, never stored in a message or the session; not cached."""
        response = TemplateResponse(
            request,
            "admin/connectors/apiclient/key_issued.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "client": obj,
                "key": request._api_key_issued,
                "title": _("API key issued"),
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the keys of these clients (every later call gets 401)"), permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = sum(
            api_keys.api_client_revoke(client=client, actor=request.user, reason=str(_("Revoked in the admin")))
            for client in queryset
        )
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", revoked) % {"count": revoked},
            messages.SUCCESS,
        )
