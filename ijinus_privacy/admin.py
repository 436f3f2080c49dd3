from collections.abc import Callable, Mapping
from functools import update_wrapper

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import audit, conditions
from .admin_scale import ScaledAdminMixin
from .models import AuditCheckpoint, AuditEvent, OutboxMessage


def adopt_created(obj: models.Model, created: models.Model) -> None:
    """Make the admin's unsaved ``obj`` the row a service wrote: its id, its values, saved.

    An admin ``save_model`` calls a service (which validates and audits) instead of ``obj.save()``;
    the admin then logs, messages and redirects with ``obj``, so ``obj`` must become that row.
    """
    for field in created._meta.concrete_fields:
        setattr(obj, field.attname, getattr(created, field.attname))
    obj._state.adding = False
    obj._state.db = created._state.db


class GuardedViewsMixin:
    """Custom admin views (``get_urls``) behind one gate: staff login, then the permission, then
    the view. The permission is checked before the view reads anything, so a user without it gets
    403 for an existing and a missing id alike (no existence oracle, nothing read, nothing logged).

    ``allowed(request, **url_kwargs)`` decides; by default the model's view permission.
    ``tests/ijinus_privacy/test_admin_urls.py`` walks every admin URL for every role.
    """

    def guarded_path(
        self,
        route: str,
        view: Callable,
        *,
        name: str,
        permission: str = "",
        allowed: Callable[..., bool] | None = None,
    ) -> URLPattern:
        """``permission`` ("app.codename") or ``allowed(request, **url_kwargs)`` decides; by default
        the model's view permission."""

        def check(request, **kwargs) -> bool:
            return request.user.has_perm(permission) if permission else self.has_view_permission(request)

        allowed = allowed or check

        def guarded(request, *args, **kwargs):
            if not allowed(request, **kwargs):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return path(route, self.admin_site.admin_view(update_wrapper(guarded, view)), name=name)


class ActionPagesMixin(GuardedViewsMixin):
    """One page per workflow step of an object, at ``<pk>/act/<slug>/`` (a request's decision, a
    breach's risk assessment, ...), behind the guard: the step's permission is checked before the
    object is read.

    ``action_forms`` maps a slug to a form class with ``title``, ``permission``,
    ``applies_to(obj)`` and ``perform(actor)`` (which calls a service); the form is built with the
    object as the keyword ``action_object_kwarg``. A refusal from the service is shown on the form,
    with what the user typed kept; success returns to the object's page with the service's message.
    """

    action_forms: Mapping[str, type] = {}
    action_object_kwarg = "obj"

    def action_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_act"

    def action_urls(self) -> list[URLPattern]:
        return [
            self.guarded_path(
                "<int:object_id>/act/<slug:action>/",
                self.action_view,
                name=self.action_url_name(),
                allowed=self.has_action_permission,
            )
        ]

    def has_action_permission(self, request, *, action: str, **kwargs) -> bool:
        form_class = self.action_forms.get(action)
        return (
            form_class is not None
            and self.has_view_permission(request)
            and request.user.has_perm(form_class.permission)
        )

    def available_actions(self, request, obj) -> list[tuple[str, str]]:
        """The steps this user may take on ``obj`` now: (slug, title), for the buttons."""
        if obj is None or obj.pk is None:
            return []
        return [
            (slug, form_class.title)
            for slug, form_class in self.action_forms.items()
            if request.user.has_perm(form_class.permission) and form_class.applies_to(obj)
        ]

    def action_facts(self, request, obj) -> list[tuple[str, str]]:
        """What the action page shows of the object above the form (a reference, a person's name)."""
        return [(capfirst(self.opts.verbose_name), str(obj))]

    def action_first_step(self, request, obj, action: str) -> dict | None:
        """What must be done before ``action`` can succeed on ``obj``: ``{"text", "url", "title"}``
        (``url`` may be empty), shown above the form and with a refusal; ``None`` when nothing is."""
        return None

    def action_succeeded(self, request, obj, result, *, title: str = "") -> None:
        """Tell the user what the step did: the sentence the form returns (a string, or an object
        with a ``message``), else which step was done on which object."""
        text = getattr(result, "message", result)
        if not isinstance(text, str | Promise):
            text = _("“%(step)s” done for %(object)s.") % {"step": title, "object": obj}
        self.message_user(request, text, messages.SUCCESS)

    def action_view(self, request, object_id: int, action: str):
        form_class = self.action_forms[action]  # known and permitted: checked by the guard before any lookup
        obj = self.get_object(request, str(object_id))
        if obj is None or not form_class.applies_to(obj):
            raise Http404
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        form = form_class(request.POST or None, **{self.action_object_kwarg: obj})
        if request.method == "POST" and form.is_valid():
            try:
                result = form.perform(request.user)
            except PermissionDenied as error:
                form.add_error(None, str(error) or _("You are not allowed to do this."))
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error.messages)
            else:
                self.action_succeeded(request, obj, result, title=form_class.title)
                return HttpResponseRedirect(change_url)
        facts = [*self.action_facts(request, obj), *(form.facts() if hasattr(form, "facts") else [])]
        context = {
            **self.admin_site.each_context(request),
            "title": form_class.title,
            "form": form,
            "object": obj,
            "object_label": str(obj),
            self.action_object_kwarg: obj,
            "opts": self.opts,
            "change_url": change_url,
            "media": self.media + form.media,
            "facts": facts,
            "first_step": self.action_first_step(request, obj, action),
            "form_sections": _form_sections(form),
        }
        return TemplateResponse(request, "admin/action_page.html", context)


def _form_sections(form) -> list[tuple[str, str, list]]:
    """The form's fields in titled groups when the form declares ``sections`` ((title, names,
    description), ...); otherwise one untitled group of every field."""
    sections = getattr(form, "sections", None)
    if not sections:
        return [("", "", list(form))]
    return [
        (title, description, [form[name] for name in names if name in form.fields])
        for title, names, description in sections
    ]


class ReadOnlyModelAdmin(ScaledAdminMixin, admin.ModelAdmin):
    """Rows written only by services (audit trail, timelines, proofs, run records): listed and
    opened, never added, changed or deleted in the admin. These tables grow without end, so their
    lists count, filter and search at scale (``admin_scale``)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose inputs carry their column's name (``aria-label``).

    Django's tabular inline names its columns in the table head, not on each input: a screen reader
    announces "edit text" for every cell (axe-core: label, select-name; WCAG 1.3.1, 4.1.2)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        for field in formset.form.base_fields.values():
            widget = getattr(field.widget, "widget", field.widget)  # inside the related-object wrapper
            if field.label:
                widget.attrs["aria-label"] = capfirst(field.label)
        return formset


class ReadOnlyInline(LabelledTabularInline):
    """The same, shown on a parent's page."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PersonalDataAdminMixin:
    """For admins of models holding personal data: opening a record is an audited view (R5.1.1)."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit.record(action=audit.Action.VIEW, actor=request.user, obj=obj)
        return response


class EraseThroughRequestMixin:
    """No delete page, button or bulk action: people, and records a legal keep protects, are erased
    through a request (Art. 17), whose workflow keeps invoices and payments in the archive (Art.
    17(3)(b), C. com. L.123-22) and leaves the erasure proof, tombstone and report letter. The change
    page links to logging that request instead."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        subject_id = None
        if obj is not None and obj.pk is not None:
            subject_id = obj.pk if obj._meta.label_lower == "subjects.datasubject" else getattr(obj, "subject_id", None)
        if subject_id is not None and request.user.has_perm("requests_dsar.add_request"):
            context["erase_through_request_url"] = reverse("admin:requests_dsar_request_add") + f"?subject={subject_id}"
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


class ActiveSubjectsOnlyMixin:
    """Lists and pages of data hanging on a person show people in the active base only (R4.4.2).

    Once archived, a person's roles, contracts, invoices, tickets, navigation records... leave every
    operational list, search and page: the Archivist reaches them through the archive, with a reason.
    ``tests/retention/test_archive.py`` fails when an admin of a model linked to a person lacks it.
    """

    subject_field = "subject"

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(conditions.holds(conditions.ARCHIVED, f"{self.subject_field}_id"))


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "occurred_at", "actor_username", "action", "object_type", "object_id", "subject_id", "reason")
    list_filter = ("action",)
    search_fields = ("=actor_username", "=object_id")
    search_number_fields = ("subject_id",)
    search_help_text = _("A subject number (123 or n° 123), a user name, or an object id.")
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    list_per_page = 100

    @admin.display(description=_("fields"))
    def field_names(self, obj: AuditEvent) -> str:
        return ", ".join(obj.fields)


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyModelAdmin):
    """The purged periods of the audit trail (R5.1.3): where each purge ended, signed."""

    list_display = ("id", "created_at", "cutoff", "first_event_id", "last_event_id", "purged_count", "key_id")
    readonly_fields = [field.name for field in AuditCheckpoint._meta.fields]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyModelAdmin):
    """What left and what did not, for the DPO (view permission: DPO only, ``roles.py``).

    Never the content: recipient, bodies and attachments stay encrypted and are emptied once sent.
    What a message carried is read where it belongs (the request, its letters and exports).
    """

    list_display = ("id", "purpose", "object_id", "state", "attempts", "created_at", "next_attempt_at", "sent_at")
    list_filter = ("state",)  # purposes are free text: a filter on them would scan for DISTINCT values
    search_fields = ("=object_id", "=purpose")
    search_help_text = _("An object id (a request or letter number) or a purpose (requests_dsar.letter).")
    fields = (
        "purpose",
        "object_id",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
    )
    readonly_fields = fields
    actions = ["retry"]

    @admin.action(description=_("Send the selected e-mails again now"), permissions=["retry"])
    def retry(self, request, queryset) -> None:
        from .outbox import outbox_retry

        done = 0
        for message in queryset.filter(state__in=[OutboxMessage.State.FAILED, OutboxMessage.State.QUEUED]):
            outbox_retry(message=message, actor=request.user)
            done += 1
        self.message_user(request, _("%(count)s e-mail(s) queued again.") % {"count": done}, messages.SUCCESS)

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("ijinus_privacy.retry_outboxmessage")


# Staff accounts (R5.2.1, R5.2.4): the administrator's page, without the keys to escalate.
from . import staff_admin  # noqa: E402, F401
