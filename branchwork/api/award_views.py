"""Awards and competitions' published results under /api/v1/, read-only, under the awards app's
policy like its pages: an award or competition the user may not see answers 404.

- `awards/`: the awards the user may see (an organization's and those under it, by year, by
  output); each names its output or talk only to those who may see it.
- `competitions/{id}/results/`: a competition's results once published, per entry: score, rank,
  tie, grade and the entrants as the results page shows them. Before publication it answers 404
  (no score leaves the judging pages before); judges' names and per-judge scores are never in it.
"""

from django.db.models import F, Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branchwork.api.schema import NamedChoiceField
from branchwork.awards import permissions as rules
from branchwork.awards.models import (
    AwardRecipient,
    BodyLevel,
    CompetitionStatus,
    Entrant,
    Method,
    Scope,
)
from branchwork.core import permissions
from branchwork.lectures.models import Talk
from branchwork.research.models import Output


class AwardFilterSerializer(serializers.Serializer):
    org = serializers.CharField(required=False, allow_blank=True,
                                help_text=_("Only awards this organization (code) or one under it recorded."))
    year = serializers.IntegerField(required=False, min_value=1990, max_value=2100)
    output = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                      help_text=_("Only awards for this research output (id)."))


class AwardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization = serializers.CharField(source="organization.code", help_text=_("Code of the recording organization."))
    title = serializers.CharField()
    scope = NamedChoiceField(Scope.choices, enum_name="AwardScopeEnum")
    body = serializers.CharField(help_text=_("The awarding body."))
    level = NamedChoiceField(BodyLevel.choices, enum_name="AwardLevelEnum")
    grade = serializers.CharField(source="grade.code", allow_null=True, default=None)
    grade_name = serializers.CharField(source="grade.display_name", allow_null=True, default=None)
    year = serializers.IntegerField()
    awarded_on = serializers.DateField(allow_null=True)
    recipients = serializers.SerializerMethodField()
    output = serializers.SerializerMethodField(help_text=_("Id of the output, if the user may see it."))
    talk = serializers.SerializerMethodField(help_text=_("Id of the lecture-hall talk, if the user may see it."))
    competition = serializers.SerializerMethodField(help_text=_("Id of the competition it resulted from."))

    def get_recipients(self, award) -> list[str]:
        return [r.display_name for r in award.recipients.all()]

    def get_output(self, award) -> int | None:
        return award.output_id if award.output_id in self.context.get("outputs", ()) else None

    def get_talk(self, award) -> int | None:
        return award.talk_id if award.talk_id in self.context.get("talks", ()) else None

    def get_competition(self, award) -> int | None:
        return award.entry.competition_id if award.entry_id else None


def _visible_ids(user, model, ids) -> set:
    ids = [i for i in ids if i]
    return set(permissions.visible(user, model).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()


@extend_schema_view(list=extend_schema(parameters=[AwardFilterSerializer]))
class AwardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Awards the user may see: those of organizations whose internal content they read, and their
    own. Recorded and changed on the pages, not here."""

    serializer_class = AwardSerializer

    def get_queryset(self):
        qs = rules.visible_awards(self.request.user)
        if self.action == "list":
            query = AwardFilterSerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            filters = query.validated_data
            if filters.get("org"):
                org = permissions.visible_organizations(self.request.user).filter(code=filters["org"]).first()
                if org is None:
                    return qs.none()
                qs = qs.filter(organization__path__startswith=org.path)
            if "year" in filters:
                qs = qs.filter(year=filters["year"])
            if "output" in filters:
                qs = qs.filter(output_id=filters["output"])
        return (qs.select_related("organization", "grade", "entry")
                .prefetch_related(Prefetch("recipients", queryset=AwardRecipient.objects.select_related("person")))
                .order_by("-year", "-pk"))

    def get_serializer(self, *args, **kwargs):
        if args:
            items = list(args[0]) if kwargs.get("many") else [args[0]]
            user = self.request.user
            kwargs["context"] = {**self.get_serializer_context(),
                                 "outputs": _visible_ids(user, Output, [a.output_id for a in items]),
                                 "talks": _visible_ids(user, Talk, [a.talk_id for a in items])}
        return super().get_serializer(*args, **kwargs)


class ResultEntrySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    organization = serializers.CharField(source="organization.code")
    organization_name = serializers.CharField(source="organization.display_name")
    entrants = serializers.SerializerMethodField()
    score = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True,
                                     help_text=_("The mean of the judges' totals; null if not scored."))
    rank = serializers.IntegerField(allow_null=True)
    tied = serializers.BooleanField()
    grade = serializers.CharField(source="grade.code", allow_null=True, default=None)
    grade_name = serializers.CharField(source="grade.display_name", allow_null=True, default=None)

    def get_entrants(self, entry) -> list[str]:
        return [x.display_name for x in entry.entrants.all()]


class ResultsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(source="display_title")
    organization = serializers.CharField(source="organization.code")
    blind = serializers.BooleanField(help_text=_("Judges scored without seeing names or organizations."))
    method = NamedChoiceField(Method.choices, enum_name="CompetitionMethodEnum")
    closes_on = serializers.DateField()
    published_at = serializers.DateTimeField()
    entries = ResultEntrySerializer(many=True, source="entries_list",
                                    help_text=_("Best first; equal scores share a rank."))


class CompetitionResultsView(APIView):
    """A competition's published results, per entry."""

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("Id of the competition."))],
        responses={200: ResultsSerializer,
                   404: OpenApiResponse(description="No such competition, not visible, or no results published.")},
        description="The results of a competition the user may see, once published: each entry's score, "
        "rank, tie and grade. Never judges' names nor their scores.",
    )
    def get(self, request: Request, id: str, format=None) -> Response:  # noqa: A002 (the path's name)
        competition = None
        if id.isascii() and id.isdigit() and len(id) < 10:
            competition = (rules.visible_competitions(request.user).select_related("organization")
                           .filter(pk=int(id)).first())
        if competition is None or competition.status != CompetitionStatus.PUBLISHED:
            raise NotFound(_("No such competition, or its results are not published."))
        competition.entries_list = list(
            competition.entries.select_related("organization", "grade")
            .prefetch_related(Prefetch("entrants", queryset=Entrant.objects.select_related("person")))
            .order_by(F("rank").asc(nulls_last=True), "number"))
        return Response(ResultsSerializer(competition).data)
