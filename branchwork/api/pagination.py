"""Pages of API lists: `limit` capped, `offset` bounded, so that no number reaches the database
as a LIMIT or OFFSET it cannot hold (a huge `?limit=` answered 500); a `limit` or `offset` that
is not a whole number ≥ 0 (blank included) is refused with 400, as the schema says, rather than
ignored (Schemathesis found `offset=` answered 200)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination


def _whole(request, name: str, default: int, cap: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()):
        raise ValidationError({name: [_("A whole number, 0 or more.")]})
    return min(int(raw), cap) if len(raw) < 30 else cap


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500
    max_offset = 10**9  # past any list's end: an empty page, not an error

    def get_limit(self, request):
        limit = _whole(request, self.limit_query_param, self.default_limit, self.max_limit)
        return limit or self.default_limit

    def get_offset(self, request):
        return _whole(request, self.offset_query_param, 0, self.max_offset)
