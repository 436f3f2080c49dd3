"""Public one-click unsubscribe page (R2.3.1): no login, no confirmation loop."""

from __future__ import annotations

from django.core import signing
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from ijinus_privacy import actors
from ijinus_privacy.public_pages import allow_methods
from subjects.models import DataSubject

from . import services
from .models import Channel, ConsentEvent
from .unsubscribe import read_token


@csrf_exempt  # the signed token authenticates the request; no session, no cookie (RFC 8058 POSTs carry none)
@never_cache
@allow_methods("GET", "POST")
def unsubscribe(request, token: str):
    try:
        subject_id, channel = read_token(token)
    except signing.BadSignature:
        return render(request, "consents/public/unsubscribe_invalid.html", status=400)
    context = {"channel_label": Channel(channel).label}
    subject = DataSubject.objects.filter(pk=subject_id).first()
    if subject is None:  # erased since: their address is on the suppression list already
        return render(request, "consents/public/unsubscribed.html", {**context, "already": True})
    if request.method == "GET":
        latest = services.current_event(subject=subject, channel=channel)
        already = latest is not None and latest.action in (ConsentEvent.Action.WITHDRAWN, ConsentEvent.Action.REFUSED)
        template = "consents/public/unsubscribed.html" if already else "consents/public/unsubscribe.html"
        return render(request, template, {**context, "already": already})
    _event, created = services.consent_withdraw(
        subject=subject,
        channel=channel,
        collection_point=ConsentEvent.CollectionPoint.EMAIL_LINK,
        collection_detail="one-click unsubscribe link",
        mechanism=ConsentEvent.Mechanism.ONE_CLICK,
        language=request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("fr", "en") else subject.language,
        actor=actors.system("unsubscribe-link"),
    )
    return render(request, "consents/public/unsubscribed.html", {**context, "already": not created})
