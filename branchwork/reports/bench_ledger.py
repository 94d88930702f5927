"""How long a year's ledger takes to build (the issue's budget: PDF ≤ 3 s, DOCX ≤ 2 s for 80
activities with 40 expected attendees each).

`generate_year()` writes such a year straight into the tables (bulk inserts: it is bench data,
not a record anyone kept); `measure()` builds each format a few times and returns the medians.
It runs inside a transaction that is rolled back, so it leaves nothing behind:

    branchwork shell -c "from branchwork.reports.bench_ledger import measure; print(measure())"
"""

from __future__ import annotations

import datetime
import io
import secrets
import statistics
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from branchwork.activities.models import (
    Activity,
    ActivityStatus,
    ActivityTypeTag,
    Amendment,
    Attachment,
    AttachmentKind,
    Attendance,
    AttendanceStatus,
    Credit,
    Resolution,
)
from branchwork.core.models import Membership, MembershipStatus, Organization, OrganizationKind, Person, Role
from branchwork.core.services import derive_status_histories

MINUTES = (
    "<h2>一、传达学习</h2><p>支部书记传达了上级党委会议精神，围绕<strong>理论学习</strong>与"
    "业务工作深度融合作了说明。</p><p>与会党员结合岗位实际逐一发言，认为要把学习成果转化为"
    "推动工作的实际成效。</p><h2>二、讨论事项</h2><ol><li>讨论本季度发展党员工作安排；</li>"
    "<li>研究下一阶段主题党日活动方案；</li><li>通报党费收缴情况。</li></ol>"
    "<blockquote>会议要求：认真整改，按期报送。</blockquote>"
)
TYPES = ["general_meeting", "committee_meeting", "theme_day", "collective_study", "party_lecture"]


def _photo_bytes() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (1200, 800), (180, 40, 40))
    draw = ImageDraw.Draw(img)
    for i in range(0, 1200, 60):
        draw.line([(i, 0), (1200 - i, 800)], fill=(240, 220, 120), width=3)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def generate_year(organization: Organization, by, n_activities: int = 80, attendees: int = 40,
                  year: int | None = None) -> list[Activity]:
    """A locked year of `n_activities` activities of `organization`, each with `attendees`
    expected members (a few excused or absent with reasons), minutes, two resolutions, a photo,
    and an amendment on every tenth."""
    tz = ZoneInfo(settings.TIME_ZONE)
    year = year or timezone.localdate().year - 1
    tag = secrets.token_hex(3)
    people = Person.objects.bulk_create([
        Person(name=f"党员{tag}{i:03d}", name_en=f"Member {tag} {i}",
               membership_status=MembershipStatus.FULL, joined_party_on=datetime.date(2010, 7, 1))
        for i in range(attendees)
    ])
    derive_status_histories(people=people, today=timezone.localdate())
    Membership.objects.bulk_create([
        Membership(person=p, organization=organization, role=Role.MEMBER,
                   start_on=datetime.date(year - 5, 1, 1))
        for p in people
    ])
    photo = default_storage.save(f"bench/{tag}.jpg", ContentFile(_photo_bytes()))
    now = timezone.now()
    activities = Activity.objects.bulk_create([
        Activity(
            organization=organization, title=f"{year}年第{i + 1}次组织生活会议", session_number=i + 1,
            starts_at=datetime.datetime(year, 1, 2, 14, 30, tzinfo=tz)
            + datetime.timedelta(days=i * 360 // max(n_activities, 1)),
            place="党员活动室", host=people[0], recorder=people[1],
            agenda="传达学习上级精神\n讨论发展党员\n通报党费收缴情况", minutes=MINUTES,
            status=ActivityStatus.LOCKED, submitted_at=now, submitted_by=by, locked_at=now,
            locked_by=by, created_by=by,
        )
        for i in range(n_activities)
    ])
    tags, rows, resolutions, credits, attachments, amendments = [], [], [], [], [], []
    for i, activity in enumerate(activities):
        code = TYPES[i % len(TYPES)]
        tags.append(ActivityTypeTag(activity=activity, code=code))
        present = 0
        for j, person in enumerate(people):
            status, reason = AttendanceStatus.PRESENT, ""
            if j % 20 == 7:
                status, reason = AttendanceStatus.EXCUSED, "因公出差"
            elif j % 20 == 13:
                status, reason = AttendanceStatus.ABSENT, "病假"
            present += status == AttendanceStatus.PRESENT
            rows.append(Attendance(
                activity=activity, person=person, organization=organization, status=status,
                reason=reason, marked_via="manual", marked_at=now,
                makeup_on=activity.starts_at.date() + datetime.timedelta(days=5) if reason else None,
                makeup_note="自学补课" if reason else "",
            ))
        resolutions += [
            Resolution(activity=activity, order=0, text="同意本季度发展党员工作安排",
                       votes_for=present, votes_against=0, votes_abstain=0),
            Resolution(activity=activity, order=1, text="同意下一阶段主题党日活动方案"),
        ]
        credits.append(Credit(activity=activity, organization=organization, code=code,
                              on=timezone.localtime(activity.starts_at, tz).date(),
                              year=timezone.localtime(activity.starts_at, tz).year, held=True,
                              counted=True, present=present, base=len(people)))
        attachments.append(Attachment(activity=activity, kind=AttachmentKind.PHOTO, file=photo,
                                      filename="现场.jpg", caption="会议现场", order=0))
        if i % 10 == 0:
            amendments.append(Amendment(activity=activity, by=by, by_name="系统", reason="更正笔误",
                                        entries=[{"field": "place", "old": "活动室", "new": "党员活动室"}]))
    ActivityTypeTag.objects.bulk_create(tags)
    Attendance.objects.bulk_create(rows, batch_size=2000)
    Resolution.objects.bulk_create(resolutions)
    Credit.objects.bulk_create(credits)
    Attachment.objects.bulk_create(attachments)
    Amendment.objects.bulk_create(amendments)
    return activities


class _Rollback(Exception):
    pass


def measure(*, n_activities: int = 80, attendees: int = 40, repeat: int = 5) -> dict[str, float]:
    """Median seconds per build (data read included) of each format, on a generated year."""
    from branchwork.reports import ledger

    results: dict[str, float] = {}
    photo_names: list[str] = []
    try:
        with transaction.atomic():
            org = Organization.add_root(instance=Organization(
                code=f"bench-{secrets.token_hex(4)}", kind=OrganizationKind.BRANCH,
                name_zh="基准测试党支部", name_en="Bench branch"))
            year = timezone.localdate().year - 1
            activities = generate_year(org, None, n_activities=n_activities, attendees=attendees, year=year)
            photo_names = list(Attachment.objects.filter(activity__in=activities)
                               .values_list("file", flat=True).distinct())
            timings: dict[str, list[float]] = {"data": [], "pdf": [], "docx": [], "xlsx": []}
            for _ in range(repeat):
                start = time.perf_counter()
                ledger.ledger_data(organization=org, year=year)
                timings["data"].append(time.perf_counter() - start)
                for fmt in ("pdf", "docx", "xlsx"):
                    start = time.perf_counter()
                    ledger.build(organization=org, year=year, fmt=fmt)
                    timings[fmt].append(time.perf_counter() - start)
            results = {k: round(statistics.median(v), 3) for k, v in timings.items()}
            raise _Rollback
    except _Rollback:
        pass
    finally:
        for name in photo_names:
            default_storage.delete(name)
    return results
