"""API errors in one shape: {"detail": "...", "errors": {field: [messages]}}, never a 500 for bad input.

`detail` is always a readable sentence (for validation errors it names the fields and
their first message, so a client that only logs `detail` still knows what to fix);
`errors` is always present, empty when the error is not about input fields.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = "non_field_errors"


def _first_message(value: Any) -> str:
    while isinstance(value, (list, tuple)) and value:
        value = value[0]
    if isinstance(value, dict) and value:
        key, inner = next(iter(value.items()))
        return f"{key}: {_first_message(inner)}"
    return str(value)


def summary(errors: dict[str, Any]) -> str:
    """One sentence naming each field with its first message."""
    parts = []
    for field, messages in errors.items():
        message = _first_message(messages)
        parts.append(message if field == NON_FIELD else f"{field}: {message}")
    return " ".join(parts) or _("Invalid input.")


def error_body(detail: str, errors: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or {}, **extra}


def django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A Django ValidationError (as raised by services) as {field: [messages]}."""
    if hasattr(exc, "error_dict"):
        return {(NON_FIELD if field == NON_FIELD_ERRORS else field): messages for field, messages in exc.message_dict.items()}
    return {NON_FIELD: exc.messages}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_errors(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:  # not an API error: let Django report the 500
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {NON_FIELD: response.data}
        response.data = error_body(summary(errors), errors)
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = error_body(str(detail))
    return response


def not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer in the API's error shape instead of an HTML page."""
    return JsonResponse(error_body(str(exceptions.NotFound.default_detail)), status=404)
