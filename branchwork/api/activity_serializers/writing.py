"""What a client sends: scheduling and changing an activity, attendance and make-ups, minutes,
sending back, amendments. They only parse; the views check permissions and call the services."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from branchwork.activities.models import (
    Attendance,
    AttendanceRole,
    ThemeDayContent,
)
from branchwork.api import fields as api_fields
from branchwork.api.schema import NamedChoiceField
from branchwork.api.serializers import OrganizationCodeField, PersonIdField, PersonSummarySerializer
from branchwork.core import permissions
from branchwork.core.models import Organization, OrganizationKind
from branchwork.rulebook.loader import get_rulebook

from branchwork.api.activity_serializers.reading import AttendanceStatusField


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
