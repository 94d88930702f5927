"""GET /api/v1/search/: the site search for API clients, under the same permission policy.

Results, snippets and facet counts come from `branchwork.search.selectors.search`, so a client
sees exactly what the search page would show the same user. Titles and snippets are HTML: the
original text escaped, with the matched words in <mark>.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branchwork.api import fields as api_fields
from branchwork.search import selectors


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=True,
        help_text=_("Words, names or \"a phrase\", in Chinese (Simplified or Traditional) or English; "
                    "the first 200 characters count."),
    )
    # Blank means every kind, as a search form sends it; the schema says so (Schemathesis found
    # an empty kind answered 200 while the schema demanded one character).
    kind = serializers.CharField(required=False, allow_blank=True,
                                 help_text=_("Only results of this kind (a facet value)."))
    organization = serializers.IntegerField(required=False, min_value=1,
                                            help_text=_("Only results of this organization (id)."))
    channel = serializers.IntegerField(required=False, min_value=1,
                                       help_text=_("Only pages in this channel (page id)."))
    year = serializers.IntegerField(required=False, min_value=1, max_value=9999)
    sort = serializers.ChoiceField(choices=[("relevance", "relevance"), ("date", "date")],
                                   default="relevance", help_text=_("date: newest first."))
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    per_page = serializers.IntegerField(required=False, min_value=1, max_value=selectors.MAX_PER_PAGE,
                                        default=selectors.PER_PAGE)


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    id = serializers.IntegerField(source="object_id", help_text=_("The object's id in its kind."))
    title_html = serializers.CharField(source="title", help_text=_("Escaped; matches in <mark>."))
    snippet_html = serializers.CharField(source="snippet", help_text=_("Escaped; matches in <mark>."))
    url = serializers.CharField()
    date = api_fields.DateTimeField(allow_null=True)


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField(help_text=_("Pass as the facet's parameter; \"other\" cannot be."))
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class FacetsSerializer(serializers.Serializer):
    kind = FacetValueSerializer(many=True)
    organization = FacetValueSerializer(many=True)
    channel = FacetValueSerializer(many=True)
    year = FacetValueSerializer(many=True)


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField(help_text=_("The query as searched (cut to 200 characters)."))
    total = serializers.IntegerField(help_text=_(
        "The number of matches the user may see: exact up to total_exact_up_to, beyond it an "
        "estimate (total_estimated)."))
    total_estimated = serializers.BooleanField(help_text=_(
        "True when the total is an estimate; pages go on while they are full."))
    total_exact_up_to = serializers.IntegerField(source="count_limit", help_text=_(
        "Up to how many matches the total is counted exactly."))
    facets_estimated = serializers.BooleanField(source="estimated", help_text=_(
        "True when the facet counts are estimates, scaled from the newest facets_counted_over "
        "matches to the total."))
    facets_counted_over = serializers.IntegerField(source="total_limit", help_text=_(
        "How many of the newest matches the facet counts are taken from."))
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    per_page = serializers.IntegerField()
    sort = serializers.CharField()
    results = SearchHitSerializer(many=True, source="hits")
    facets = FacetsSerializer()


class SearchView(APIView):
    """Search everything the user may see."""

    @extend_schema(
        parameters=[SearchQuerySerializer],
        responses={200: SearchResultsSerializer},
        description="Articles, pages, activities and their minutes, people, journal issues, "
        "talks and documents that match (files by the text inside them too), with highlighted "
        "snippets and facets (kind, organization, channel, year) counted over what the user may "
        "see. An empty or unsearchable query gives no results.",
    )
    def get(self, request: Request, format=None) -> Response:
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        results = selectors.search(
            request.user, params.get("q", ""),
            filters={k: params[k] for k in selectors.FACETS if k in params},
            sort=params["sort"], page=params["page"], per_page=params["per_page"], request=request,
        )
        for hit in results.hits:
            hit.url = request.build_absolute_uri(hit.url) if hit.url else ""
        return Response(SearchResultsSerializer(results).data)
