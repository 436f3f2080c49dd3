"""``/api/v1/``: the HTTP API of the website, the ijitrack platform and the e-mailing tool (issue 15).

Every view: the client's key (401 if missing, unknown, revoked or expired), the scope the view
needs (403), the client's rate limit (429 with Retry-After), then the apps' own services. Every
call with a known key is audited (client, method, route, status); personal data travels in
bodies only, never in URLs.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from consents.selectors import marketable_subjects
from ijinus_privacy import audit
from requests_dsar.models import ClockPause, IdentityCheck, Request, State
from subjects.models import DataSubject

from ..models import ApiClient, ApiRequestReference, Scope
from ..services.api_keys import api_call_record
from ..services.api_writes import api_consent_record, api_request_log
from . import schema as _schema  # noqa: F401  (registers the security scheme with drf-spectacular)
from . import serializers
from .authentication import ApiKeyAuthentication
from .exceptions import api_exception_handler
from .permissions import HasScope
from .throttling import ApiClientRateThrottle

logger = logging.getLogger(__name__)

ERRORS = {
    400: OpenApiResponse(description=_("Invalid input: field errors, in the language of Accept-Language.")),
    401: OpenApiResponse(description=_("No key, or an unknown, revoked or expired key.")),
    403: OpenApiResponse(description=_("The key does not have the scope this call needs.")),
    429: OpenApiResponse(description=_("Too many calls for this key: retry after Retry-After seconds.")),
}


class ApiView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ApiClientRateThrottle]
    required_scope = ""
    route = ""  # the URL pattern, as the audit trail names the call
    audit_action = audit.Action.VIEW
    error_fields: dict[str, str] = {}
    non_field_errors_key = "non_field_errors"

    def get_exception_handler(self):
        return api_exception_handler

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        client = getattr(request._request, "api_client", None)
        if isinstance(client, ApiClient):
            api_call_record(
                client=client,
                method=request.method,
                route=self.route,
                status=response.status_code,
                action=self.audit_action,
                subject_id=getattr(self, "audit_subject_id", None),
            )
        else:
            # No client to name: not written to the audit trail (anyone could fill it), logged without the key.
            logger.info(
                "API call without a valid key: %s /api/v1/%s -> %s", request.method, self.route, response.status_code
            )
        return response


class ConsentEventView(ApiView):
    required_scope = Scope.CONSENTS_WRITE
    route = "consents/"
    audit_action = audit.Action.CREATE
    error_fields = {"subject": "email", "phone": "email"}

    @extend_schema(
        operation_id="consent_event_record",
        summary=_("Record a consent event or a withdrawal"),
        request=serializers.ConsentEventInput,
        responses={201: serializers.ConsentEventOutput, 200: serializers.ConsentEventOutput, **ERRORS},
        tags=["consents"],
    )
    def post(self, request):
        data = serializers.ConsentEventInput(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = api_consent_record(client=request.auth, **data.validated_data)
        self.audit_subject_id = outcome.subject_id
        body = {
            "recorded": outcome.recorded,
            "event": outcome.event.pk if outcome.event else None,
            "channel": data.validated_data["channel"],
            "action": data.validated_data["action"],
            "suppressed": outcome.suppressed,
        }
        return Response(body, status=status.HTTP_201_CREATED if outcome.recorded else status.HTTP_200_OK)


def _expected(request: Request) -> tuple[str, str, str | None]:
    """What the person has to do now: (code, label, identity-check status)."""
    check = request.identity_checks.order_by("-started_at", "-id").first()
    check_status = check.status if check else None
    if request.state == State.AWAITING_INFO:
        pause = request.pauses.filter(ended_on__isnull=True).first()
        if pause and pause.reason == ClockPause.Reason.CLARIFICATION:
            return "clarification", str(_("Answer our request for clarification.")), check_status
        if check and check.status == IdentityCheck.Status.PENDING and check.method == IdentityCheck.Method.EMAIL_LINK:
            return "identity_link", str(_("Follow the link we sent by e-mail to confirm your identity.")), check_status
        return "identity", str(_("Confirm your identity as our message explains.")), check_status
    if request.is_open:
        return "nothing", str(_("Nothing: we are handling your request.")), check_status
    return "nothing", str(_("Nothing: your request is closed.")), check_status


def _status_body(request: Request, reference: str) -> dict:
    expected, expected_label, check_status = _expected(request)
    return {
        "reference": reference,
        "state": request.state,
        "state_label": str(request.get_state_display()),
        "received_on": request.received_on,
        "due_on": request.due_on if request.is_open else None,
        "closed_on": request.closed_on,
        "rights": sorted(request.items.values_list("right", flat=True)),
        "expected": expected,
        "expected_label": expected_label,
        "identity_check": check_status,
    }


class RequestLogView(ApiView):
    required_scope = Scope.REQUESTS_WRITE
    route = "requests/"
    audit_action = audit.Action.CREATE
    error_fields = {"subject": "requester_email", "right": "rights"}
    non_field_errors_key = "rights"

    @extend_schema(
        operation_id="request_log",
        summary=_("Log a data-subject request"),
        request=serializers.RequestLogInput,
        responses={201: serializers.RequestStatusOutput, **ERRORS},
        tags=["requests"],
    )
    def post(self, request):
        data = serializers.RequestLogInput(data=request.data)
        data.is_valid(raise_exception=True)
        logged = api_request_log(client=request.auth, **data.validated_data)
        self.audit_subject_id = logged.request.subject_id
        return Response(
            serializers.RequestStatusOutput(_status_body(logged.request, logged.reference)).data,
            status=status.HTTP_201_CREATED,
        )


class RequestStatusView(ApiView):
    required_scope = Scope.REQUESTS_READ
    route = "requests/{reference}/"

    @extend_schema(
        operation_id="request_status",
        summary=_("Read a request's status by its public reference"),
        responses={
            200: serializers.RequestStatusOutput,
            404: OpenApiResponse(description=_("No such reference.")),
            **ERRORS,
        },
        tags=["requests"],
    )
    def get(self, request, reference: str):
        found = ApiRequestReference.objects.select_related("request").filter(reference=reference.upper()).first()
        if found is None:
            raise NotFound
        self.audit_subject_id = found.request.subject_id
        return Response(serializers.RequestStatusOutput(_status_body(found.request, found.reference)).data)


class MarketableView(ApiView):
    """POST, not GET: the e-mail is personal data and never goes into a URL."""

    required_scope = Scope.CONSENTS_READ
    route = "marketable/"

    @extend_schema(
        operation_id="marketable_state",
        summary=_("Whether an e-mail may receive marketing on a channel today"),
        request=serializers.MarketableInput,
        responses={200: serializers.MarketableOutput, **ERRORS},
        tags=["consents"],
    )
    def post(self, request):
        data = serializers.MarketableInput(data=request.data)
        data.is_valid(raise_exception=True)
        channel = data.validated_data["channel"]
        subject = DataSubject.objects.with_email(data.validated_data["email"]).first()
        marketable = False
        if subject is not None:
            self.audit_subject_id = subject.pk
            marketable = marketable_subjects(
                DataSubject.objects.filter(pk=subject.pk),
                channel=channel,
                product_family=data.validated_data["product_family"] or None,
            ).exists()
        return Response({"channel": channel, "marketable": marketable})


__all__ = ["ConsentEventView", "MarketableView", "RequestLogView", "RequestStatusView"]
