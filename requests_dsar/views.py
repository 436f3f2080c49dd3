"""Public pages (no login): submit a request, confirm it, confirm an identity check."""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache

from ijinus_privacy.client_address import client_address
from ijinus_privacy.public_pages import allow_methods

from . import public, services
from .exports import delivery
from .exports import transmission as transmissions
from .forms import PublicRequestForm
from .models import IdentityCheck

RATE_WINDOW_SECONDS = 3600
logger = logging.getLogger(__name__)


def _rate_limited(request, scope: str) -> bool:
    """Count POSTs per client address and hour in the shared cache (every process, across restarts).

    The address is never stored (hashed). The hour is part of the key, so the count restarts on the
    hour whatever the cache does with expiry on ``incr``. Should the cache be unreachable, the page
    still answers (the limit is a brake on floods, not a gate).
    """
    address = client_address(request)
    window = int(time.time()) // RATE_WINDOW_SECONDS
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    key = f"dsar-rate:{scope}:{window}:{digest}"
    try:
        if cache.add(key, 1, RATE_WINDOW_SECONDS):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, RATE_WINDOW_SECONDS)
                count = 1
            cache.touch(key, RATE_WINDOW_SECONDS)
    except Exception:  # the cache server is down: log (no address) and serve the page
        logger.warning("Rate-limit cache unavailable for scope %s", scope, exc_info=True)
        return False
    return count > settings.DSAR_PUBLIC_RATE_LIMIT


def _show_on_form(form, error: ValidationError) -> None:
    for field, messages in (error.message_dict if hasattr(error, "error_dict") else {None: error.messages}).items():
        form.add_error(field if field in form.fields else None, messages)


@never_cache
@allow_methods("GET", "POST")
def request_form(request):
    form = PublicRequestForm(request.POST or None)
    if request.method == "POST":
        # Only a valid submission counts against the hourly budget: a typo costs the person nothing.
        if form.is_valid() and _rate_limited(request, "submit"):
            # The form again, as typed (never in a URL): nothing is lost while the person waits.
            return render(
                request, "requests_dsar/public/request_form.html", {"form": form, "limited": True}, status=429
            )
        if form.is_valid():
            try:
                if not form.cleaned_data["website"]:
                    public.web_submission_create(
                        email=form.cleaned_data["email"],
                        name=form.cleaned_data["name"],
                        rights=form.cleaned_data["rights"],
                        details=form.cleaned_data["details"],
                        language=translation.get_language()[:2],
                    )
            except ValidationError as error:  # the service's own checks: shown on the form, nothing stored
                _show_on_form(form, error)
            else:
                # Same page whoever the address belongs to, and for the honeypot: no enumeration.
                return render(request, "requests_dsar/public/check_your_email.html")
    return render(request, "requests_dsar/public/request_form.html", {"form": form})


@never_cache
@allow_methods("GET", "POST")
def confirm(request, token: str):
    """GET shows a button (mail scanners follow links); POST confirms, once."""
    if request.method == "GET":
        return render(request, "requests_dsar/public/confirm.html")
    if _rate_limited(request, "confirm"):
        return render(request, "requests_dsar/public/rate_limited.html", status=429)
    try:
        dsar = public.web_submission_confirm(token=token)
    except ValidationError as error:
        return render(request, "requests_dsar/public/link_error.html", {"message": error.messages[0]}, status=400)
    return render(request, "requests_dsar/public/confirmed.html", {"dsar": dsar})


@never_cache
@allow_methods("GET", "POST")
def identity_confirm(request, check_id: int, token: str):
    if request.method == "GET":
        return render(request, "requests_dsar/public/confirm.html")
    if _rate_limited(request, "identity"):
        return render(request, "requests_dsar/public/rate_limited.html", status=429)
    try:
        services.identity_check_confirm_token(check_id=check_id, token=token)
    except (ValidationError, IdentityCheck.DoesNotExist):
        return render(
            request,
            "requests_dsar/public/link_error.html",
            {"message": translation.gettext("This link is not valid, has expired or was already used.")},
            status=400,
        )
    return render(request, "requests_dsar/public/identity_confirmed.html")


def _export_link_error(request, error: ValidationError):
    status = 410 if error.code in ("expired", "unavailable") else 400
    return render(request, "requests_dsar/public/export_link_error.html", {"message": error.messages[0]}, status=status)


OPENED_SESSION_KEY = "requests_dsar.export_opened"


def _opened(request, dsar) -> list[int]:
    """The files a right code opened in this browser session for this request, while the grant lasts."""
    grant = request.session.get(OPENED_SESSION_KEY, {}).get(str(dsar.pk))
    if not grant or grant["until"] < time.time():
        return []
    return [int(job_id) for job_id in grant["jobs"]]


def _open(request, dsar, job_ids: list[int]) -> None:
    request.session.cycle_key()  # a new session id once the code is right (no fixation)
    grants = {
        key: grant
        for key, grant in request.session.get(OPENED_SESSION_KEY, {}).items()
        if grant["until"] >= time.time()
    }
    grants[str(dsar.pk)] = {"jobs": job_ids, "until": time.time() + settings.EXPORT_CODE_VALIDITY_MINUTES * 60}
    request.session[OPENED_SESSION_KEY] = grants


@never_cache
@allow_methods("GET", "POST")
def export_download(request, token: str):
    """The signed link of a request's approved exports (R1.7.4): one code by e-mail opens all its files."""
    try:
        dsar = delivery.export_request_from_token(token)
    except delivery.ExportLinkError as error:
        return _export_link_error(request, error)
    status = 200
    message = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "send_code":
                # Codes are limited per request (sends and wrong attempts); the address limit curbs e-mail floods.
                if _rate_limited(request, "export-code"):
                    return render(request, "requests_dsar/public/rate_limited.html", status=429)
                delivery.export_code_send(request=dsar)
            elif action == "code":
                _open(request, dsar, delivery.export_code_check(request=dsar, code=request.POST.get("code", "")))
                return redirect(request.path)  # the files, on a page that a reload does not post again
            elif action == "download":
                try:
                    job_id = int(request.POST.get("file", ""))
                except ValueError:
                    job_id = 0
                job, content = delivery.export_download(request=dsar, job_id=job_id, opened=_opened(request, dsar))
                response = HttpResponse(content, content_type=job.content_type)
                response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
                return response
        except delivery.ExportLinkError as error:
            if error.code != "code":
                return _export_link_error(request, error)
            message = error.messages[0]
            status = 403 if action == "download" else 200
    opened = _opened(request, dsar)
    context = {
        "files": delivery.export_files(dsar),
        "opened": opened,
        "code_sent": not opened and delivery.export_code_pending(dsar),
        "message": message,
    }
    return render(request, "requests_dsar/public/export_download.html", context, status=status)


def _transmission_error(request, error: ValidationError):
    status = 404 if error.code == "unknown" else 410
    return render(
        request, "requests_dsar/public/transmission_error.html", {"message": error.messages[0]}, status=status
    )


@never_cache
@allow_methods("GET", "POST")
def transmission(request, token: str):
    """The link e-mailed to the controller a person named (Art. 20(2)): who sends the data, and the JSON.

    GET shows the page (mail scanners follow links); the download is a POST, rate-limited per
    address like the other public pages, counted and audited.
    """
    try:
        sent = transmissions.transmission_from_token(token)
    except transmissions.TransmissionError as error:
        return _transmission_error(request, error)
    if request.method == "POST":
        if _rate_limited(request, "transmission"):
            return render(request, "requests_dsar/public/rate_limited.html", status=429)
        try:
            sent, content = transmissions.transmission_download(token=token)
        except transmissions.TransmissionError as error:
            return _transmission_error(request, error)
        response = HttpResponse(content, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ijinus-portability-{sent.request_id}.json"'
        return response
    return render(request, "requests_dsar/public/transmission.html", {"transmission": sent})
