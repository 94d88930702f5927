"""Serializers of the REST API.

Fields that point at an organization or a person resolve only what the requesting user may see,
through core.permissions; anything else answers 404, exactly as an unknown address would, so
that a request body cannot be used to probe for records one may not know about.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from branchwork.api import fields as api_fields
from branchwork.core import permissions, validators
from branchwork.core.models import Membership, MembershipStatusChange, Organization, Person, Role, Unit


class OrganizationCodeField(serializers.SlugRelatedField):
    """An organization, by code, among those the requesting user may see."""

    def __init__(self, **kwargs):
        # The queryset only tells the schema which model this is; get_queryset() scopes it.
        super().__init__(slug_field="code", queryset=Organization.objects.none(), **kwargs)

    def get_queryset(self):
        return permissions.visible_organizations(self.context["request"].user)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return permissions.get_org_or_404(self.context["request"].user, data)


class PersonIdField(serializers.PrimaryKeyRelatedField):
    """A person, by id, among those the requesting user may see."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Person.objects.none(), **kwargs)

    def get_queryset(self):
        return permissions.visible_people(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not (
            isinstance(data, int) or (isinstance(data, str) and data.isdigit())
        ):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if validators.parse_id(data) is None:  # "²", 0, or more than a key holds: nobody
            raise Http404
        return permissions.get_person_or_404(self.context["request"].user, data)


class UnitCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Unit.objects.all(), **kwargs)


class OrganizationSerializer(serializers.ModelSerializer):
    """An organization as read, and as changed: code, kind and place in the tree stay fixed."""

    unit = UnitCodeField(required=False, allow_null=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    # Views annotate `parent_code` so that a list does not ask each row for its parent.
    parent = serializers.CharField(
        source="parent_code",
        read_only=True,
        allow_null=True,
        help_text=_("Code of the organization above; null at the top of the tree."),
    )

    class Meta:
        model = Organization
        fields = [
            "code",
            "kind",
            "kind_display",
            "name_zh",
            "name_en",
            "unit",
            "parent",
            "is_active",
            "depth",
        ]
        read_only_fields = ["code", "kind", "depth"]


class OrganizationCreateSerializer(OrganizationSerializer):
    parent = OrganizationCodeField(
        required=False,
        allow_null=True,
        help_text=_(
            "Code of the organization to create it under (one you manage); omit for the top level."
        ),
    )

    class Meta(OrganizationSerializer.Meta):
        read_only_fields = ["depth", "is_active"]

    def to_representation(self, instance):
        return OrganizationSerializer(instance, context=self.context).data


class OrganizationUpdateSerializer(OrganizationSerializer):
    """An organization as changed. Names and unit are its managers' to change; closing or
    reopening it (`is_active`) and moving it (`parent`) are for the level above, and only with
    `confirm: true`, because its members see nothing of a closed organization."""

    parent = OrganizationCodeField(
        required=False,
        help_text=_(
            "Code of the organization to move it under (one you manage); needs `confirm` and "
            "the right to restructure this organization."
        ),
    )
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text=_("Must be true to close, reopen or move the organization."),
    )

    class Meta(OrganizationSerializer.Meta):
        fields = OrganizationSerializer.Meta.fields + ["confirm"]

    def to_representation(self, instance):
        return OrganizationSerializer(instance, context=self.context).data


class PersonSerializer(serializers.ModelSerializer):
    unit = UnitCodeField(required=False, allow_null=True)
    membership_status_display = serializers.CharField(
        source="get_membership_status_display", read_only=True
    )
    username = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "name_en",
            "name_native",
            "membership_status",
            "membership_status_display",
            "joined_party_on",
            "unit",
            "position",
            "email",
            "phone",
            "username",
        ]

    def get_username(self, person: Person) -> str | None:
        return person.user.get_username() if person.user_id else None


class PersonCreateSerializer(PersonSerializer):
    """A new person and the role they start with in an organization the user manages."""

    organization = OrganizationCodeField(
        write_only=True, help_text=_("Code of the organization the person joins (one you manage).")
    )
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER, write_only=True)
    start_on = api_fields.DateField(write_only=True, help_text=_("The day the role begins."))

    class Meta(PersonSerializer.Meta):
        fields = PersonSerializer.Meta.fields + ["organization", "role", "start_on"]


class MembershipSerializer(serializers.ModelSerializer):
    """A role that a person holds in an organization over a period."""

    person = PersonIdField()
    organization = OrganizationCodeField()
    organization_name = serializers.CharField(source="organization.display_name", read_only=True)
    role_display = serializers.CharField(source="role_label", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "person",
            "organization",
            "organization_name",
            "role",
            "role_display",
            "portfolio",
            "start_on",
            "end_on",
            "note",
        ]
        # A role is given on purpose: without one, the request is refused (400), not guessed.
        extra_kwargs = {"role": {"required": True}}


class MembershipUpdateSerializer(MembershipSerializer):
    """A role as changed: whose role it is and where stay fixed; end it rather than move it."""

    person = serializers.IntegerField(source="person_id", read_only=True)
    organization = serializers.CharField(source="organization.code", read_only=True)


class PersonSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    person = PersonSummarySerializer(
        allow_null=True,
        help_text=_("The person this account belongs to; null for an account without one."),
    )
    roles = MembershipSerializer(many=True, help_text=_("The roles the person holds today."))


class StatusChangeSerializer(serializers.ModelSerializer):
    """One change of a person's membership status: from `effective_on` the status is `status`,
    by the decision named. Meetings held on `effective_on` still see the status before it."""

    person = PersonIdField(help_text=_("The person (id); one you manage."))
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = MembershipStatusChange
        fields = ["id", "person", "status", "status_display", "effective_on", "ends_on", "meeting",
                  "approved_by", "document_number", "note", "derived", "recorded_at"]
        read_only_fields = ["derived", "recorded_at"]


class StatusChangeUpdateSerializer(StatusChangeSerializer):
    class Meta(StatusChangeSerializer.Meta):
        read_only_fields = ["person", "derived", "recorded_at"]
