"""The person's page: one screen customer service answers a phone call from (issue 16).

A summary on top (who the person is, the roles they hold, what stops us using their data), then
one section per part of their file. The identity, roles and relationship data are this app's
(the change form and its inlines); the parts other apps know (their requests, current consents,
legal holds, what retention does with their data) are **person parts** that the apps above
register with ``register_person_part`` (in ``AppConfig.ready()`` or their admin module), so this
module never imports them (docs/architecture.md).

A part provider reads one person in a fixed number of queries, whatever the size of their file:
the page is held to a query budget (``tests/subjects/test_person_page.py``).

The same short label names the person in the admin's person picker (the autocomplete of every
link to a person) and on this page, so that three people named Bouchet can be told apart:
name, e-mail, city and roles. ``DataSubject.__str__`` stays a number: it is what breadcrumbs,
logs and the audit trail use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import admission
from .models import DataSubject, DeathRecord, Objection, SubjectRole


@dataclass
class PersonAction:
    """A link offered from the person's page ("Log a new request", "Consent history")."""

    label: Any
    url: str
    primary: bool = False


@dataclass
class PersonBanner:
    """A state that changes what may be done with the person's data, shown above everything."""

    text: Any
    level: str = "warning"  # "warning" (stop and read) or "info"
    url: str = ""


@dataclass
class PersonPart:
    """One section of the person's page, read for one person by the app that owns it.

    ``template`` renders ``part`` (this object) and ``rows``; an empty part is shown collapsed,
    with ``empty_text``. ``order`` places it among the others (smaller first).
    """

    key: str
    title: Any
    template: str
    rows: Sequence[Any] = ()
    empty_text: Any = ""
    order: int = 100
    actions: list[PersonAction] = field(default_factory=list)
    banners: list[PersonBanner] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.rows)


PartProvider = Callable[[Any, DataSubject], PersonPart | None]
_providers: list[PartProvider] = []


def register_person_part(provider: PartProvider) -> PartProvider:
    """Add a section to the person's page: ``provider(request, subject)`` returns a ``PersonPart``
    (or ``None`` when this user may not see it). It checks the user's permission before reading."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def person_parts(request, subject: DataSubject) -> list[PersonPart]:
    parts = [part for part in (provider(request, subject) for provider in _providers) if part is not None]
    return sorted(parts, key=lambda part: part.order)


# --- The label -----------------------------------------------------------------------------------


def roles_prefetch() -> Prefetch:
    """The roles, in a fixed order, for ``person_label`` (one query for a whole page of people)."""
    return Prefetch("roles", queryset=SubjectRole.objects.order_by("role", "pk"), to_attr="roles_held")


def roles_of(subject: DataSubject) -> list[SubjectRole]:
    held = getattr(subject, "roles_held", None)
    if held is None:
        held = subject.roles_held = list(subject.roles.order_by("role", "pk"))
    return held


def role_names(subject: DataSubject) -> list[str]:
    return [str(role.get_role_display()) for role in roles_of(subject)]


def person_label(subject: DataSubject) -> str:
    """``Claire Bouchet · claire.bouchet@exemple.fr · Lyon · Active client, Newsletter subscriber · n° 12``."""
    name = " ".join(part for part in (subject.first_names, subject.last_name) if part)
    place = subject.city or subject.postal_code
    roles = ", ".join(role_names(subject)) or str(_("no role"))
    parts = [name or str(_("(no name)")), subject.email, place, roles, f"n° {subject.pk}"]
    return " · ".join(part for part in parts if part)


class PersonRawIdWidget(widgets.ForeignKeyRawIdWidget):
    """The person box of a record's page (a contract, a rectification, a legal hold...), labelled
    with ``person_label`` instead of the number alone."""

    def label_and_url_for_value(self, value):
        if value in (None, ""):
            return "", ""
        try:
            subject = DataSubject.objects.filter(pk=value).prefetch_related(roles_prefetch()).first()
        except (ValueError, TypeError, ValidationError):
            return "", ""
        if subject is None:
            return "", ""
        return person_label(subject), reverse(f"{self.admin_site.name}:subjects_datasubject_change", args=[subject.pk])


class PersonLabelledAdminMixin:
    """For admins of records hanging on a person: their person box shows ``person_label``, whether it
    is a number box (``raw_id_fields``) or the person picker (``autocomplete_fields``: the person
    chosen reads as the picker's results do, not "Data subject #12")."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.raw_id_fields and db_field.related_model is DataSubject:
            kwargs["widget"] = PersonRawIdWidget(db_field.remote_field, self.admin_site, using=kwargs.get("using"))
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.related_model is DataSubject and db_field.name in self.autocomplete_fields:
            field.label_from_instance = person_label
        return field


# --- The summary ---------------------------------------------------------------------------------


def own_banners(subject: DataSubject) -> list[PersonBanner]:
    """What this app knows stops or limits the use of the person's data: an objection upheld or
    pending (Art. 21), a recorded death (LIL art. 85), and whether their e-mail or phone is on a
    refusal list of the admission gate (an erasure tombstone, Art. 17; the suppression list,
    Art. 21(3)). The restriction banner (Art. 18) is the change form's own."""
    banners: list[PersonBanner] = []
    objections = Objection.objects.filter(
        subject=subject, status__in=[Objection.Status.PENDING, Objection.Status.UPHELD, Objection.Status.APPLIED]
    ).order_by("received_at", "pk")
    for objection in objections:
        text = _("Objection (%(kind)s): %(status)s") % {
            "kind": objection.get_kind_display(),
            "status": objection.get_status_display(),
        }
        if objection.channel:
            text = f"{text} — {objection.channel}"
        banners.append(PersonBanner(text=text))
    if subject.deceased_on or DeathRecord.objects.filter(subject=subject).exists():
        banners.append(
            PersonBanner(
                text=_("Deceased: apply the post-mortem directives (LIL art. 85); no marketing, no new processing.")
            )
        )
    refusals = admission.admission_refusals([(subject.email, subject.phone)]).get(0, [])
    for refusal in refusals:
        if refusal.list_name == "tombstones":
            text = _("Matches an erasure (Art. 17), not lifted by the person's own act: %(reason)s") % {
                "reason": refusal.text
            }
        else:
            text = _("Suppression list (Art. 21(3)): %(reason)s") % {"reason": refusal.text}
        banners.append(PersonBanner(text=text))
    return banners


def summary(subject: DataSubject) -> dict[str, Any]:
    return {
        "name": " ".join(part for part in (subject.first_names, subject.last_name) if part),
        "roles": role_names(subject),
        "label": person_label(subject),
    }


def own_actions(request, subject: DataSubject) -> list[PersonAction]:
    """The rights this app records, offered for this person: rectify (Art. 16), restrict (Art. 18)."""
    offered = (
        ("subjects.add_rectification", "admin:subjects_rectification_add", _("Propose a rectification (Art. 16)")),
        ("subjects.add_restriction", "admin:subjects_restriction_add", _("Restrict processing (Art. 18)")),
    )
    return [
        PersonAction(label=label, url=f"{reverse(url_name)}?subject={subject.pk}")
        for permission, url_name, label in offered
        if request.user.has_perm(permission)
    ]


def page_context(request, subject: DataSubject) -> dict[str, Any]:
    """What ``templates/admin/subjects/datasubject/change_form.html`` shows above and around the form."""
    parts = person_parts(request, subject)
    banners = own_banners(subject)
    actions: list[PersonAction] = []
    for part in parts:
        banners.extend(part.banners)
        actions.extend(part.actions)
    return {
        "person": summary(subject),
        "person_banners": banners,
        "person_actions": sorted([*actions, *own_actions(request, subject)], key=lambda action: not action.primary),
        "person_parts": parts,
    }


def collapse_inlines(inline_admin_formsets: Iterable[Any], *, open_when_filled: Iterable[str] = ()) -> list[dict]:
    """Collapse the inline sections: all of them, except those of ``open_when_filled`` (model
    labels) that have rows; an empty section is always collapsed. Returns each section's title,
    anchor and row count, for the line that sums up the relationship data.

    The formsets have already read their rows for the page, so this costs no query; a section
    with an error stays open (Django's ``is_collapsible``).
    """
    open_when_filled = set(open_when_filled)
    counts = []
    for inline in inline_admin_formsets:
        formset = inline.formset
        rows = formset.initial_form_count()
        keep_open = rows and formset.model._meta.label_lower in open_when_filled
        if not keep_open and "collapse" not in inline.classes.split():
            inline.classes = f"{inline.classes} collapse".strip()
        counts.append({"title": inline.opts.verbose_name_plural, "anchor": f"{formset.prefix}-group", "count": rows})
    return counts
