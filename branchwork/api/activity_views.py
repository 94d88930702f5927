"""The REST API of organizational life: activities, attendance, sign-off and compliance.

The same policy as the pages, from core.permissions: an activity one may not see answers 404;
one that can be seen but not acted on answers 403. Every write goes through activities.services,
whose refusals (a locked record, an incomplete one) answer 400 with their translated message.
"""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branchwork.activities import selectors, services
from branchwork.activities.models import (
    Activity,
    ActivitySource,
    ActivityTypeTag,
    AttendanceRole,
    AttendanceStatus,
)
from branchwork.api.activity_serializers import (
    ActivityDetailSerializer,
    ActivityFilterSerializer,
    ActivitySerializer,
    ActivityUpdateSerializer,
    ActivityWriteSerializer,
    AmendSerializer,
    AttendanceMarksSerializer,
    AttendanceSerializer,
    CommitteeComplianceSerializer,
    ComplianceQuerySerializer,
    MinutesSerializer,
    OrganizationComplianceSerializer,
    ReturnSerializer,
    type_names,
)
from branchwork.api.errors import service_errors
from branchwork.core import permissions
from branchwork.core.models import Organization
from branchwork.rulebook.compliance import Cell, TypeCompliance


def _attendance_counts(qs):
    """Annotate the attendance summary: one join, conditional counts."""
    expected = Q(attendance__role=AttendanceRole.EXPECTED)

    def expected_with(status_value):
        return Count("attendance", filter=expected & Q(attendance__status=status_value))

    return qs.annotate(
        n_expected=Count("attendance", filter=expected),
        n_present=expected_with(AttendanceStatus.PRESENT),
        n_late=expected_with(AttendanceStatus.LATE),
        n_excused=expected_with(AttendanceStatus.EXCUSED),
        n_absent=expected_with(AttendanceStatus.ABSENT),
        n_unmarked=expected_with(AttendanceStatus.UNMARKED),
        n_observers=Count("attendance", filter=Q(attendance__role=AttendanceRole.OBSERVER)),
    )


def _for_reading(qs, *, detail: bool):
    """What the serializers read, fetched in a fixed number of queries whatever the count."""
    qs = _attendance_counts(qs).select_related("organization", "host", "recorder", "lecturer")
    prefetches = [
        Prefetch("type_tags", queryset=ActivityTypeTag.objects.order_by("pk")),
        Prefetch("co_organizers", queryset=Organization.objects.order_by("path")),
    ]
    if detail:
        prefetches += ["resolutions", "amendments", "elections__candidates__person"]
    return qs.prefetch_related(*prefetches).order_by("-starts_at", "-pk")


def _sign_off_schema(request=None, description=""):
    return extend_schema(
        request=request,
        responses={200: ActivityDetailSerializer},
        description=description,
    )


@extend_schema_view(
    list=extend_schema(parameters=[ActivityFilterSerializer]),
    create=extend_schema(
        request=ActivityWriteSerializer, responses={201: ActivityDetailSerializer}
    ),
    partial_update=extend_schema(
        request=ActivityUpdateSerializer, responses={200: ActivityDetailSerializer}
    ),
)
class ActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Activities the user may see: those their organizations host or co-organize, and those on
    whose attendance list they are. Managers of the host organization schedule and change them.
    Nothing is deleted through the API: a planned activity is cancelled on its page instead."""

    # What each action reads from a request body; the browsable API builds its forms from them.
    _REQUEST_SERIALIZERS = {
        "create": ActivityWriteSerializer,
        "partial_update": ActivityUpdateSerializer,
        "minutes": MinutesSerializer,
        "submit": serializers.Serializer,
        "approve": serializers.Serializer,
        "send_back": ReturnSerializer,
        "amend": AmendSerializer,
    }

    def get_serializer_class(self):
        if self.action == "list":
            return ActivitySerializer
        if self.action == "attendance":
            is_post = self.request is not None and self.request.method == "POST"
            return AttendanceMarksSerializer if is_post else AttendanceSerializer
        return self._REQUEST_SERIALIZERS.get(self.action, ActivityDetailSerializer)

    def get_queryset(self):
        qs = permissions.visible(self.request.user, Activity)
        if self.action == "list":
            qs = self._filtered(qs)
        return _for_reading(qs, detail=self.action != "list")

    def _filtered(self, qs):
        query = ActivityFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        if filters.get("org"):
            org = (
                permissions.visible_organizations(self.request.user)
                .filter(code=filters["org"])
                .first()
            )
            if org is None:
                return qs.none()
            qs = qs.filter(pk__in=Activity.objects.for_organization(org).values("pk"))
        if "year" in filters:
            qs = qs.filter(starts_at__year=filters["year"])  # in the deployment's time zone
        if "type" in filters:
            qs = qs.filter(
                pk__in=ActivityTypeTag.objects.filter(code=filters["type"]).values("activity_id")
            )
        if "status" in filters:
            qs = qs.filter(status=filters["status"])
        return qs

    def _detail(self, activity: Activity, code: int = status.HTTP_200_OK) -> Response:
        """The activity as it now is, read afresh with everything the detail shows."""
        fresh = _for_reading(Activity.objects.filter(pk=activity.pk), detail=True).get()
        serializer = ActivityDetailSerializer(fresh, context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    def _parse(self, serializer_class, **kwargs):
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return serializer

    # --- Scheduling and changing ---

    def create(self, request: Request, format=None) -> Response:
        data = dict(self._parse(ActivityWriteSerializer).validated_data)
        org = data.pop("organization")
        if not permissions.can_manage_org(request.user, org):
            raise PermissionDenied(_("You do not manage this organization."))
        with service_errors():
            activity = services.activity_schedule(
                by=request.user, organization=org, source=ActivitySource.API, **data
            )
        return self._detail(activity, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk=None, format=None) -> Response:
        activity = self.get_object()
        if not permissions.can(request.user, "manage", activity):
            raise PermissionDenied(_("You do not manage this activity."))
        data = self._parse(ActivityUpdateSerializer, partial=True).validated_data
        with service_errors():
            activity = services.activity_update(by=request.user, activity=activity, **data)
        return self._detail(activity)

    # --- Attendance ---

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: AttendanceSerializer(many=True)},
        description="The attendance list: who is expected, observers, and their marks.",
    )
    @extend_schema(
        methods=["POST"],
        request=AttendanceMarksSerializer,
        responses={200: AttendanceSerializer(many=True)},
        description="Mark attendance by row id (the recorder, the host or a manager). "
        "Answers the whole list as it now is.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def attendance(self, request: Request, pk=None, format=None) -> Response:
        activity = self.get_object()
        if request.method == "POST":
            if not permissions.can(request.user, "record", activity):
                raise PermissionDenied(_("You may not record this activity."))
            marks = self._parse(AttendanceMarksSerializer).marks_by_row()
            with service_errors():
                services.attendance_mark(by=request.user, activity=activity, marks=marks)
        rows = activity.attendance.select_related("person", "organization").order_by(
            "role", "organization__path", "pk"
        )
        return Response(AttendanceSerializer(rows, many=True).data)

    # --- Minutes and sign-off ---

    @_sign_off_schema(
        MinutesSerializer,
        "Save the draft of the minutes (the recorder, the host or a manager).",
    )
    @action(detail=True, methods=["post"])
    def minutes(self, request: Request, pk=None, format=None) -> Response:
        activity = self.get_object()
        if not permissions.can(request.user, "record", activity):
            raise PermissionDenied(_("You may not record this activity."))
        data = self._parse(MinutesSerializer).validated_data
        with service_errors():
            services.minutes_save(by=request.user, activity=activity, **data)
        return self._detail(activity)

    @_sign_off_schema(
        None, "Submit the minutes for approval (the recorder, the host or a manager)."
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk=None, format=None) -> Response:
        activity = self.get_object()
        if not permissions.can(request.user, "record", activity):
            raise PermissionDenied(_("You may not record this activity."))
        with service_errors():
            services.minutes_submit(by=request.user, activity=activity)
        return self._detail(activity)

    @_sign_off_schema(None, "Approve the submitted minutes, which locks the record (the host).")
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk=None, format=None) -> Response:
        activity = self.get_object()
        if not permissions.can(request.user, "approve", activity):
            raise PermissionDenied(_("You may not approve these minutes."))
        with service_errors():
            services.minutes_approve(by=request.user, activity=activity)
        return self._detail(activity)

    @_sign_off_schema(
        ReturnSerializer, "Send the submitted minutes back, saying what should change."
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request: Request, pk=None, format=None) -> Response:
        activity = self.get_object()
        if not permissions.can(request.user, "approve", activity):
            raise PermissionDenied(_("You may not approve these minutes."))
        comment = self._parse(ReturnSerializer).validated_data["comment"]
        with service_errors():
            services.minutes_return(by=request.user, activity=activity, comment=comment)
        return self._detail(activity)

    @_sign_off_schema(
        AmendSerializer,
        "Change a locked record, saying why (a manager or the host); the amendment is kept.",
    )
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk=None, format=None) -> Response:
        activity = self.get_object()
        user = request.user
        # Managers, and the host who approved it ("approve": the host if there is one).
        if not (
            permissions.can(user, "manage", activity)
            or permissions.can(user, "approve", activity)
        ):
            raise PermissionDenied(_("You may not amend this record."))
        data = self._parse(AmendSerializer).validated_data
        marks = {m["id"]: (m["status"], m["reason"]) for m in data.get("marks", [])}
        with service_errors():
            services.activity_amend(
                by=user,
                activity=activity,
                reason=data["reason"],
                changes=data.get("changes"),
                marks=marks or None,
                resolutions=data.get("resolutions"),
                version=data.get("version"),
            )
        return self._detail(activity)


# --- Compliance ---


def _cell(cell: Cell | None) -> dict | None:
    if cell is None:
        return None
    return {
        "key": cell.period.key,
        "start": cell.period.start,
        "end": cell.period.end,
        "required": cell.required,
        "held": cell.held,
        "planned": cell.planned,
        "without_quorum": cell.without_quorum,
        "status": cell.status,
    }


def _cadence(activity_type) -> dict:
    return {"count": activity_type.cadence.count, "per": activity_type.cadence.per}


def _type_compliance(tc: TypeCompliance) -> dict:
    return {
        **type_names(tc.type.code),
        "local": tc.type.local,
        "source": tc.type.source,
        "cadence": _cadence(tc.type),
        "periods": [_cell(c) for c in tc.cells],
        "required": tc.required,
        "held": tc.held,
        "held_total": tc.held_total,
        "overdue": tc.overdue,
        "status": tc.worst(),
    }


_COMPLIANCE = PolymorphicProxySerializer(
    component_name="Compliance",
    serializers={
        "organization": OrganizationComplianceSerializer,
        "branches": CommitteeComplianceSerializer,
    },
    resource_type_field_name="scope",
)


class ComplianceView(APIView):
    """Compliance with the rulebook over a year: an organization's, or its branches' table."""

    @extend_schema(
        parameters=[ComplianceQuerySerializer],
        responses={200: _COMPLIANCE, 404: OpenApiResponse(description="No such organization.")},
        description="With scope=organization (the default): per type of the rulebook that applies "
        "to the organization, every period of the year with what was required, held and planned. "
        "With scope=branches: every branch at or under the organization (the committee table), "
        "per type the status of the current period and the year's held and required.",
    )
    def get(self, request: Request, format=None) -> Response:
        query = ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        org = permissions.get_org_or_404(request.user, params["org"])
        today = timezone.localdate()
        year = params.get("year") or today.year
        head = {
            "scope": params["scope"],
            "organization": org.code,
            "organization_name": org.display_name,
            "year": year,
        }
        if params["scope"] == "branches":
            table = self._branches(org, year, today)
            return Response(CommitteeComplianceSerializer({**head, **table}).data)
        [result] = selectors.compliance([org], year, today)
        types = [_type_compliance(tc) for tc in result.types]
        totals = {key: sum(t[key] for t in types) for key in ("required", "held", "overdue")}
        body = {**head, "types": types, "totals": totals}
        return Response(OrganizationComplianceSerializer(body).data)

    @staticmethod
    def _branches(org: Organization, year: int, today) -> dict:
        columns = selectors.committee_types()
        codes = [t.code for t in columns]
        rows = []
        for oc in selectors.compliance(list(selectors.branches_under(org)), year, today, codes):
            by_code = oc.by_code()
            rows.append({
                "code": oc.organization.code,
                "name": oc.organization.display_name,
                "types": [
                    {
                        "code": code,
                        "current": _cell(by_code[code].current(today)),
                        "held": by_code[code].held,
                        "required": by_code[code].required,
                        "status": by_code[code].worst(),
                    }
                    for code in codes
                    if code in by_code
                ],
                "overdue": sum(tc.overdue for tc in oc.types),
            })
        types = [{**type_names(t.code), "cadence": _cadence(t)} for t in columns]
        return {"types": types, "branches": rows}
