"""Activities as read: the list and the record, resolutions, elections with their computed
result, amendments, what the user may do."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from branchwork.activities import checks, elections, services
from branchwork.activities.models import (
    Activity,
    ActivityStatus,
    Amendment,
    AttendanceStatus,
    Resolution,
)
from branchwork.api.schema import NamedChoiceField
from branchwork.api.serializers import PersonSummarySerializer
from branchwork.core import permissions
from branchwork.rulebook.loader import get_rulebook


def type_names(code: str) -> dict:
    activity_type = get_rulebook().types.get(code)
    if activity_type is None:  # a type the deployment's rulebook no longer has
        return {"code": code, "name": code, "name_zh": code, "name_en": code}
    return {
        "code": code,
        "name": activity_type.name,
        "name_zh": activity_type.name_zh,
        "name_en": activity_type.name_en,
    }


class ActivityTypeRefSerializer(serializers.Serializer):
    """A rulebook type: its code and its names."""

    code = serializers.CharField()
    name = serializers.CharField(help_text=_("In the language of the request."))
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class AttendanceSummarySerializer(serializers.Serializer):
    """Counts of the attendance list; the view annotates them on each activity."""

    expected = serializers.IntegerField(source="n_expected")
    present = serializers.IntegerField(source="n_present")
    late = serializers.IntegerField(source="n_late")
    excused = serializers.IntegerField(source="n_excused")
    absent = serializers.IntegerField(source="n_absent")
    unmarked = serializers.IntegerField(source="n_unmarked")
    observers = serializers.IntegerField(source="n_observers")


class ActivityStatusField(NamedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(ActivityStatus.choices, enum_name="ActivityStatusEnum", **kwargs)


class AttendanceStatusField(NamedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(AttendanceStatus.choices, enum_name="AttendanceStatusEnum", **kwargs)


class ActivitySerializer(serializers.ModelSerializer):
    """An activity as lists show it."""

    types = serializers.SerializerMethodField(help_text=_("The rulebook types it counts for."))
    organization = serializers.CharField(source="organization.code", read_only=True)
    organization_name = serializers.CharField(source="organization.display_name", read_only=True)
    co_organizers = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    host = PersonSummarySerializer(read_only=True, allow_null=True)
    recorder = PersonSummarySerializer(read_only=True, allow_null=True)
    lecturer = PersonSummarySerializer(read_only=True, allow_null=True)
    status = ActivityStatusField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    attendance_summary = AttendanceSummarySerializer(source="*", read_only=True)
    checkin_url = serializers.SerializerMethodField(
        help_text=_("The QR check-in page; only for those who may record the activity.")
    )
    year_covered = serializers.IntegerField(
        read_only=True,
        help_text=_("The year a yearly record counts for: covers_year, else the year of its date."),
    )
    contents_display = serializers.ListField(
        source="content_labels", child=serializers.CharField(), read_only=True,
        help_text=_("What a theme Party day covered, in the reader's language."),
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "types",
            "organization",
            "organization_name",
            "co_organizers",
            "title",
            "session_number",
            "starts_at",
            "ends_at",
            "date_confirmed",
            "place",
            "host",
            "recorder",
            "lecturer",
            "lecturer_name",
            "status",
            "status_display",
            "attendance_summary",
            "checkin_url",
            "covers_year",
            "year_covered",
            "contents",
            "contents_display",
        ]
        read_only_fields = fields

    @extend_schema_field(ActivityTypeRefSerializer(many=True))
    def get_types(self, activity: Activity):
        return [type_names(tag.code) for tag in activity.type_tags.all()]

    def get_checkin_url(self, activity: Activity) -> str | None:
        request = self.context["request"]
        if not permissions.can(request.user, "record", activity):
            return None
        # The address the QR code carries: the deployment's public one, as the web page gives.
        return settings.BASE_URL + reverse("checkin", args=[activity.checkin_token])


class ResolutionSerializer(serializers.ModelSerializer):
    subject_person = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True,
        help_text=_("The person the matter is about (they do not vote on it), by id."),
    )
    voting_expected = serializers.IntegerField(
        read_only=True, help_text=_("Members with voting rights expected at the meeting."))
    passed = serializers.BooleanField(
        read_only=True, allow_null=True,
        help_text=_("Computed from the counts: more than half of the members with voting rights "
                    "who were expected voted for it (Regulations on the Work of Party Branches, "
                    "2018, Art. 11). Null when no vote is recorded."),
    )

    class Meta:
        model = Resolution
        fields = ["text", "votes_for", "votes_against", "votes_abstain", "subject_person",
                  "voting_expected", "passed"]


class ElectionStatusField(NamedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(elections.ElectionStatus.choices, enum_name="ElectionStatusEnum", **kwargs)


class ElectionCandidateSerializer(serializers.Serializer):
    person = PersonSummarySerializer(source="candidate.person", read_only=True)
    votes = serializers.IntegerField(source="candidate.votes", read_only=True, allow_null=True)
    elected = serializers.BooleanField(read_only=True, help_text=_(
        "Computed from the votes: more than half of the votes of the voting members present, "
        "in order of votes up to the seats."))
    tied = serializers.BooleanField(read_only=True, help_text=_(
        "Tied for the last seat: a new ballot between the tied candidates decides."))


class ElectionCheckSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True, help_text=_(
        "What is wrong, the rule and its source, in the request's language."))


class ElectionSerializer(serializers.Serializer):
    """An election held at the meeting, with its result computed from the counts."""

    id = serializers.IntegerField(source="election.pk", read_only=True)
    status = ElectionStatusField(source="election.status", read_only=True)
    seats = serializers.IntegerField(source="election.seats", read_only=True)
    term_start = serializers.DateField(source="election.term_start", read_only=True)
    term_end = serializers.DateField(source="election.term_end", read_only=True)
    next_due = serializers.DateField(source="election.next_due", read_only=True,
                                     help_text=_("When the next election is due."))
    reported_on = serializers.DateField(source="election.reported_on", read_only=True,
                                        allow_null=True)
    approved_on = serializers.DateField(source="election.approved_on", read_only=True,
                                        allow_null=True)
    approval_document = serializers.CharField(source="election.approval_document", read_only=True)
    voting_expected = serializers.IntegerField(source="result.voting_expected", read_only=True)
    voting_present = serializers.IntegerField(source="result.voting_present", read_only=True)
    candidates = ElectionCandidateSerializer(many=True, read_only=True)
    checks = ElectionCheckSerializer(many=True, read_only=True, help_text=_(
        "The rules the record breaks (empty when none): it cannot be reported or approved."))


def election_rows(activity: Activity) -> list[dict]:
    rows = []
    for election in activity.elections.all():
        result = elections.result(election)
        elected, tied = {c.pk for c in result.elected}, {c.pk for c in result.tied}
        rows.append({
            "election": election, "result": result,
            "candidates": [{"candidate": c, "elected": c.pk in elected, "tied": c.pk in tied}
                           for c in election.candidates.all()],
            "checks": elections.check(election),
        })
    return rows


class AmendmentSerializer(serializers.ModelSerializer):
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(), min_length=2, max_length=2),
        read_only=True,
        help_text=_("What changed, in the request's language: for each field, its value before "
                    "and after."),
    )
    entries = serializers.JSONField(
        read_only=True,
        help_text=_("What changed, as data: field, old and new value (people as ids, attendance "
                    "as status and reason)."),
    )

    class Meta:
        model = Amendment
        fields = ["at", "by_name", "reason", "changes", "entries"]


class QuorumSerializer(serializers.Serializer):
    organization = serializers.CharField(source="organization.code")
    type = serializers.CharField(help_text=_("The type whose quorum this is, by name."))
    present = serializers.IntegerField()
    base = serializers.IntegerField(help_text=_("The members the quorum is counted of."))
    met = serializers.BooleanField()


class ActivityPermissionsSerializer(serializers.Serializer):
    """What the requesting user may do with the activity."""

    manage = serializers.BooleanField(help_text=_("Change it, or amend it once locked."))
    record = serializers.BooleanField(help_text=_("Mark attendance, write and submit the minutes."))
    approve = serializers.BooleanField(help_text=_("Approve the minutes or send them back."))


class ActivityDetailSerializer(ActivitySerializer):
    """An activity with its record: agenda, minutes, resolutions, quorum and amendments."""

    agenda = serializers.ListField(
        source="agenda_items", child=serializers.CharField(), read_only=True
    )
    minutes = serializers.CharField(read_only=True, help_text=_("Sanitized HTML."))
    version = serializers.IntegerField(
        source="minutes_version", read_only=True,
        help_text=_("Version of the agenda, minutes and resolutions: send it back with a change "
                    "of them; a change based on an older version answers 409."),
    )
    resolutions = serializers.SerializerMethodField()
    elections = serializers.SerializerMethodField()
    quorum = serializers.SerializerMethodField()
    amendments = AmendmentSerializer(many=True, read_only=True)
    permissions = serializers.SerializerMethodField()

    class Meta(ActivitySerializer.Meta):
        fields = ActivitySerializer.Meta.fields + [
            "agenda",
            "minutes",
            "version",
            "resolutions",
            "elections",
            "quorum",
            "submitted_at",
            "return_comment",
            "locked_at",
            "amendments",
            "permissions",
        ]
        read_only_fields = fields

    @extend_schema_field(ResolutionSerializer(many=True))
    def get_resolutions(self, activity: Activity):
        rows = []
        for outcome in checks.resolution_outcomes(activity):
            resolution = outcome["resolution"]
            resolution.voting_expected, resolution.passed = (outcome["voting_expected"],
                                                             outcome["passed"])
            rows.append(resolution)
        return ResolutionSerializer(rows, many=True).data

    @extend_schema_field(ElectionSerializer(many=True))
    def get_elections(self, activity: Activity):
        return ElectionSerializer(election_rows(activity), many=True).data

    @extend_schema_field(QuorumSerializer(many=True))
    def get_quorum(self, activity: Activity):
        return QuorumSerializer(services.quorum_report(activity), many=True).data

    @extend_schema_field(ActivityPermissionsSerializer)
    def get_permissions(self, activity: Activity):
        user = self.context["request"].user
        return {
            "manage": permissions.can(user, "manage", activity),
            "record": permissions.can(user, "record", activity),
            "approve": permissions.can(user, "approve", activity),
        }
