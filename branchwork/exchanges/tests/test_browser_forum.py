"""The whole of "It must show", in a real Chromium: a foreign-affairs officer creates an event,
imports 400 participants from an Excel file (names in many scripts), drafts the visa letters,
which a second official approves, and downloads one (its PDF read back); prints the badges (the
PDF read back: Arabic, Thai, Cyrillic and Chinese names; its first sheet rendered to PNG); a
colleague on a phone-sized screen, in a browser without BarcodeDetector, is told to type and
checks three people in by badge code; the figures page shows the counts of the records."""

import io
import subprocess

import openpyxl
import pytest
from playwright.sync_api import expect

from branchwork.browser import screenshot_path
from branchwork.core.models import Role
from branchwork.core.testing import give_role, person_with_login
from branchwork.exchanges import figures
from branchwork.exchanges.models import Event, Participant, ParticipantStatus
from branchwork.exchanges.programme_models import Letter, LetterState
from branchwork.exchanges.testing import NAMES, exchanges_world
from branchwork.exchanges.tests.test_badges import in_order, pdf_text, squeeze
from branchwork.exchanges.tests.test_trips_browser import log_in

pytestmark = pytest.mark.browser

GUESTS = 400
TITLE = "2026 世界政党青年论坛（浏览器测试）"


def participants_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name in own script", "Name in Latin letters", "中文译名", "Country", "Status", "Email"])
    for i in range(GUESTS):
        native, latin, zh, country = NAMES[i % len(NAMES)]
        sheet.append([native, latin, zh, country, "confirmed", f"guest{i:03d}@example.net"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _context(browser, live_server, *, phone=False):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    extra = {"device_scale_factor": 2, "is_mobile": True, "has_touch": True} if phone else {}
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=size, **extra)
    context.set_default_timeout(60000)  # 400 rows imported, 400 badges typeset on a busy machine
    return context, context.new_page()


def test_a_forum_of_400_from_import_to_letters_badges_check_in_and_figures(
        transactional_db, personas, password, browser, live_server, tmp_path):
    exchanges_world(personas)  # Fay, foreign-affairs staff, and another event with its guests
    second = person_with_login("hu", "胡明", name_en="Hu Ming")
    give_role(second, personas.committee, Role.FOREIGN_AFFAIRS)

    # The officer creates the event.
    desk, fay = _context(browser, live_server)
    log_in(fay, "fay", password, "/exchanges/")
    fay.get_by_role("link", name="新建外事活动").click()
    fay.locator("#id_kind").select_option("forum")
    fay.locator("#id_title_zh").fill(TITLE)
    fay.locator("#id_title_en").fill("2026 World Young Politicians Forum")
    fay.locator("#id_starts_on").fill("2026-11-16")
    fay.locator("#id_ends_on").fill("2026-11-18")
    fay.locator("#id_place").fill("北京")
    fay.locator("#id_retention_until").fill("2027-01-31")
    fay.get_by_role("button", name="创建活动").click()
    expect(fay.locator("h1")).to_have_text(TITLE)
    event = Event.objects.get(title_zh=TITLE)
    assert fay.url.endswith(event.get_absolute_url())

    # Imports 400 participants from Excel.
    fay.get_by_role("link", name="导入参会人员").click()
    xlsx = tmp_path / "participants.xlsx"
    xlsx.write_bytes(participants_workbook())
    fay.locator("#participants-file").set_input_files(str(xlsx))
    fay.get_by_role("button", name="导入", exact=True).click()
    expect(fay.get_by_text(f"已导入 {GUESTS} 名参会人员。")).to_be_visible()
    assert event.participants.count() == GUESTS
    fay.screenshot(path=str(screenshot_path("exchanges-forum-imported")))

    # Drafts the visa letters; a second official approves two; the officer downloads one.
    fay.goto(f"/exchanges/events/{event.pk}/letters/")
    fay.get_by_role("button", name="为尚无邀请函的参会者起草邀请函").click()
    expect(fay.get_by_text(f"已起草 {GUESTS} 份邀请函。")).to_be_visible()
    approve = "#letters form[action$='/approve/'] button"
    expect(fay.locator("#letters tbody tr")).to_have_count(GUESTS)
    expect(fay.locator(approve)).to_have_count(0)  # not the drafter's to approve
    official_context, official = _context(browser, live_server)
    log_in(official, "hu", password, f"/exchanges/events/{event.pk}/letters/")
    for approved in (1, 2):
        official.locator(approve).first.click()
        expect(official.get_by_text(f"已批准 {approved} 份，共 {GUESTS} 份")).to_be_visible()
    official.screenshot(path=str(screenshot_path("exchanges-forum-letters-approved")))
    official_context.close()
    letters = Letter.objects.filter(participant__event=event, state=LetterState.APPROVED)
    assert set(letters.values_list("approved_by__username", flat=True)) == {"hu"}
    fay.reload()
    link = fay.locator("#letters a[href$='.pdf']").first
    response = desk.request.get(link.get_attribute("href"), timeout=60000)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    letter = Letter.objects.select_related("participant__contact").get(pk=int(
        link.get_attribute("href").rsplit("/", 1)[1].removesuffix(".pdf")))
    assert letter.state == LetterState.APPROVED
    assert squeeze(letter.participant.contact.name_latin) in squeeze(pdf_text(response.body(), tmp_path))

    # Prints the badges: the PDF read back in every script, its first sheet rendered to PNG.
    fay.goto(event.get_absolute_url())
    response = desk.request.get(fay.get_by_role("link", name="证件（PDF）", exact=True).get_attribute("href"),
                                timeout=180000)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "badges.pdf"
    pdf.write_bytes(response.body())
    text = squeeze(pdf_text(response.body(), tmp_path))
    scripts = {"THA": "Thai", "RUS": "Cyrillic", "EGY": "Arabic", "SGP": "Chinese"}
    for native, _latin, zh, country in NAMES:
        if country in ("RUS", "SGP"):
            assert all(squeeze(word) in text for word in native.split()), scripts[country]
        elif country in ("THA", "EGY"):
            assert all(in_order(squeeze(word), text) for word in native.split()), scripts[country]
        assert squeeze(zh) in text
    # The first sheet, and the first sheet of each script (badges go by delegation, country by country).
    sheets = pdf_text(response.body(), tmp_path).split("\f")
    first_of = {"": 1}
    for script, sample in (("arabic", "م"), ("thai", "ส"), ("cyrillic", "А")):
        first_of[script] = next(n for n, sheet in enumerate(sheets, start=1) if sample in sheet)
    for script, number in first_of.items():
        target = screenshot_path("exchanges-forum-badge-sheet" + (f"-{script}" if script else ""))
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(number), "-l", str(number), "-singlefile",
                        str(pdf), str(target.with_suffix(""))], check=True)
        assert target.stat().st_size > 10_000

    # A colleague at the door, on a phone whose browser has no BarcodeDetector, types three codes.
    phone_context, phone = _context(browser, live_server, phone=True)
    phone.add_init_script("delete window.BarcodeDetector;")
    log_in(phone, "hu", password, f"/exchanges/events/{event.pk}/checkin/")
    expect(phone.locator("#checkin-camera-note")).to_be_visible()
    expect(phone.locator("#checkin-camera-start")).to_have_count(0)
    guests = list(Participant.objects.filter(event=event).select_related("contact").order_by("pk")[:3])
    for n, guest in enumerate(guests, start=1):
        phone.locator("#badge-code").fill(guest.badge_code.lower())
        phone.get_by_role("button", name="签到", exact=True).click()
        expect(phone.locator("#checkin-result")).to_contain_text(f"{guest.contact.name_zh}已签到")
        expect(phone.locator("#checkin-total")).to_contain_text(f"已到 {n} 人，共 {GUESTS} 人")
    expect(phone.locator("#badge-code")).to_have_value("")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.screenshot(path=str(screenshot_path("exchanges-forum-checkin-phone")), full_page=True)
    phone_context.close()
    assert Participant.objects.filter(event=event, status=ParticipantStatus.ATTENDED).count() == 3

    # The figures page shows the counts of the records.
    fay.goto(f"/exchanges/figures/?event={event.pk}")
    result = figures.for_event(event)
    counted = event.participants.exclude(status=ParticipantStatus.DECLINED)
    assert result.count("representatives") == counted.count() == GUESTS
    assert result.count("countries") == len({country for *_names, country in NAMES})
    assert result.count("delegations") == event.delegations.count()
    for row in result.summary:
        expect(fay.locator(f"dd[data-code={row.code}]")).to_have_text(str(row.count))
    fay.screenshot(path=str(screenshot_path("exchanges-forum-figures")), full_page=True)
    desk.close()
