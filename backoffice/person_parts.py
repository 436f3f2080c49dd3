"""The parts of the person's page that the requests and consents apps know (issue 16).

``subjects.person_page`` cannot import the apps above it; this top floor, which composes them,
registers their sections: the person's requests and their current consents. Each reads one person
in a fixed number of queries, after checking the user's view permission.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consents.models import ConsentEvent
from consents.services.bloctel import bloctel_status, phone_marketing_check
from consents.services.consent import current_state
from requests_dsar.models import Request
from subjects.models import DataSubject
from subjects.person_page import PersonAction, PersonBanner, PersonPart, register_person_part

REQUESTS_SHOWN = 50


@register_person_part
def requests_part(request, subject: DataSubject) -> PersonPart | None:
    """This person's requests, newest first: number, receipt, rights, state, due date (Art. 12(3))."""
    user = request.user
    actions = []
    if user.has_perm("requests_dsar.add_request"):
        url = reverse("admin:requests_dsar_request_add") + f"?subject={subject.pk}"
        actions.append(PersonAction(label=_("Log a new request for this person"), url=url, primary=True))
    if not user.has_perm("requests_dsar.view_request"):
        return None
    newest_first = Request.objects.filter(subject=subject).order_by("-received_on", "-id")
    found = list(newest_first.prefetch_related("items")[:REQUESTS_SHOWN])
    today = timezone.localdate()
    rows = [
        {
            "request": dsar,
            "url": reverse("admin:requests_dsar_request_change", args=[dsar.pk]),
            "rights": ", ".join(str(item.get_right_display()) for item in dsar.items.all()),
            "overdue": dsar.is_open and dsar.due_on < today,
        }
        for dsar in found
    ]
    open_requests = [row for row in rows if row["request"].is_open]
    banners = []
    if open_requests:
        banners.append(
            PersonBanner(
                text=_("%(count)d open request(s): automatic retention jobs wait for them (Art. 12(3)).")
                % {"count": len(open_requests)},
                level="info",
                url="#part-requests",
            )
        )
    return PersonPart(
        key="requests",
        title=_("Requests (Art. 15-22)"),
        template="admin/subjects/person/requests.html",
        rows=rows,
        empty_text=_("No request from this person."),
        order=10,
        actions=actions,
        banners=banners,
        extra={"more": len(found) == REQUESTS_SHOWN},
    )


@register_person_part
def consents_part(request, subject: DataSubject) -> PersonPart | None:
    """The current state of each purpose and channel (the latest event of each, Art. 7(1))."""
    user = request.user
    if not user.has_perm("consents.view_consentevent"):
        return None
    history_url = reverse("admin:consents_consentevent_changelist") + f"?q={subject.pk}"
    # A withdrawal is recorded from the history (its action, Art. 7(3)); consents come with their proof.
    actions = [PersonAction(label=_("Open the consent history"), url=history_url)]
    events = sorted(current_state(subject=subject).values(), key=lambda event: event.get_channel_display())
    rows = [{"event": event, "positive": event.action in ConsentEvent.POSITIVE_ACTIONS} for event in events]
    return PersonPart(
        key="consents",
        title=_("Consents: current state per purpose and channel (Art. 7)"),
        template="admin/subjects/person/consents.html",
        rows=rows,
        empty_text=_("No consent recorded for this person."),
        order=20,
        actions=actions,
        extra={"history_url": history_url},
    )


@register_person_part
def phone_marketing_part(request, subject: DataSubject) -> PersonPart | None:
    """May this person's number be called for marketing today (C. consom. L.223-1; Art. 21 GDPR)?

    The status is worked out when the page is read, from the suppression list, the consents, the
    contracts and the latest opposition list (Bloctel) imported by the DPO: it cannot go stale.
    """
    if not subject.phone or not request.user.has_perm("consents.view_consentevent"):
        return None
    check = phone_marketing_check(phone=subject.phone, subject=subject, today=timezone.localdate())
    status = bloctel_status(today=timezone.localdate())
    return PersonPart(
        key="phone-marketing",
        title=_("Phone marketing (C. consom. L.223-1)"),
        template="admin/subjects/person/phone_marketing.html",
        rows=[{"reason": reason} for reason in check.reasons],
        empty_text="",
        order=25,
        extra={"allowed": check.allowed, "warnings": check.warnings, "list_date": status.list_date},
    )
