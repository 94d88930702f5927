"""Reads of the learning app, each in a fixed number of queries whatever the data.

Training hours are counted, never stored: from attendance (present or late at a held activity
of one of the rulebook's training types, once per activity however many of those types it
has, for as long as it lasted), from training courses (their recorded hours, for those who
completed them) and from approved external training. Never from time on a page or clicks.
`annotate_hours` adds the year's figures to any queryset of people in one query.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from branchwork.activities.models import HELD_STATES, PRESENT_STATES, Activity, ActivityTypeTag, Attendance
from branchwork.core import permissions
from branchwork.core.models import Membership, Organization, Person, Role
from branchwork.learning.models import (
    CourseParticipant,
    ExternalTraining,
    StudyNote,
    StudyPlan,
    TrainingCourse,
    TrainingStatus,
)
from branchwork.rulebook.loader import Training, get_rulebook

ZERO = Decimal("0")
TENTH = Decimal("0.1")
# Buckets of the yearly distribution (hours from, to): the research app's figures.
BUCKETS = ((0, 8), (8, 16), (16, 24), (24, 32), (32, 56), (56, None))


def training_rule() -> Training | None:
    return get_rulebook().training


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    return (datetime.datetime(year, 1, 1, tzinfo=tz), datetime.datetime(year + 1, 1, 1, tzinfo=tz))


def counted_attendance(year: int, rule: Training | None = None) -> QuerySet[Attendance]:
    """The attendance rows that earn hours in `year`: present (or late) at a held activity of a
    training type, with an end time. One row per person and activity (an activity of two
    training types is one row: the types are asked with EXISTS, never joined)."""
    rule = rule or training_rule()
    if rule is None:
        return Attendance.objects.none()
    start, end = year_bounds(year)
    training_type = ActivityTypeTag.objects.filter(activity=OuterRef("activity_id"), code__in=rule.types)
    return (Attendance.objects
            .filter(person__isnull=False, status__in=PRESENT_STATES, activity__status__in=HELD_STATES,
                    activity__starts_at__gte=start, activity__starts_at__lt=end,
                    activity__ends_at__gt=F("activity__starts_at"))
            .filter(Exists(training_type)))


def _decimal_sum(qs, field: str):
    return Subquery(qs.order_by().values("person").annotate(total=Sum(field)).values("total"),
                    output_field=DecimalField(max_digits=8, decimal_places=1))


def annotate_hours(people: QuerySet[Person], year: int) -> QuerySet[Person]:
    """Each person with `study_time` (a timedelta, attended activities), `course_hours`,
    `external_hours` (Decimals) and `leads` (held a leading role during the year): one query."""
    rule = training_rule()
    start_day, end_day = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    attended = counted_attendance(year, rule).filter(person=OuterRef("pk"))
    duration = ExpressionWrapper(F("activity__ends_at") - F("activity__starts_at"), output_field=DurationField())
    study = Subquery(attended.order_by().values("person").annotate(total=Sum(duration)).values("total"),
                     output_field=DurationField())
    courses = CourseParticipant.objects.filter(person=OuterRef("pk"), course__ends_on__year=year)
    external = ExternalTraining.objects.filter(person=OuterRef("pk"), status=TrainingStatus.APPROVED,
                                               ends_on__year=year)
    leader_roles = rule.leader_roles if rule else ()
    leads = Membership.objects.filter(person=OuterRef("pk"), role__in=leader_roles, start_on__lte=end_day)
    leads = leads.filter(Q(end_on__isnull=True) | Q(end_on__gte=start_day))
    return people.annotate(
        study_time=study,
        course_hours=Coalesce(_decimal_sum(courses, "course__hours"), Value(ZERO),
                              output_field=DecimalField(max_digits=8, decimal_places=1)),
        external_hours=Coalesce(_decimal_sum(external, "hours"), Value(ZERO),
                                output_field=DecimalField(max_digits=8, decimal_places=1)),
        leads=Exists(leads),
    )


def hours_of_time(delta: datetime.timedelta | None) -> Decimal:
    if not delta:
        return ZERO
    return (Decimal(int(delta.total_seconds())) / Decimal(3600)).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass
class HoursRow:
    """One member's year: hours by source, the total and what is required of them."""

    person: Person
    study: Decimal
    courses: Decimal
    external: Decimal
    required: int | None
    leads: bool

    @property
    def total(self) -> Decimal:
        return self.study + self.courses + self.external

    @property
    def short(self) -> bool:
        return self.required is not None and self.total < self.required

    @property
    def missing(self) -> Decimal:
        return max(Decimal(self.required or 0) - self.total, ZERO)

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return min(100, int(self.total * 100 / self.required))


def hours_row(person: Person) -> HoursRow:
    """The figures of a person annotated by `annotate_hours`."""
    rule = training_rule()
    required = None
    if rule is not None:
        required = rule.leader_hours if person.leads else rule.hours
    return HoursRow(person=person, study=hours_of_time(person.study_time),
                    courses=Decimal(person.course_hours or 0), external=Decimal(person.external_hours or 0),
                    required=required, leads=bool(person.leads))


def person_hours(person: Person, year: int) -> HoursRow:
    """One person's year (one query). The query's SQL depends only on the year, the time zone
    and the rulebook's training rule, and building it through the ORM costs twenty times what
    the database spends answering it (/my/ asks on every request): it is built once per
    shape and kept (`_hours_sql`), then asked for this person."""
    rule = training_rule()
    if rule is None:
        return hours_row(annotate_hours(Person.objects.filter(pk=person.pk), year).get())
    sql, params = _hours_sql(year, rule, timezone.get_current_timezone_name(), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, person.pk])
        _pk, study, courses, external, leads = cursor.fetchone()
    return HoursRow(person=person, study=hours_of_time(_duration(study)), courses=_decimal(courses),
                    external=_decimal(external), required=rule.leader_hours if leads else rule.hours,
                    leads=bool(leads))


@functools.lru_cache(maxsize=16)
def _hours_sql(year: int, rule: Training, tz: str, vendor: str) -> tuple[str, tuple]:
    """`annotate_hours` over every person, as SQL taking one more parameter: the person's id.
    (The rule, the time zone and the database are part of the key: the SQL holds the first two
    as parameters and is written for the third.)"""
    columns = ("hours_key", "study_time", "course_hours", "external_hours", "leads")
    inner = annotate_hours(Person.objects.all(), year).values(*columns[1:], hours_key=F("pk")).order_by()
    sql, params = inner.query.sql_with_params()
    outer = ", ".join(f"hours.{connection.ops.quote_name(c)}" for c in columns)
    return (f"SELECT {outer} FROM ({sql}) hours WHERE hours.{connection.ops.quote_name('hours_key')} = %s",  # noqa: S608
            tuple(params))


def _duration(value) -> datetime.timedelta | None:
    """A summed duration as the database returns it: a timedelta (PostgreSQL) or microseconds."""
    if value is None or isinstance(value, datetime.timedelta):
        return value
    return datetime.timedelta(microseconds=int(value))


def _decimal(value) -> Decimal:
    """A summed number of hours as `hours_row` gets it from the ORM (a tenth, or 0)."""
    return Decimal((Decimal(str(value)) if value is not None else None) or 0)


def members_in_year(org: Organization, year: int, *, subtree: bool = False) -> QuerySet[Person]:
    """People holding the role of member in `org` (or, with `subtree`, in it and the
    organizations under it) on some day of `year`."""
    start_day, end_day = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    memberships = Membership.objects.filter(role=Role.MEMBER, start_on__lte=end_day).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=start_day))
    if subtree:
        memberships = memberships.filter(organization__path__startswith=org.path)
    else:
        memberships = memberships.filter(organization=org)
    return Person.objects.filter(pk__in=memberships.values("person_id"))


def organization_hours(org: Organization, year: int) -> list[HoursRow]:
    """Every member's year, in name order (never ranked by hours): one query."""
    people = annotate_hours(members_in_year(org, year), year).order_by("name", "pk")
    return [hours_row(p) for p in people]


def hours_distribution(org: Organization, year: int) -> list[dict]:
    """How many members of `org` and the organizations under it earned how many hours in
    `year`: buckets of hours with counts, no names (for the yearly figures). One query."""
    counts = [0] * len(BUCKETS)
    for person in annotate_hours(members_in_year(org, year, subtree=True), year):
        total = hours_row(person).total
        for index, (low, high) in enumerate(BUCKETS):
            if total >= low and (high is None or total < high):
                counts[index] += 1
                break
    return [{"from": low, "to": high, "label": f"{low}–{high}" if high is not None else f"≥{low}",
             "count": count} for (low, high), count in zip(BUCKETS, counts, strict=True)]


@dataclass
class HoursEntry:
    on: datetime.date
    title: str
    kind: str  # activity | course | external
    hours: Decimal
    activity: Activity | None = None


def hours_entries(person: Person, year: int) -> list[HoursEntry]:
    """What a person's hours of the year are made of, by date (three queries)."""
    entries = []
    rows = (counted_attendance(year).filter(person=person)
            .select_related("activity__organization").order_by("activity__starts_at"))
    for row in rows:
        activity = row.activity
        entries.append(HoursEntry(on=activity.local_date, title=activity.title, kind="activity",
                                  hours=hours_of_time(activity.ends_at - activity.starts_at),
                                  activity=activity))
    taken = CourseParticipant.objects.filter(person=person).values("course_id")
    for course in TrainingCourse.objects.filter(pk__in=taken, ends_on__year=year):
        entries.append(HoursEntry(on=course.ends_on, title=course.title, kind="course", hours=course.hours))
    for training in ExternalTraining.objects.filter(person=person, status=TrainingStatus.APPROVED,
                                                    ends_on__year=year):
        entries.append(HoursEntry(on=training.ends_on, title=training.title, kind="external",
                                  hours=training.hours))
    return sorted(entries, key=lambda e: e.on)


# --- Plans and notes ---


def plans_of(org: Organization) -> QuerySet[StudyPlan]:
    return StudyPlan.objects.filter(organization=org).order_by("-year")


def plan_items(plan: StudyPlan):
    return (plan.items.select_related("article", "talk")
            .prefetch_related("sessions__organization").order_by("month", "order", "pk"))


def notes_visible_in(user, org: Organization) -> QuerySet[StudyNote]:
    return (permissions.visible(user, StudyNote).filter(organization=org)
            .select_related("person", "item").order_by("-created_at", "-pk"))
