"""The REST API: organizations, people and roles, under core.permissions like every page.

Reads are scoped to what the user may see (outsiders get 404); writes go through core.services
and need the user to manage the organization concerned.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Length, Substr
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from branchwork.api.serializers import (
    MembershipSerializer,
    OrganizationSerializer,
    PersonCreateSerializer,
    PersonSerializer,
)
from branchwork.core import permissions, services
from branchwork.core.models import Organization


def _validation_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Organizations the user may see. Create under, or change, an organization one manages."""

    serializer_class = OrganizationSerializer
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self):
        steplen = Organization.steplen
        parent_code = Organization.objects.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - steplen)
        ).values("code")[:1]
        return (
            permissions.visible_organizations(self.request.user)
            .select_related("unit")
            .annotate(parent_code=Subquery(parent_code))
            .order_by("path")
        )

    def perform_create(self, serializer):
        parent = serializer.validated_data.get("parent")
        if parent is None:
            if not self.request.user.is_superuser:
                raise PermissionDenied("Only superusers create top-level organizations.")
        elif not permissions.can_manage_org(self.request.user, parent):
            raise NotFound("No such parent organization.")
        data = {k: v for k, v in serializer.validated_data.items() if k not in ("parent", "is_active")}
        try:
            serializer.instance = services.organization_create(by=self.request.user, parent=parent, **data)
        except DjangoValidationError as exc:
            raise _validation_error(exc) from None

    def perform_update(self, serializer):
        org = serializer.instance
        if not permissions.can_manage_org(self.request.user, org):
            raise PermissionDenied("You do not manage this organization.")
        try:
            services.organization_update(by=self.request.user, organization=org, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _validation_error(exc) from None


class PersonViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """People the user may see. Managers add people to their organizations and edit them."""

    def get_serializer_class(self):
        return PersonCreateSerializer if self.action == "create" else PersonSerializer

    @extend_schema(
        parameters=[OpenApiParameter("organization", str, description="Only people with a role in this organization (code).")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = permissions.visible_people(self.request.user).select_related("unit", "user").order_by("name", "pk")
        code = self.request.query_params.get("organization")
        if code:
            org = permissions.visible_organizations(self.request.user).filter(code=code).first()
            if org is None:
                return qs.none()
            qs = qs.filter(memberships__organization=org).distinct()
        return qs

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        org = data.pop("organization")
        if not permissions.can_manage_org(self.request.user, org):
            raise NotFound("No such organization.")
        try:
            serializer.instance = services.person_create(by=self.request.user, organization=org, **data)
        except DjangoValidationError as exc:
            raise _validation_error(exc) from None

    def perform_update(self, serializer):
        person = serializer.instance
        if not permissions.can_manage_person(self.request.user, person):
            raise PermissionDenied("You do not manage this person.")
        try:
            services.person_update(by=self.request.user, person=person, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _validation_error(exc) from None


class MembershipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Roles over periods. Managers give and change roles in the organizations they manage."""

    serializer_class = MembershipSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("organization", str, description="Organization code."),
            OpenApiParameter("person", int, description="Person id."),
            OpenApiParameter("current", bool, description="Only roles held today."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = permissions.visible_memberships(self.request.user).select_related("organization", "person")
        params = self.request.query_params
        if code := params.get("organization"):
            qs = qs.filter(organization__code=code)
        if person := params.get("person"):
            qs = qs.filter(person_id=person) if person.isdigit() else qs.none()
        if params.get("current") in ("1", "true"):
            qs = qs.current()
        return qs.order_by(F("organization__path"), "role", "start_on", "pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        if not permissions.can_manage_org(self.request.user, data["organization"]):
            raise NotFound("No such organization.")
        if not permissions.visible_people(self.request.user).filter(pk=data["person"].pk).exists():
            raise ValidationError({"person": ["No such person."]})
        try:
            serializer.instance = services.membership_create(by=self.request.user, **data)
        except DjangoValidationError as exc:
            raise _validation_error(exc) from None

    def perform_update(self, serializer):
        membership = serializer.instance
        if not permissions.can_manage_org(self.request.user, membership.organization):
            raise PermissionDenied("You do not manage this organization.")
        try:
            services.membership_update(by=self.request.user, membership=membership, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _validation_error(exc) from None


