from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from branchwork.core.models import Membership, Organization, Person, Unit


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["code", "name_zh", "name_en"]


class OrganizationSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Code of the organization above; only on creation."),
    )
    unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all(), required=False, allow_null=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organization
        fields = ["code", "kind", "kind_display", "name_zh", "name_en", "unit", "parent", "is_active", "depth"]
        read_only_fields = ["depth"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Querysets from the view carry `parent_code`; a freshly created instance asks its parent.
        if hasattr(instance, "parent_code"):
            data["parent"] = instance.parent_code
        else:
            data["parent"] = instance.get_parent().code if instance.depth > 1 else None
        return data

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            # Code, kind and place in the tree are fixed once created.
            for name in ("code", "kind", "parent"):
                fields[name].read_only = True
        return fields


class PersonSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all(), required=False, allow_null=True)
    membership_status_display = serializers.CharField(source="get_membership_status_display", read_only=True)
    username = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id", "name", "name_en", "name_native", "membership_status", "membership_status_display",
            "joined_party_on", "unit", "position", "email", "phone", "username",
        ]

    def get_username(self, person) -> str | None:
        return person.user.get_username() if person.user_id else None


class PersonCreateSerializer(PersonSerializer):
    organization = serializers.SlugRelatedField(
        slug_field="code", queryset=Organization.objects.all(), write_only=True,
        help_text=_("The organization the person joins (one you manage)."),
    )
    role = serializers.ChoiceField(choices=Membership._meta.get_field("role").choices, default="member", write_only=True)
    start_on = serializers.DateField(write_only=True)

    class Meta(PersonSerializer.Meta):
        fields = PersonSerializer.Meta.fields + ["organization", "role", "start_on"]


class MembershipSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    organization = serializers.SlugRelatedField(slug_field="code", queryset=Organization.objects.all())
    role_display = serializers.CharField(source="role_label", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "person", "organization", "role", "role_display", "portfolio", "start_on", "end_on", "note"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            fields["person"].read_only = True
            fields["organization"].read_only = True
        return fields
