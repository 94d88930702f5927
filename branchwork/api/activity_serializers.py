"""Serializers of activities, their attendance and sign-off, and of compliance.

Reading serializers expect the rows the views prepare (related records joined or prefetched,
attendance counts annotated), so a list costs the same number of queries however long it is.
Writing serializers only parse; the views check permissions and call activities.services.
"""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from branchwork.activities import checks, elections, services
from branchwork.activities.models import (
    Activity,
    ActivityStatus,
    Amendment,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    Resolution,
    ThemeDayContent,
)
from branchwork.api import fields as api_fields
from branchwork.api.schema import NamedChoiceField
from branchwork.api.serializers import OrganizationCodeField, PersonIdField, PersonSummarySerializer
from branchwork.core import permissions
from branchwork.core.models import Organization, OrganizationKind
from branchwork.rulebook.compliance import STATUS_LABELS
from branchwork.rulebook.loader import PERIODS, get_rulebook


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


# --- Writing ---


class _TypesField(serializers.ListField):
    """Rulebook type codes; the choices are read when the serializer is built (schema too)."""

    def __init__(self, **kwargs):
        child = NamedChoiceField([], enum_name="ActivityTypeEnum")
        super().__init__(child=child, min_length=1, **kwargs)

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        self.child.choices = [(t.code, t.code) for t in get_rulebook().types.values()]

    def get_attribute(self, instance):
        return [tag.code for tag in instance.type_tags.all()]


class _AgendaField(serializers.ListField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("The agenda, one item per entry."))
        super().__init__(child=serializers.CharField(max_length=500), **kwargs)

    def to_internal_value(self, data):
        return "\n".join(item.strip() for item in super().to_internal_value(data) if item.strip())

    def to_representation(self, data):
        return [line.strip() for line in (data or "").splitlines() if line.strip()]


class CoOrganizerCodeField(serializers.SlugRelatedField):
    """An organization to hold an activity jointly with, by code.

    The same choice as the scheduling page offers: organizations one reads, and any branch, Youth
    League organization or other unit's branch (联学共建 reaches beyond one's own tree). Someone
    who manages nothing schedules nothing, so is offered only what they read.
    """

    JOINT_KINDS = (
        OrganizationKind.BRANCH,
        OrganizationKind.GENERAL_BRANCH,
        OrganizationKind.YOUTH_LEAGUE,
        OrganizationKind.EXTERNAL_BRANCH,
    )

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Organization.objects.none(), **kwargs)

    def get_queryset(self):
        user = self.context["request"].user
        visible = permissions.visible_organizations(user)
        if not permissions.managed_organizations(user).exists():
            return visible
        return Organization.objects.filter(is_active=True).filter(
            Q(pk__in=visible.values("pk")) | Q(kind__in=self.JOINT_KINDS)
        ).order_by("path")


class ActivityWriteSerializer(serializers.Serializer):
    """An activity to schedule: the organization holding it (one you manage) and its plan."""

    organization = OrganizationCodeField(
        help_text=_("Code of the organization holding it (one you manage).")
    )
    types = _TypesField(help_text=_("Codes of the rulebook types it counts for."))
    title = serializers.CharField(max_length=200)
    session_number = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    starts_at = api_fields.DateTimeField()
    ends_at = api_fields.DateTimeField(required=False, allow_null=True)
    date_confirmed = serializers.BooleanField(required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    host = PersonIdField(required=False, allow_null=True)
    recorder = PersonIdField(required=False, allow_null=True)
    lecturer = PersonIdField(required=False, allow_null=True)
    lecturer_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    co_organizers = CoOrganizerCodeField(
        many=True,
        required=False,
        help_text=_("Codes of other organizations holding it jointly; it counts for each."),
    )
    agenda = _AgendaField(required=False)
    covers_year = serializers.IntegerField(
        min_value=1921, max_value=2200, required=False, allow_null=True,
        help_text=_("For a yearly record: the year it is for (所属年度), when not the year of its "
                    "date; null for the year of its date."),
    )
    contents = serializers.ListField(
        child=serializers.ChoiceField(choices=ThemeDayContent.choices), required=False,
        help_text=_("For a theme Party day: what it covered (study, org_life, deliberation, volunteer)."),
    )


def _version_needed(attrs: dict, versioned: bool) -> None:
    if versioned and attrs.get("version") is None:
        raise serializers.ValidationError({"version": _(
            "Give the version of the activity this change is based on, so that nobody's text is "
            "written over.")})


class ActivityUpdateSerializer(ActivityWriteSerializer):
    """Changes to an activity that is not locked; the organization holding it stays."""

    organization = None
    version = serializers.IntegerField(
        min_value=0, required=False,
        help_text=_("The `version` the change is based on; required when it changes the agenda."),
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        _version_needed(attrs, "agenda" in attrs)
        return attrs


class MakeupSerializer(serializers.Serializer):
    """Make-up study (补学) of someone excused or absent."""

    on = api_fields.DateField(source="makeup_on")
    note = serializers.CharField(source="makeup_note")


class AttendanceSerializer(serializers.ModelSerializer):
    person = PersonSummarySerializer(read_only=True, allow_null=True)
    name = serializers.CharField(
        source="display_name", help_text=_("The person's name, or an observer's as typed.")
    )
    organization = serializers.CharField(
        source="organization.code",
        allow_null=True,
        help_text=_("Code of the organization through which the person is expected."),
    )
    role = NamedChoiceField(AttendanceRole.choices, enum_name="AttendanceRoleEnum")
    status = AttendanceStatusField()
    status_display = serializers.CharField(source="get_status_display")
    makeup = serializers.SerializerMethodField()

    class Meta:
        model = Attendance
        fields = [
            "id",
            "person",
            "name",
            "organization",
            "role",
            "status",
            "status_display",
            "reason",
            "voting",
            "marked_via",
            "marked_at",
            "makeup",
        ]
        read_only_fields = fields

    @extend_schema_field(MakeupSerializer(allow_null=True))
    def get_makeup(self, row: Attendance):
        if row.makeup_on is None:
            return None
        return MakeupSerializer(row).data


class AttendanceMarkSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The attendance row."))
    status = AttendanceStatusField()
    reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Why someone is excused or absent."),
    )


class AttendanceMarksSerializer(serializers.Serializer):
    marks = AttendanceMarkSerializer(many=True, allow_empty=False)

    def marks_by_row(self) -> dict[int, tuple[str, str]]:
        return {m["id"]: (m["status"], m["reason"]) for m in self.validated_data["marks"]}


class ResolutionWriteSerializer(serializers.Serializer):
    text = serializers.CharField()
    votes_for = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    votes_against = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    votes_abstain = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    subject_person = PersonIdField(
        required=False, allow_null=True,
        help_text=_("The person the matter is about, by id (they do not vote on it). Left out: "
                    "a resolution of the same text keeps the person it had."),
    )


class MinutesSerializer(serializers.Serializer):
    """The recorder's draft of the minutes."""

    minutes = serializers.CharField(
        allow_blank=True, help_text=_("HTML, or plain text with blank lines between paragraphs.")
    )
    agenda = _AgendaField(required=False)
    resolutions = ResolutionWriteSerializer(
        many=True, required=False, help_text=_("Replace the resolutions, when given.")
    )
    version = serializers.IntegerField(
        min_value=0,
        help_text=_("The `version` of the activity the change is based on; if someone saved "
                    "since, the answer is 409 with their text."),
    )


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text=_("What should change."))


class AmendmentChangesSerializer(serializers.Serializer):
    """Fields of a locked record that an amendment may change; give only those that change."""

    title = serializers.CharField(max_length=200, required=False)
    session_number = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    starts_at = api_fields.DateTimeField(required=False)
    ends_at = api_fields.DateTimeField(required=False, allow_null=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    host = PersonIdField(required=False, allow_null=True)
    recorder = PersonIdField(required=False, allow_null=True)
    lecturer = PersonIdField(required=False, allow_null=True)
    lecturer_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    agenda = _AgendaField(required=False)
    minutes = serializers.CharField(required=False, allow_blank=True)
    covers_year = serializers.IntegerField(min_value=1921, max_value=2200, required=False, allow_null=True)
    contents = serializers.ListField(
        child=serializers.ChoiceField(choices=ThemeDayContent.choices), required=False)


class AmendSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=_("Why the locked record changes."))
    changes = AmendmentChangesSerializer(required=False)
    marks = AttendanceMarkSerializer(many=True, required=False)
    resolutions = ResolutionWriteSerializer(many=True, required=False)
    version = serializers.IntegerField(
        min_value=0, required=False,
        help_text=_("The `version` the change is based on; required when it changes the agenda, "
                    "the minutes or the resolutions."),
    )

    def validate(self, attrs):
        changes = attrs.get("changes") or {}
        _version_needed(attrs, "resolutions" in attrs or "agenda" in changes
                        or "minutes" in changes)
        return attrs


# --- Compliance ---


class CadenceSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    per = serializers.ChoiceField(choices=[(p, p) for p in PERIODS])


class ComplianceStatusField(NamedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            list(STATUS_LABELS.items()), enum_name="ComplianceStatusEnum", **kwargs
        )


class PeriodSerializer(serializers.Serializer):
    """One type in one period."""

    key = serializers.CharField(help_text=_("2026-03, 2026-Q1 or 2026."))
    start = api_fields.DateField()
    end = api_fields.DateField(help_text=_("The last day of the period."))
    required = serializers.IntegerField()
    held = serializers.IntegerField(help_text=_("Held activities that count (with quorum)."))
    planned = serializers.IntegerField()
    without_quorum = serializers.IntegerField()
    status = ComplianceStatusField()


class TypeComplianceSerializer(ActivityTypeRefSerializer):
    """One type over the year."""

    local = serializers.BooleanField(help_text=_("A local rule (the deployment's or its committee's)."))
    source = serializers.CharField(help_text=_("Where the rule comes from."))
    cadence = CadenceSerializer()
    periods = PeriodSerializer(many=True)
    required = serializers.IntegerField(help_text=_("Required over the year."))
    held = serializers.IntegerField(help_text=_("Held towards what is required over the year."))
    held_total = serializers.IntegerField(
        help_text=_("Held over the year, beyond requirements too.")
    )
    overdue = serializers.IntegerField(help_text=_("Periods that ended short."))
    status = ComplianceStatusField(help_text=_("The worst status among periods that have started."))


class ComplianceTotalsSerializer(serializers.Serializer):
    required = serializers.IntegerField()
    held = serializers.IntegerField()
    overdue = serializers.IntegerField()


class OrganizationComplianceSerializer(serializers.Serializer):
    """An organization's compliance over a year, per type and period."""

    scope = serializers.ChoiceField(choices=[("organization", "organization")])
    organization = serializers.CharField()
    organization_name = serializers.CharField()
    year = serializers.IntegerField()
    types = TypeComplianceSerializer(many=True)
    totals = ComplianceTotalsSerializer()


class BranchTypeStatusSerializer(serializers.Serializer):
    code = serializers.CharField()
    current = PeriodSerializer(
        allow_null=True, help_text=_("The period containing today; null outside the year.")
    )
    held = serializers.IntegerField()
    required = serializers.IntegerField()
    status = ComplianceStatusField(help_text=_("The worst status among periods that have started."))


class BranchComplianceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    types = BranchTypeStatusSerializer(many=True)
    overdue = serializers.IntegerField(help_text=_("Periods that ended short, all types."))


class ColumnSerializer(ActivityTypeRefSerializer):
    cadence = CadenceSerializer()


class CommitteeComplianceSerializer(serializers.Serializer):
    """The committee table: every branch under an organization, per type."""

    scope = serializers.ChoiceField(choices=[("branches", "branches")])
    organization = serializers.CharField()
    organization_name = serializers.CharField()
    year = serializers.IntegerField()
    types = ColumnSerializer(many=True, help_text=_("The columns: types counted for branches."))
    branches = BranchComplianceSerializer(many=True)


class ActivityFilterSerializer(serializers.Serializer):
    """The filters of the activity list."""

    org = serializers.CharField(
        required=False,
        # Blank means every organization, as DRF reads a blank query parameter; the schema says
        # so (Schemathesis found `org=` answered 200 while the schema demanded a character).
        allow_blank=True,
        help_text=_("Only activities this organization (code) hosts or co-organizes."),
    )
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    type = serializers.ChoiceField(
        choices=[], required=False, help_text=_("Only activities counting for this type (code).")
    )
    status = ActivityStatusField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(code, code) for code in get_rulebook().types]


class ComplianceQuerySerializer(serializers.Serializer):
    org = serializers.CharField(help_text=_("Code of the organization."))
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    scope = serializers.ChoiceField(
        choices=[("organization", "organization"), ("branches", "branches")],
        default="organization",
    )
