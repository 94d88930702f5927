"""The API's date fields: no year before 1900 in, whole-minute offsets out.

Before 1900 the time zone database gives local mean time (Asia/Shanghai: +08:05:43), so a
moment in year 83 came back with an offset that is not valid RFC 3339 and that no client reads.
Such input is refused (core.validators.validate_year); a stored moment that old is shown in UTC.
api.apps makes every model serializer use these fields; declared fields use them by name.
"""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from branchwork.core.validators import MIN_YEAR, validate_year


class DateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        try:
            validate_year(moment)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from None
        return moment

    def to_representation(self, value):
        if isinstance(value, datetime.datetime) and value.year < MIN_YEAR and value.tzinfo:
            return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
        return super().to_representation(value)


class DateField(serializers.DateField):
    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        try:
            validate_year(day)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from None
        return day
