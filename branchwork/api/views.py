"""The REST API: organizations, people and roles, under core.permissions like every page.

Reads are scoped to what the user may see, so outsiders get 404; writes go through core.services
and need the user to manage the organization concerned, else 403.
"""

import re

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branchwork.api.errors import service_errors as _service_errors
from branchwork.api.serializers import (
    MembershipSerializer,
    MembershipUpdateSerializer,
    MeSerializer,
    OrganizationCreateSerializer,
    OrganizationSerializer,
    OrganizationUpdateSerializer,
    PersonCreateSerializer,
    PersonSerializer,
    StatusChangeSerializer,
    StatusChangeUpdateSerializer,
)
from branchwork.core import permissions, services, validators
from branchwork.core.models import Membership, MembershipStatusChange, Organization

_TRUE = ("1", "true", "yes")


def _query_id(value: str, name: str) -> int | None:
    """A query parameter that names a record by id: an integer that is no record's id (0, negative,
    beyond the largest) matches nothing; anything else ("true", "1.5") is refused with a 400."""
    if not re.fullmatch(r"[+-]?[0-9]+", value.strip()):
        raise ValidationError({name: [_("Enter a whole number.")]})
    return validators.parse_id(value.strip().lstrip("+"))


class _ReadCreateUpdateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Nothing is deleted through the API: organizations close and roles end instead."""


_ORG_UPDATE_SCHEMA = extend_schema(
    request=OrganizationUpdateSerializer, responses=OrganizationSerializer
)


@extend_schema_view(
    create=extend_schema(
        request=OrganizationCreateSerializer, responses={201: OrganizationSerializer}
    ),
    update=_ORG_UPDATE_SCHEMA,
    partial_update=_ORG_UPDATE_SCHEMA,
)
class OrganizationViewSet(_ReadCreateUpdateViewSet):
    """Organizations the user may see. Create under, or change, an organization one manages.
    Closing, reopening and moving one are for the managers of the level above, with `confirm`."""

    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_serializer_class(self):
        if self.action == "create":
            return OrganizationCreateSerializer
        if self.action in ("update", "partial_update"):
            return OrganizationUpdateSerializer
        return OrganizationSerializer

    def get_queryset(self):
        parent_code = Organization.objects.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)
        ).values("code")[:1]
        return (
            permissions.visible_organizations(self.request.user)
            .select_related("unit")
            .annotate(parent_code=Subquery(parent_code))
            .order_by("path")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        parent = data.pop("parent", None)
        if not permissions.can_create_org_under(self.request.user, parent):
            raise PermissionDenied("You do not manage the organization above.")
        with _service_errors():
            org = services.organization_create(by=self.request.user, parent=parent, **data)
        org.parent_code = parent.code if parent else None
        serializer.instance = org

    def perform_update(self, serializer):
        user = self.request.user
        org = serializer.instance
        data = dict(serializer.validated_data)
        confirm = data.pop("confirm", False)
        active = data.pop("is_active", org.is_active)
        parent = data.pop("parent", None)
        if parent is not None and parent.path == org.parent_path:
            parent = None  # already there: not a move
        restructure = active != org.is_active or parent is not None
        if restructure:
            # The level above decides; an organization's own managers cannot close or move it.
            if not permissions.can_restructure_org(user, org):
                raise PermissionDenied(
                    "Closing, reopening or moving an organization is for the managers of the "
                    "organization above it."
                )
            if parent is not None and not permissions.can_manage_org(user, parent):
                raise PermissionDenied("You do not manage the organization to move it under.")
            if not confirm:
                raise ValidationError(
                    {"confirm": [
                        _("Closing, reopening or moving an organization changes what its "
                          "members see: send confirm=true to do it.")
                    ]}
                )
        if (data or not restructure) and not permissions.can_manage_org(user, org):
            raise PermissionDenied("You do not manage this organization.")
        with _service_errors():
            if data:
                services.organization_update(by=user, organization=org, **data)
            if parent is not None:
                services.organization_move(by=user, organization=org, parent=parent)
            if active != org.is_active:
                services.organization_set_active(by=user, organization=org, active=active)
        org.parent_code = (
            Organization.objects.filter(path=org.parent_path).values_list("code", flat=True).first()
            if org.depth > 1 else None
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "organization",
                str,
                description="Only people who hold or held a role in this organization (code).",
            )
        ]
    ),
    create=extend_schema(request=PersonCreateSerializer, responses={201: PersonSerializer}),
)
class PersonViewSet(_ReadCreateUpdateViewSet):
    """People the user may see. Managers add people to their organizations and edit them."""

    def get_serializer_class(self):
        return PersonCreateSerializer if self.action == "create" else PersonSerializer

    def get_queryset(self):
        user = self.request.user
        qs = permissions.visible_people(user).select_related("unit", "user").order_by("name", "pk")
        if code := self.request.query_params.get("organization"):
            org = permissions.visible_organizations(user).filter(code=code).first()
            if org is None:
                return qs.none()
            qs = qs.filter(pk__in=Membership.objects.filter(organization=org).values("person_id"))
        return qs

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        org = data.pop("organization")
        if not permissions.can_manage_org(self.request.user, org):
            raise PermissionDenied("You do not manage this organization.")
        with _service_errors():
            serializer.instance = services.person_create(
                by=self.request.user, organization=org, **data
            )

    def perform_update(self, serializer):
        person = serializer.instance
        if not permissions.can_manage_person(self.request.user, person):
            raise PermissionDenied("You do not manage this person.")
        with _service_errors():
            services.person_update(by=self.request.user, person=person, **serializer.validated_data)


_UPDATE_SCHEMA = extend_schema(request=MembershipUpdateSerializer, responses=MembershipSerializer)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "organization", str, description="Only roles in this organization (code)."
            ),
            OpenApiParameter("person", int, description="Only roles of this person (id)."),
            OpenApiParameter("current", bool, description="Only roles held today."),
        ]
    ),
    update=_UPDATE_SCHEMA,
    partial_update=_UPDATE_SCHEMA,
)
class MembershipViewSet(_ReadCreateUpdateViewSet):
    """Roles over periods. Managers give and change roles in the organizations they manage."""

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return MembershipUpdateSerializer
        return MembershipSerializer

    def get_queryset(self):
        qs = permissions.visible_memberships(self.request.user).select_related("organization")
        params = self.request.query_params
        if code := params.get("organization"):
            qs = qs.filter(organization__code=code)
        if person := params.get("person"):
            person_id = _query_id(person, "person")
            qs = qs.filter(person_id=person_id) if person_id else qs.none()
        if params.get("current", "").lower() in _TRUE:
            qs = qs.current()
        return qs.order_by("organization__path", "role", "start_on", "pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        if not permissions.can_manage_org(self.request.user, data["organization"]):
            raise PermissionDenied("You do not manage this organization.")
        with _service_errors():
            serializer.instance = services.membership_create(by=self.request.user, **data)

    def perform_update(self, serializer):
        membership = serializer.instance
        if not permissions.can_manage_org(self.request.user, membership.organization):
            raise PermissionDenied("You do not manage this organization.")
        with _service_errors():
            services.membership_update(
                by=self.request.user, membership=membership, **serializer.validated_data
            )


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("person", int, description="Only the history of this person (id).")]
    ),
    update=extend_schema(request=StatusChangeUpdateSerializer, responses=StatusChangeSerializer),
    partial_update=extend_schema(request=StatusChangeUpdateSerializer, responses=StatusChangeSerializer),
)
class StatusChangeViewSet(_ReadCreateUpdateViewSet):
    """Membership status histories: of the people one manages, and one's own. Managers record
    and correct changes; each write is in the audit trail. As everywhere in the API nothing is
    deleted: a change recorded in error is removed on the person's page, with its own entry."""

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return StatusChangeUpdateSerializer
        return StatusChangeSerializer

    def get_queryset(self):
        user = self.request.user
        people = permissions.manageable_people(user).values("pk")
        qs = MembershipStatusChange.objects.filter(
            Q(person_id__in=people) | Q(person__user_id=user.pk)
        ).order_by("person_id", F("effective_on").asc(nulls_first=True), "pk")
        if person := self.request.query_params.get("person"):
            person_id = _query_id(person, "person")
            qs = qs.filter(person_id=person_id) if person_id else qs.none()
        return qs

    def _check(self, person):
        if not permissions.can_manage_person(self.request.user, person):
            raise PermissionDenied("You do not manage this person.")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        self._check(data["person"])
        with _service_errors():
            serializer.instance = services.status_change_record(by=self.request.user, **data)

    def perform_update(self, serializer):
        change = serializer.instance
        self._check(change.person)
        with _service_errors():
            services.status_change_update(by=self.request.user, change=change, **serializer.validated_data)


class MeView(APIView):
    """Who the API sees: the account, its person and the roles they hold today."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        person = permissions.visible_people(user).filter(user=user).first()
        roles = (
            permissions.visible_memberships(user)
            .current()
            .filter(person=person)
            .select_related("organization")
            .order_by("organization__path", "role", "start_on", "pk")
            if person is not None
            else Membership.objects.none()
        )
        me = {"username": user.get_username(), "person": person, "roles": roles}
        return Response(MeSerializer(me, context={"request": request}).data)
