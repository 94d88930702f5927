"""OpenAPI schema generation: our /api/v1/ only.

Wagtail's admin mounts its own DRF views under /admin/api/; they are internal to the back office
and not part of the public, stable API, so they are kept out of the schema.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from rest_framework import serializers

API_PREFIX = "/api/v1/"


def only_public_api(endpoints):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PREFIX)]


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choices appear in the schema as one enum component, named here.

    drf-spectacular names enums after their field; once two fields named alike ("status" of an
    activity and of an attendance mark, "role" of a membership and of an attendance row) carry
    different choices, it falls back to hashed names and renames enums clients already use. An
    explicit name keeps every component name stable.
    """

    def __init__(self, choices, *, enum_name: str, **kwargs):
        if kwargs.get("allow_blank") or kwargs.get("allow_null"):
            raise TypeError("NamedChoiceField describes required choices only")
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = {
            key: value
            for key, value in build_choice_field(field).items()
            if key in ("type", "enum", "description")
        }
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema=schema,
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref
