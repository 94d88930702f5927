"""Serializers of activities, their attendance and sign-off, and of compliance.

Reading serializers expect the rows the views prepare (related records joined or prefetched,
attendance counts annotated), so a list costs the same number of queries however long it is.
Writing serializers only parse; the views check permissions and call activities.services.

A package by topic, one name for callers (`from branchwork.api.activity_serializers import
ActivitySerializer`): `reading` (activities, resolutions, elections, amendments as read),
`writing` (what a client sends: activities, attendance, minutes, amendments), `compliance`
(statuses by period, the committee table, the filters of both).
"""

from branchwork.api.activity_serializers.reading import (  # noqa: F401
    ActivityDetailSerializer,
    ActivityPermissionsSerializer,
    ActivitySerializer,
    ActivityStatusField,
    ActivityTypeRefSerializer,
    AmendmentSerializer,
    AttendanceStatusField,
    AttendanceSummarySerializer,
    ElectionCandidateSerializer,
    ElectionCheckSerializer,
    ElectionSerializer,
    ElectionStatusField,
    QuorumSerializer,
    ResolutionSerializer,
    election_rows,
    type_names,
)
from branchwork.api.activity_serializers.writing import (  # noqa: F401
    ActivityUpdateSerializer,
    ActivityWriteSerializer,
    AmendSerializer,
    AmendmentChangesSerializer,
    AttendanceMarkSerializer,
    AttendanceMarksSerializer,
    AttendanceSerializer,
    CoOrganizerCodeField,
    MakeupSerializer,
    MinutesSerializer,
    ResolutionWriteSerializer,
    ReturnSerializer,
    _AgendaField,
    _TypesField,
    _version_needed,
)
from branchwork.api.activity_serializers.compliance import (  # noqa: F401
    ActivityFilterSerializer,
    BranchComplianceSerializer,
    BranchTypeStatusSerializer,
    CadenceSerializer,
    ColumnSerializer,
    CommitteeComplianceSerializer,
    ComplianceQuerySerializer,
    ComplianceStatusField,
    ComplianceTotalsSerializer,
    OrganizationComplianceSerializer,
    PeriodSerializer,
    TypeComplianceSerializer,
)
