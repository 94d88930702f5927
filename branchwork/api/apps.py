from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "branchwork.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from django.db import models
        from rest_framework import serializers

        from branchwork.api import fields

        # Every model serializer's dates refuse years before 1900 (api.fields).
        mapping = serializers.ModelSerializer.serializer_field_mapping
        mapping[models.DateTimeField] = fields.DateTimeField
        mapping[models.DateField] = fields.DateField
