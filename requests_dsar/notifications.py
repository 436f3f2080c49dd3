"""The DPO's daily reminder (R1.2.3): ids, due dates and states only, no personal data."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from .models import Request

DUE_SOON_DAYS = 7


def due_soon_reminder_send(*, today: date | None = None) -> int:
    """E-mail the DPO the open requests due within 7 days (overdue included); return how many."""
    today = today or timezone.localdate()
    due = list(
        Request.objects.due_within(DUE_SOON_DAYS, today=today).by_due_date().values_list("pk", "due_on", "state")
    )
    if not due:
        return 0
    lines = [f"Requests due by {today.isoformat()} + {DUE_SOON_DAYS} days:", ""]
    for pk, due_on, state in due:
        days_left = (due_on - today).days
        flag = "OVERDUE" if days_left < 0 else f"{days_left} day(s) left"
        lines.append(f"#{pk}  due {due_on.isoformat()}  {state}  {flag}")
    EmailMessage(
        subject=f"[IJINUS Privacy] {len(due)} request(s) due within {DUE_SOON_DAYS} days",
        body="\n".join(lines),
        to=[settings.DPO_EMAIL],
    ).send()
    return len(due)
