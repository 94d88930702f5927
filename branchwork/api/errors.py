"""How the API answers a service's refusal."""

import contextlib
from collections.abc import Iterator

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.settings import api_settings

from branchwork.core.conflicts import Conflict, VersionConflict


class ConflictError(APIException):
    """409: the record's state does not allow the write (any longer), or someone saved first."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The record has changed; reload it and try again.")
    default_code = "conflict"

    def __init__(self, detail, *, current=None, version=None):
        body = {"detail": detail}
        if current is not None:
            body.update(current=current, version=version)
        super().__init__(detail)
        self.detail = body


@contextlib.contextmanager
def service_errors() -> Iterator[None]:
    """Answer a service's refusal: a conflict with 409 (with the stored text when someone saved
    first), any other ValidationError with 400 and the field names a serializer uses."""
    try:
        yield
    except VersionConflict as exc:
        raise ConflictError(exc.messages[0], current=exc.current, version=exc.version) from None
    except Conflict as exc:
        raise ConflictError(exc.messages[0]) from None
    except DjangoValidationError as exc:
        detail = serializers.as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        raise ValidationError(detail) from None
