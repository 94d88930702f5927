"""The secretary's pages in a real Chromium, on a phone in Chinese and on a desk in English: no
page wider than the screen, a wide table only inside a frame that shows it scrolls; and the
projector's check-in code decoded from a screenshot at three screen widths."""

import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone

from branchwork.activities import services
from branchwork.activities.models import AttendanceStatus
from branchwork.activities.testing import held_activity
from branchwork.browser import screenshot_path

pytestmark = pytest.mark.browser

# What is wrong with the layout, as a list (empty when all is well): the page scrolls sideways,
# or a table is wider than what shows it without being in a frame that scrolls and says so.
OVERFLOW = """() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) problems.push("page is " + doc.scrollWidth + " px wide");
  for (const table of document.querySelectorAll("main table")) {
    let frame = null;
    for (let el = table.parentElement; el && el !== document.body; el = el.parentElement) {
      const ox = getComputedStyle(el).overflowX;
      if (ox === "auto" || ox === "scroll") { frame = el; break; }
    }
    const box = frame || table.parentElement;
    if (table.scrollWidth > box.clientWidth + 1) {
      const visibleCue = frame && frame.classList.contains("scroll-frame") && frame.classList.contains("scrolls")
        && getComputedStyle(frame).borderTopStyle !== "none"
        && frame.previousElementSibling && frame.previousElementSibling.classList.contains("scroll-note")
        && !frame.previousElementSibling.hidden;
      if (!visibleCue) problems.push("table." + table.className + " is cut without a visible cue");
    }
  }
  return problems;
}"""


def context_for(browser, live_server, user, *, width, height, language, phone=False):
    client = Client()
    client.force_login(user, backend="branchwork.core.auth.UsernameOrEmailBackend")
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN" if language == "zh-hans" else "en-US",
        viewport={"width": width, "height": height},
        **({"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if phone else {}),
    )
    context.add_cookies([
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
        {"name": "bw_language", "value": language, "url": live_server.url},
    ])
    return context


@pytest.fixture
def records(transactional_db, personas):
    """A branch's autumn: a long-titled meeting held with one excused and an amended lecture,
    a planned one, and the one being held now (for the check-in screen)."""
    p = personas
    now = timezone.now()
    held = held_activity(
        by=p.alice, organization=p.branch_a, types=["general_meeting", "theme_day"],
        title="支部党员大会：讨论接收预备党员并学习《中国共产党支部工作条例（试行）》全文",
        starts_at=now - datetime.timedelta(days=6), host=p.people.alice, recorder=p.people.bob,
        absent={p.people.bob: (AttendanceStatus.EXCUSED, "因公出差到外地调研")},
        minutes="<p>李爱丽传达文件精神。</p><p>大家逐条学习条例。</p>")
    locked = held_activity(
        by=p.alice, organization=p.branch_a, types=["party_lecture"], title="专题党课：调查研究的方法",
        lecturer=p.people.alice, place="党员活动室",
        starts_at=now - datetime.timedelta(days=20), host=p.people.alice, recorder=p.people.bob,
        minutes="<p>第一部分。</p><p>第二部分，讲调研方法。</p><p>第三部分。</p>", lock=True)
    services.activity_amend(by=p.alice, activity=locked, reason="补记主讲人要点",
                            changes={"minutes": "第一部分。\n\n第二部分，讲调研方法和案例。\n\n第三部分。",
                                     "place": "三楼党员活动室"})
    services.activity_schedule(
        by=p.alice, organization=p.branch_a, types=["collective_study"], notify=False,
        title="集体学习：习近平新时代中国特色社会主义思想专题研讨（第四次）",
        starts_at=now + datetime.timedelta(days=4), host=p.people.alice, recorder=p.people.bob)
    now_on = services.activity_schedule(
        by=p.alice, organization=p.branch_a, types=["theme_day"], notify=False,
        title="十一月主题党日", starts_at=now - datetime.timedelta(minutes=5), place="三楼党员活动室",
        host=p.people.alice, recorder=p.people.bob)
    return {"held": held, "locked": locked, "now": now_on}


PAGES = {
    "activities-list": lambda r: "/orgs/branch-a/activities/",
    "activity-detail": lambda r: r["locked"].get_absolute_url(),
    "activity-held": lambda r: r["held"].get_absolute_url(),
    "attendance": lambda r: r["now"].get_absolute_url() + "attendance/",
    "compliance": lambda r: "/orgs/branch-a/compliance/",
    "committee-table": lambda r: "/orgs/cmte/compliance/branches/",
    "my": lambda r: "/my/",
}
VIEWS = {"phone-zh": dict(width=390, height=844, language="zh-hans", phone=True),
         "desk-en": dict(width=1280, height=900, language="en")}


# The committee's table is read by the committee's staff; the branch's pages by its secretary.
READER = {"committee-table": "dan"}


@pytest.mark.parametrize("view", list(VIEWS))
def test_the_secretarys_pages_fit_a_phone_and_english(browser, live_server, personas, records, view):
    contexts = {username: context_for(browser, live_server, getattr(personas, username), **VIEWS[view])
                for username in ("alice", "dan")}
    pages = {username: c.new_page() for username, c in contexts.items()}
    found = {}
    for name, path in PAGES.items():
        page = pages[READER.get(name, "alice")]
        page.set_default_timeout(20000)
        page.goto(path(records))
        page.wait_for_load_state("load")
        page.screenshot(path=screenshot_path(f"secretary-{name}-{view}"), full_page=True)
        problems = page.evaluate(OVERFLOW)
        if problems:
            found[name] = problems
    for c in contexts.values():
        c.close()
    assert found == {}


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800), (1920, 1080)])
def test_the_check_in_code_scans_and_the_instruction_shows(browser, live_server, personas, records,
                                                          width, height):
    import zxingcpp
    from PIL import Image
    from playwright.sync_api import expect

    from branchwork.activities.views import checkin_url

    activity = records["now"]
    context = context_for(browser, live_server, personas.bob, width=width, height=height,
                          language="zh-hans", phone=width < 500)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(activity.get_absolute_url() + "checkin/")
    shot = page.screenshot(path=screenshot_path(f"secretary-checkin-screen-{width}"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # The code decodes from what the screen shows, to the check-in address.
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert [c.text for c in codes] == [checkin_url(activity)]
    # It is square, whole on the screen, and the instruction is visible without scrolling.
    box = page.locator(".qr svg").bounding_box()
    assert abs(box["width"] - box["height"]) < 1
    assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height
    instruction = page.get_by_text("请用手机扫码签到。")
    assert instruction.is_visible()
    top = instruction.bounding_box()
    assert 0 <= top["y"] and top["y"] + top["height"] <= height
    # Centred: as much room on its left as on the right of the code and its count together.
    group = page.locator(".qr-box").evaluate("""el => {
      const kids = [...el.children].map(c => c.getBoundingClientRect());
      const left = Math.min(...kids.map(k => k.left)), right = Math.max(...kids.map(k => k.right));
      const r = el.getBoundingClientRect();
      return [left - r.left, r.right - right];
    }""")
    assert abs(group[0] - group[1]) <= 24, group

    # The count refreshes by itself when someone checks in.
    services.attendance_check_in(user=personas.alice, activity=activity)
    expect(page.locator("[data-checkin-names]")).to_contain_text("李爱丽", timeout=15000)
    expect(page.locator("[data-checkin-count]")).to_contain_text("已签到1人")
    context.close()
