"""Retention's parts of the person's page (subjects.person_page, issue 16): their legal holds, and
when each role's data leaves the active base (Art. 5(1)(e)), from the enabled role rules.

Each part checks the user's view permission before reading, and reads one person in a fixed
number of queries.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from ijinus_privacy.dates import add_months
from subjects.models import DataSubject
from subjects.person_page import PersonAction, PersonBanner, PersonPart, register_person_part, roles_of

from .models import ROLE_TRIGGER_FIELDS, Action, LegalHold, RetentionRule, Scope


@register_person_part
def legal_holds_part(request, subject: DataSubject) -> PersonPart | None:
    """Holds in force first, then lifted ones (kept as proof); a hold in force is a banner (R4.5.1)."""
    user = request.user
    if not user.has_perm("retention.view_legalhold"):
        return None
    holds = list(LegalHold.objects.filter(subject=subject).select_related("owner").order_by("-started_on", "-pk"))
    holds.sort(key=lambda hold: hold.lifted_at is not None)
    rows = [{"hold": hold, "url": reverse("admin:retention_legalhold_change", args=[hold.pk])} for hold in holds]
    banners = [
        PersonBanner(
            text=_(
                "Legal hold (%(reason)s) since %(start)s: no automatic deletion or archiving until it is lifted "
                "(Art. 17(3)(e))."
            )
            % {"reason": hold.get_reason_display(), "start": formats.date_format(hold.started_on, "SHORT_DATE_FORMAT")},
            url=row["url"],
        )
        for row, hold in zip(rows, holds, strict=True)
        if hold.lifted_at is None
    ]
    actions = []
    if user.has_perm("retention.add_legalhold"):
        url = reverse("admin:retention_legalhold_add") + f"?subject={subject.pk}"
        actions.append(PersonAction(label=_("Place a legal hold"), url=url))
    return PersonPart(
        key="holds",
        title=_("Legal holds (Art. 17(3)(e))"),
        template="admin/subjects/person/holds.html",
        rows=rows,
        empty_text=_("No legal hold on this person."),
        order=30,
        actions=actions,
        banners=banners,
    )


def _role_retention(role, rule: RetentionRule | None, today: date) -> dict[str, Any]:
    row: dict[str, Any] = {"role": role.get_role_display(), "rule": rule}
    if rule is None or rule.active_months is None or rule.end_of_active_action == Action.NONE:
        row["text"] = _("No automatic action: kept while the relationship lasts.")
        return row
    main, postponing = ROLE_TRIGGER_FIELDS[rule.trigger]
    # As the sweep counts (RetentionRule.role_expired_q): from the main date, postponed by the later one.
    days = (getattr(role, main), getattr(role, postponing) if postponing else None)
    start = max((day for day in days if day), default=None) if days[0] else None
    if start is None:
        row["text"] = _("The clock has not started (%(trigger)s).") % {"trigger": rule.get_trigger_display()}
        return row
    row["active_until"] = add_months(start, rule.active_months)
    row["due"] = row["active_until"] <= today
    row["action"] = rule.get_end_of_active_action_display()
    if rule.end_of_active_action == Action.ARCHIVE:
        row["archive_until"] = add_months(start, rule.total_months)
        row["final_action"] = rule.get_final_action_display()
    return row


@register_person_part
def retention_part(request, subject: DataSubject) -> PersonPart | None:
    """What is archived: nothing while the person is in the active base (archived people leave this
    page, R4.4.2); when each role's data would leave it, and whether to the archive."""
    if not request.user.has_perm("retention.view_retentionrule"):
        return None
    rules = {rule.role: rule for rule in RetentionRule.objects.filter(scope=Scope.ROLE, enabled=True)}
    today = timezone.localdate()
    rows = [_role_retention(role, rules.get(role.role), today) for role in roles_of(subject)]
    # A person enters the archive only once no role is still active (the sweep's _archive_subjects).
    still_active = any(not row.get("due") for row in rows)
    for row in rows:
        row["waits"] = row.get("due") and row.get("archive_until") and still_active
    return PersonPart(
        key="retention",
        title=_("What is archived, and when (Art. 5(1)(e))"),
        template="admin/subjects/person/retention.html",
        rows=rows,
        empty_text=_("No role: nothing for the retention rules to count from."),
        order=40,
    )
