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


# The answers every operation can give besides its success, and when. drf-spectacular documents
# only the success; a client (and Schemathesis) must find every status it can receive in the
# schema, so they are added here, all with the one error body DRF writes.
_ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: `detail` for the whole request, or the names of the fields "
    "refused, each with its messages.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
_ERRORS = {
    "400": "The request is refused: a parameter or a field is missing or invalid.",
    "401": "No credentials, or credentials that are not valid.",
    "403": "The user may not do this.",
    "404": "Not found, or not visible to the user.",
    "409": "The record's state does not allow this (any longer), or someone saved first.",
}
_WRITES = {"post", "put", "patch", "delete"}


def document_errors(result, generator, request, public):
    """Postprocessing hook: add the error answers each operation can give."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["401", "403"]
            takes_input = method in _WRITES or any(
                p.get("in") == "query" for p in operation.get("parameters", []))
            if takes_input:
                codes.append("400")
            if "{" in path or method in _WRITES:
                codes.append("404")  # a path's object, or an object named in the body
            if method in _WRITES:
                codes.append("409")
            for code in codes:
                operation["responses"].setdefault(code, {
                    "description": _ERRORS[code],
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}},
                })
    return result
