"""Compliance: statuses by period for an organization and for the committee's branches, and
the filters of the activity list and the compliance pages."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from branchwork.api import fields as api_fields
from branchwork.api.schema import NamedChoiceField
from branchwork.rulebook.compliance import STATUS_LABELS
from branchwork.rulebook.loader import PERIODS, get_rulebook

from branchwork.api.activity_serializers.reading import (
    ActivityStatusField,
    ActivityTypeRefSerializer,
)


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
