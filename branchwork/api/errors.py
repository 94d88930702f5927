"""How the API answers a service's refusal."""

import contextlib
from collections.abc import Iterator

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings


@contextlib.contextmanager
def service_errors() -> Iterator[None]:
    """Answer a service's ValidationError with 400 and the same field names a serializer uses."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = serializers.as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        raise ValidationError(detail) from None
