"""Visa invitation letters: drafted by the event's manager, approved by foreign-affairs staff
other than the drafter (logged), downloaded or sent only once approved; the PDF read back."""

import datetime
import subprocess
import unicodedata

import pytest

from branchwork.core.conflicts import Conflict
from branchwork.core.models import AuditEntry
from branchwork.core.testing import give_role, person_with_login
from branchwork.core.models import Role
from branchwork.exchanges import services_letters
from branchwork.exchanges.letters import letters_pdf
from branchwork.exchanges.programme_models import Letter, LetterState
from branchwork.exchanges.testing import NAMES, PASSPORT, exchanges_world


@pytest.fixture
def world(personas):
    w = exchanges_world(personas)
    w.personas = personas
    return w


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return "".join(unicodedata.normalize("NFC", out.stdout.decode("utf-8")).split())


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def drafts(world):
    return list(Letter.objects.filter(participant__event=world.event, state=LetterState.DRAFT)
                .select_related("participant__contact", "participant__event").order_by("pk"))


def test_the_approved_letter_reads_back_with_names_event_and_dates(world, login, tmp_path):
    response = login(world.personas.alice).get(f"/exchanges/events/{world.event.pk}/letters/{world.letter.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    for expected in ("邀请函", "LetterofInvitation", "SomchaiJaidee", "颂猜·再迪", "世界政党对话会",
                     "WorldPartiesDialogue", "2026年11月20日至22日", "20–22November2026", "北京", PASSPORT,
                     "1970-01-01", "人民关怀党"):
        assert expected in text, expected
    assert "สมชาย" in text or all(ch in text for ch in "สมชาย")  # Thai, in its script


def test_every_script_is_in_its_letter(world, tmp_path):
    services_letters.letters_draft(by=world.personas.alice, event=world.event)
    for letter in drafts(world):
        services_letters.letter_approve(by=world.fay, letter=letter)
    letters = list(Letter.objects.filter(participant__event=world.event).select_related(
        "participant__contact", "participant__event", "participant__delegation__party").order_by("pk"))
    text = pdf_text(letters_pdf(letters), tmp_path)
    for native, latin, zh, _country in NAMES:
        assert squeeze(latin) in text and squeeze(zh) in text
        letters_of_name = [ch for ch in squeeze(native) if unicodedata.category(ch).startswith("L")]
        assert all(ch in text for ch in letters_of_name), native  # complex scripts: letters present
    assert "Анна" in text and "李明华" in text  # Cyrillic and Chinese exactly as stored


def test_a_draft_cannot_be_downloaded_or_sent(world, login):
    services_letters.letters_draft(by=world.personas.alice, event=world.event)
    draft = drafts(world)[0]
    client = login(world.personas.alice)
    assert client.get(f"/exchanges/events/{world.event.pk}/letters/{draft.pk}.pdf").status_code == 404
    with pytest.raises(Conflict):
        services_letters.letter_send(by=world.personas.alice, letter=draft)


def test_the_drafter_cannot_approve_her_own_letter(world):
    services_letters.letters_draft(by=world.fay, event=world.event)  # Fay drafts this time
    draft = drafts(world)[0]
    with pytest.raises(Conflict):
        services_letters.letter_approve(by=world.fay, letter=draft)
    colleague = person_with_login("gao", "高远", name_en="Gao")
    give_role(colleague, world.personas.committee, Role.FOREIGN_AFFAIRS)
    assert services_letters.letter_approve(by=colleague.user, letter=draft).state == LetterState.APPROVED


def test_an_event_manager_who_is_not_foreign_affairs_staff_cannot_approve(world, login):
    services_letters.letters_draft(by=world.fay, event=world.event)
    draft = drafts(world)[0]
    client = login(world.personas.alice)
    assert f"/letters/{draft.pk}/approve/" not in client.get(f"/exchanges/events/{world.event.pk}/letters/").content.decode()
    client.post(f"/exchanges/events/{world.event.pk}/letters/{draft.pk}/approve/")
    assert Letter.objects.get(pk=draft.pk).state == LetterState.DRAFT


def test_a_second_approval_read_before_the_first_is_refused(world):
    """Two officials open the same draft; the second approval, built on the copy read before the
    first, is refused: the row is locked and read afresh."""
    services_letters.letters_draft(by=world.personas.alice, event=world.event)
    first_copy, second_copy = drafts(world)[0], drafts(world)[0]
    colleague = person_with_login("gao", "高远", name_en="Gao")
    give_role(colleague, world.personas.committee, Role.FOREIGN_AFFAIRS)
    services_letters.letter_approve(by=world.fay, letter=first_copy)
    with pytest.raises(Conflict):
        services_letters.letter_approve(by=colleague.user, letter=second_copy)
    assert Letter.objects.get(pk=first_copy.pk).approved_by_id == world.fay.pk


def test_the_approval_is_logged(world, login):
    services_letters.letters_draft(by=world.personas.alice, event=world.event)
    draft = drafts(world)[0]
    login(world.fay).post(f"/exchanges/events/{world.event.pk}/letters/{draft.pk}/approve/")
    entry = AuditEntry.objects.filter(object_id=str(draft.pk), changes__has_key="letter_approved").get()
    assert entry.changes["letter_approved"]["participant"] == draft.participant_id
    assert entry.actor_id == world.fay.pk


def test_a_changed_template_sends_approved_letters_back_for_approval(world, login):
    client = login(world.personas.alice)
    response = client.post(f"/exchanges/events/{world.event.pk}/letters/", {
        "action": "save", "body_zh": "{name}：兹邀请您出席{event}（{dates}）。", "body_en": "Dear {name}, {event} ({dates}).",
        "signatory_zh": "国际交流处", "signatory_en": "International Exchanges Office"})
    assert response.status_code == 302
    assert Letter.objects.get(pk=world.letter.pk).state == LetterState.DRAFT
    assert client.get(f"/exchanges/events/{world.event.pk}/letters/{world.letter.pk}.pdf").status_code == 404


def test_an_approved_letter_is_mailed_with_its_pdf(world, mailoutbox, django_capture_on_commit_callbacks, tmp_path):
    with django_capture_on_commit_callbacks(execute=True):
        services_letters.letter_send(by=world.personas.alice, letter=world.letter)
    [msg] = mailoutbox
    assert msg.to == ["Somchai Jaidee <guest-7731@example.net>"]
    [(name, content, mimetype)] = msg.attachments
    assert mimetype == "application/pdf"
    assert "颂猜·再迪" in pdf_text(content, tmp_path)
    assert Letter.objects.get(pk=world.letter.pk).sent_at is not None


@pytest.mark.parametrize("persona", ["bob", "carol", "dan"])
def test_outsiders_get_404_for_letters(world, login, persona):
    client = login(getattr(world.personas, persona))
    for url in (f"/exchanges/events/{world.event.pk}/letters/",
                f"/exchanges/events/{world.event.pk}/letters/{world.letter.pk}.pdf"):
        assert client.get(url).status_code == 404


def test_the_letters_page_costs_the_same_with_ten_times_the_guests(world, login, django_assert_max_num_queries):
    from branchwork.exchanges import services

    client = login(world.fay)
    url = f"/exchanges/events/{world.event.pk}/letters/"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    for i in range(63):
        contact = services.contact_create(by=None, name_latin=f"Guest {i}", name_native=f"Гость {i}")
        services.participant_add(by=None, event=world.event, contact=contact, delegation=world.participant.delegation)
    services_letters.letters_draft(by=world.personas.alice, event=world.event)
    with django_assert_max_num_queries(len(before)):
        assert client.get(url).status_code == 200


def test_the_letter_date_is_the_approval_date(world, tmp_path):
    letter = Letter.objects.select_related("participant__event", "participant__contact").get(pk=world.letter.pk)
    assert letter.approved_at.date() >= datetime.date(2026, 11, 15)
    day = letter.approved_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date()
    assert f"{day.year}年{day.month}月{day.day}日" in pdf_text(letters_pdf([letter]), tmp_path)


def test_a_letter_rendered_to_png(world, tmp_path):
    from branchwork.browser import screenshot_path

    letter = Letter.objects.select_related("participant__event", "participant__contact",
                                           "participant__delegation__party").get(pk=world.letter.pk)
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(letters_pdf([letter]))
    target = screenshot_path("exchanges-visa-letter")
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(target.with_suffix(""))], check=True)
    assert target.stat().st_size > 10_000
