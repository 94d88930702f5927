"""Request bodies of the API, refused whole when any string in them holds a control character.

The rule is core.validators' (the forms and importers use it too); checking here, where the
body is parsed, covers every serializer field, nested lists and JSON keys alike, so that no
endpoint can store text that later breaks an export or PostgreSQL. The answer is a 400 naming
each offending field, like any other validation error.
"""

from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from branchwork.core.validators import find_in


def _check(data):
    plain = data
    if isinstance(data, QueryDict):
        plain = {key: data.getlist(key) for key in data}
    problems = list(find_in(plain))
    if problems:
        raise ValidationError({path or "non_field_errors": [why] for path, why in problems})
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _check(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _check(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _check(result.data)
        return result
