"""Pages of API lists: `limit` capped, `offset` bounded, so that no number reaches the database
as a LIMIT or OFFSET it cannot hold (a huge `?limit=` answered 500)."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500
    max_offset = 10**9  # past any list's end: an empty page, not an error

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)
