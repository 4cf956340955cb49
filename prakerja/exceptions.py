"""One error type for business rules, mapped once for the API and once for pages."""
from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler


class DomainError(Exception):
    """A rule refused the request. Subclasses set `code`, `message`, `field`, `http_status`."""

    code: str = "domain_error"
    message: Any = _("The request cannot be completed.")
    field: str | None = None
    http_status: int = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: Any = None, *, field: str | None = None, details: dict | None = None):
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
        self.details = details or {}
        super().__init__(str(self.message))

    @classmethod
    def for_transition(cls, obj, to: str) -> "DomainError":
        """The refusal of a status change of `obj` (a model with a `status` choice field), naming
        both ends: "<message> (Draft → Published)"."""
        to_label = dict(type(obj)._meta.get_field("status").flatchoices).get(to, to)
        return cls(cls.message + " " + f"({obj.get_status_display()} → {to_label})")


def form_add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's refusal beside its field (or at the top of the form); input stays as typed."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, ValidationError(exc.message, code=exc.code))


def error_body(code: str, message: Any, field: str | None = None, fields: dict | None = None,
          details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "field": field,
                      "fields": fields or {}, "details": details or {}}}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every API error has one shape: {"error": {"code", "message", "field", "fields", "details"}}."""
    if isinstance(exc, DomainError):
        fields = {exc.field: [str(exc.message)]} if exc.field else {}
        return Response(error_body(exc.code, exc.message, exc.field, fields, exc.details), status=exc.http_status)
    if isinstance(exc, ValidationError):
        exc = drf_exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_default_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
        response.data = error_body("invalid", _("Some fields are invalid."), fields=fields)
    else:
        code = getattr(exc, "default_code", "error")
        detail = getattr(exc, "detail", str(exc))
        response.data = error_body(str(code), detail)
    return response
