"""Errors as JSON in the caller's language: a service's ``ValidationError`` is a 400 with field errors."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler


def field_errors(error: DjangoValidationError, *, fields: dict[str, str], non_field: str) -> dict[str, list[str]]:
    """``{api field: [messages]}``: model field names renamed (``fields``), the others under ``non_field``."""
    if not hasattr(error, "error_dict"):
        return {non_field: list(error.messages)}
    errors: dict[str, list[str]] = {}
    for name, messages in error.message_dict.items():
        key = non_field if name == NON_FIELD_ERRORS else fields.get(name, name)
        errors.setdefault(key, []).extend(messages)
    return errors


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        view = context.get("view")
        exc = exceptions.ValidationError(
            field_errors(
                exc,
                fields=getattr(view, "error_fields", {}),
                non_field=getattr(view, "non_field_errors_key", "non_field_errors"),
            )
        )
    return exception_handler(exc, context)
