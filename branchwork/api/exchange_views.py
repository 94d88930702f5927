"""The figures of international exchanges under /api/v1/exchanges/figures/: the same numbers as
the figures page, its XLSX and `branchwork exchange_figures --format json`."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branchwork.core import permissions
from branchwork.exchanges import figures
from branchwork.exchanges import permissions as rules
from branchwork.exchanges.models import Event


class ExchangeFiguresQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1990, max_value=2100, required=False,
                                    help_text=_("The year: events that start in it (default: this year)."))
    event = serializers.IntegerField(min_value=1, required=False,
                                     help_text=_("One event's figures instead of a year's."))


class ExchangeFigureRowSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("The code of the count, kind, region, family or country."))
    name = serializers.CharField(help_text=_("In the language of the request."))
    count = serializers.IntegerField()


class ExchangeFigureSectionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("events_by_kind, countries_by_region, representatives_by_region, "
                                            "parties_by_family or countries_visited."))
    title = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    total = serializers.IntegerField()
    rows = ExchangeFigureRowSerializer(many=True)


class ExchangeFiguresSerializer(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True, help_text=_("Null for an event's figures."))
    event = serializers.IntegerField(allow_null=True, help_text=_("The event's id, or null for a year's figures."))
    heading = serializers.CharField()
    summary = ExchangeFigureRowSerializer(
        many=True, help_text=_("events, parties, countries, representatives, delegations, delegations_received, "
                               "delegations_sent, countries_visited, parties_met, activities, sessions, and counts "
                               "other parts add."))
    sections = ExchangeFigureSectionSerializer(many=True)
    countries_engaged = serializers.ListField(child=serializers.CharField(),
                                              help_text=_("ISO 3166 alpha-3 codes of the countries engaged."))


class ExchangeFiguresView(APIView):
    """The figures of international exchanges for a year or an event."""

    @extend_schema(
        parameters=[ExchangeFiguresQuerySerializer],
        responses={200: ExchangeFiguresSerializer,
                   404: OpenApiResponse(description="Not for this user, or no such event.")},
        description="Counted from the records: parties, countries and representatives of the events, by "
        "region and party family; events by kind (delegations received and sent); sessions of the "
        "timetables; countries visited and parties met abroad; activities of organizational life within "
        "the events. For foreign-affairs staff and event managers (an event's figures: those who may "
        "see the event).",
    )
    def get(self, request: Request, format=None) -> Response:
        query = ExchangeFiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if not rules.may_see_figures(request.user):
            raise Http404("No figures for this user")
        if "event" in query.validated_data:
            event = permissions.get_or_404(request.user, Event, query.validated_data["event"])
            result = figures.for_event(event)
        else:
            result = figures.yearly(query.validated_data.get("year") or timezone.localdate().year)
        return Response(ExchangeFiguresSerializer(result.as_dict()).data)
