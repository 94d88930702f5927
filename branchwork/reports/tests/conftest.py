import datetime
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from branchwork.activities import services
from branchwork.activities.models import AttachmentKind, AttendanceRole, AttendanceStatus
from branchwork.activities.testing import at, held_activity
from branchwork.core.testing import PersonFactory, give_role

TITLE = "二〇二五年第一季度支部党员大会"
PLACE = "党员活动室"
ABSENT_REASON = "出差在外"
RESOLUTION = "同意发展张三同志为预备党员"
AMEND_REASON = "更正会议地点笔误"
NEW_PLACE = "三楼党员活动室"
CAPTION = "支部党员大会现场"
OBSERVER = "刘列席"
OTHERS = [("张明", "Zhang Ming"), ("孙丽", "Sun Li"), ("周强", "Zhou Qiang")]
MAKEUP_NOTE = "自学会议精神并提交心得"
MINUTES = ("<h2>学习内容</h2><p>大家认真学习了<strong>党章</strong>，并进行了讨论。</p>"
           "<ul><li>第一项 &amp; 说明</li><li>第二项</li></ul>"
           '<p>详见<a href="https://example.org/doc">会议文件</a>。</p>')


def png_bytes(color=(200, 30, 30), size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def make_ledger_world(personas):
    """Branch A's 2025: one locked, amended general meeting with everything the minute format
    has; a theme day; and what must stay out (planned, cancelled, next year, branch B)."""
    p = personas.people
    by = personas.alice
    # Three more full members: five with voting rights, four present (Wang Bo is excused).
    others = [PersonFactory(name=name, name_en=en) for name, en in OTHERS]
    for person in others:
        give_role(person, personas.branch_a, start_on=datetime.date(2020, 1, 1))
    meeting = held_activity(
        by=by, organization=personas.branch_a, types=["general_meeting"], title=TITLE,
        starts_at=at(2025, 3, 14), host=p.alice, recorder=p.alice, place=PLACE,
        agenda="传达上级会议精神\n讨论发展党员事宜", session_number=3,
        absent={p.bob: (AttendanceStatus.EXCUSED, ABSENT_REASON)}, minutes=MINUTES,
    )
    services.minutes_save(by=by, activity=meeting, minutes=MINUTES, resolutions=[
        {"text": RESOLUTION, "votes_for": 3, "votes_against": 0, "votes_abstain": 1}])
    services.attendance_add(by=by, activity=meeting, name=OBSERVER, role=AttendanceRole.OBSERVER)
    services.attachment_add(by=by, activity=meeting, kind=AttachmentKind.PHOTO,
                            file=SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png"),
                            caption=CAPTION)
    meeting.refresh_from_db()
    services.minutes_submit(by=by, activity=meeting)
    services.minutes_approve(by=by, activity=meeting)
    meeting.refresh_from_db()
    bob_row = meeting.attendance.get(person=p.bob)
    services.makeup_record(by=by, attendance=bob_row, on=at(2025, 3, 20).date(), note=MAKEUP_NOTE)
    amendment = services.activity_amend(by=by, activity=meeting, reason=AMEND_REASON,
                                        changes={"place": NEW_PLACE})
    theme_day = held_activity(
        by=by, organization=personas.branch_a, types=["theme_day"], title="主题党日：参观红色教育基地",
        starts_at=at(2025, 12, 31, 23, 30),
    )
    # Outside the ledger of branch A for 2025:
    planned = services.activity_schedule(
        by=by, organization=personas.branch_a, types=["theme_day"], title="计划中的主题党日",
        starts_at=at(2025, 6, 1), notify=False)
    next_year = held_activity(by=by, organization=personas.branch_a, types=["theme_day"],
                              title="新年第一次主题党日", starts_at=at(2026, 1, 1, 0, 30))
    other = held_activity(by=by, organization=personas.branch_b, types=["theme_day"],
                          title="综合处主题党日", starts_at=at(2025, 5, 5))
    return SimpleNamespace(meeting=meeting, amendment=amendment, theme_day=theme_day,
                           planned=planned, next_year=next_year, other=other)


@pytest.fixture
def world(personas):
    return make_ledger_world(personas)
