"""Withdrawals of the newsletter consent made outside a request reach the e-mailing tool too.

Every withdrawal goes through ``consents.services.consent_withdraw`` and leaves a ``ConsentEvent``:
the one-click unsubscribe link, the consent admin, an objection recorded on a person. A withdrawal
for a request (``staff_reference`` "request #N") or an objection ("objection #N") is carried out by
``requests_dsar`` through the ``connected`` seam, with the request linked, so it is skipped here.
Consents sits two floors below: it does not know this app, this receiver listens to its rows.
"""

from __future__ import annotations

from consents.models import ConsentEvent
from ijinus_privacy.choices import Channel
from requests_dsar import connected

HANDLED_BY_REQUESTS = ("request #", "objection #")


def consent_event_saved(sender, instance: ConsentEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not created or instance.action != ConsentEvent.Action.WITHDRAWN:
        return
    if instance.channel != Channel.NEWSLETTER_EMAIL or instance.subject_id is None:
        return
    if (instance.staff_reference or "").startswith(HANDLED_BY_REQUESTS):
        return
    from .services import tasks_for_change
    from .services.tasks import system_actor

    tasks_for_change(
        connected.CarriedOut(change=connected.SUPPRESSION, subject=instance.subject, request=None, actor=system_actor())
    )
