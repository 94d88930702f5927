"""The research app's yearly figures under /api/v1/research/figures/: the same numbers as the
figures page, its XLSX and `branchwork research_figures --format json`."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branchwork.core import permissions
from branchwork.research import figures


class FiguresQuerySerializer(serializers.Serializer):
    org = serializers.CharField(help_text=_("Code of the organization."))
    year = serializers.IntegerField(min_value=1990, max_value=2100, required=False,
                                    help_text=_("The year (default: this year)."))


class FigureRowSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("The code of the status, kind, level or tier."))
    name = serializers.CharField(help_text=_("In the language of the request."))
    count = serializers.IntegerField()


class FigureSectionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("topics_by_status, outputs_by_kind, submissions_by_level, "
                                            "instructions_by_level, publications_by_tier, or a section "
                                            "another app adds."))
    title = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    total = serializers.IntegerField()
    rows = FigureRowSerializer(many=True)


class FiguresSerializer(serializers.Serializer):
    organization = serializers.CharField()
    organization_name = serializers.CharField()
    year = serializers.IntegerField()
    as_of = serializers.DateField(help_text=_("Topics' statuses are as of this day."))
    sections = FigureSectionSerializer(many=True)


class ResearchFiguresView(APIView):
    """The yearly research figures of an organization and the organizations under it."""

    @extend_schema(
        parameters=[FiguresQuerySerializer],
        responses={200: FiguresSerializer, 404: OpenApiResponse(description="No such organization.")},
        description="Counted from the records for the organization and those under it: topics by "
        "status, outputs by kind, submissions and instructions by level, publications by outlet tier.",
    )
    def get(self, request: Request, format=None) -> Response:
        query = FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        org = permissions.get_org_or_404(request.user, query.validated_data["org"])
        year = query.validated_data.get("year") or timezone.localdate().year
        return Response(FiguresSerializer(figures.yearly(org, year).as_dict()).data)
