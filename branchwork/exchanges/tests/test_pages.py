"""Who sees what: Fay (foreign-affairs staff) everything; Alice the event she manages; Bob and
Carol (members) parties but no contact, event or participant; the anonymous nothing."""

import datetime
import io

import openpyxl
import pytest

from branchwork.core.models import AuditEntry
from branchwork.exchanges import services
from branchwork.exchanges.models import Participant, ParticipantStatus
from branchwork.exchanges.testing import CONTACT_EMAIL, CONTACT_PHONE, PASSPORT, RELATIONSHIP_NOTE, exchanges_world


@pytest.fixture
def world(personas):
    w = exchanges_world(personas)
    w.personas = personas
    return w


def pages(w):
    return [
        "/exchanges/contacts/", f"/exchanges/contacts/{w.contact.pk}/", f"/exchanges/events/{w.event.pk}/",
        f"/exchanges/events/{w.event.pk}/participants.xlsx", f"/exchanges/events/{w.event.pk}/checkin/",
    ]


@pytest.mark.parametrize("persona", ["bob", "carol", "dan"])
def test_members_get_404_for_contacts_events_and_participants(world, login, persona):
    client = login(getattr(world.personas, persona))
    for url in pages(world):
        assert client.get(url).status_code == 404, url


def test_the_anonymous_are_sent_to_log_in(world, client):
    for url in [*pages(world), f"/exchanges/parties/{world.party.pk}/", "/exchanges/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_foreign_affairs_staff_see_contact_details_and_notes(world, login):
    client = login(world.fay)
    text = client.get(f"/exchanges/contacts/{world.contact.pk}/").content.decode()
    assert CONTACT_EMAIL in text and CONTACT_PHONE in text
    assert RELATIONSHIP_NOTE in client.get(f"/exchanges/parties/{world.party.pk}/").content.decode()
    assert PASSPORT not in client.get(f"/exchanges/events/{world.event.pk}/").content.decode()


def test_a_member_reads_the_party_but_not_its_notes_or_contacts(world, login):
    client = login(world.personas.bob)
    response = client.get(f"/exchanges/parties/{world.party.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "人民关怀党" in text
    assert RELATIONSHIP_NOTE not in text and world.contact.name_zh not in text


def test_the_event_manager_sees_her_event_and_its_guests(world, login):
    client = login(world.personas.alice)
    assert client.get(f"/exchanges/events/{world.event.pk}/").status_code == 200
    assert CONTACT_EMAIL in client.get(f"/exchanges/contacts/{world.contact.pk}/").content.decode()


def test_the_participant_list_exports_and_reads_back(world, login):
    response = login(world.fay).get(f"/exchanges/events/{world.event.pk}/participants.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("本人文字姓名", "拉丁字母姓名", "中文译名")
    natives = {r[0] for r in rows[1:]}
    assert {"สมชาย ใจดี", "Анна Сергеевна Ковалёва", "សុខ ចាន់ថា"} <= natives
    assert {r[9] for r in rows[1:]} == {p.badge_code for p in world.participants}


def test_a_second_scan_is_said_and_not_counted_twice(world, login):
    client = login(world.personas.alice)
    code = world.participant.badge_code
    first = client.post(f"/exchanges/events/{world.event.pk}/checkin/", {"code": code.lower()})
    assert "已签到" in first.content.decode()
    second = client.post(f"/exchanges/events/{world.event.pk}/checkin/", {"code": code})
    assert "不重复计数" in second.content.decode()
    assert "1 / 1" in second.content.decode()  # the Thai delegation: one of one present
    assert Participant.objects.filter(event=world.event, checked_in_at__isnull=False).count() == 1
    participant = Participant.objects.get(pk=world.participant.pk)
    assert participant.status == ParticipantStatus.ATTENDED


def test_passport_data_is_gone_after_the_retention_date_and_the_log_says_so(world):
    assert services.purge_passport_data(today=datetime.date(2026, 12, 31)) == {}  # not yet
    purged = services.purge_passport_data(today=datetime.date(2027, 1, 1))
    assert purged == {world.event.pk: len(world.participants)}
    assert not Participant.objects.exclude(passport_number="").exists()
    assert not Participant.objects.filter(date_of_birth__isnull=False).exists()
    entry = AuditEntry.objects.filter(object_id=str(world.event.pk), changes__has_key="passport_data_purged").get()
    assert entry.changes["passport_data_purged"]["participants"] == len(world.participants)
    assert PASSPORT not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_the_party_page_shows_its_timeline_of_events(world, login):
    services.party_status_set(by=world.fay, party=world.party, standing="opposition",
                              since=datetime.date(2023, 5, 14))
    text = login(world.fay).get(f"/exchanges/parties/{world.party.pk}/").content.decode()
    assert "世界政党对话会" in text  # the forum its delegation attended
    assert "在野" in text and "2023-05-14" in text
    assert world.contact.name_zh in text


def test_parties_are_found_by_any_of_their_names(world, login):
    client = login(world.personas.bob)
    for query in ("人民关怀", "รักประชาชน", "care party", "PRP"):
        assert "人民关怀党" in client.get("/exchanges/parties/", {"q": query}).content.decode(), query


def test_staff_edit_a_party_and_the_edit_is_theirs(world, login):
    from branchwork.exchanges.models import Party

    url = f"/exchanges/parties/{world.party.pk}/edit/"
    assert login(world.personas.bob).get(url).status_code == 404
    client = login(world.fay)
    response = client.post(url, {"name_zh": "人民关怀党", "name_native": "พรรครักประชาชน",
                                 "name_en": "People's Care Party (Thailand)", "name_short": "PRP",
                                 "country": "THA", "relationship_notes": "交往密切"})
    assert response.status_code == 302
    party = Party.objects.get(pk=world.party.pk)
    assert party.name_en == "People's Care Party (Thailand)"
    assert "name_en" in party.staff_edited


def test_the_event_and_party_pages_cost_the_same_with_ten_times_the_guests(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.fay)
    urls = [f"/exchanges/events/{world.event.pk}/", f"/exchanges/parties/{world.party.pk}/",
            f"/exchanges/events/{world.event.pk}/checkin/"]

    def cost():
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    cost()  # the first visit of a session writes it; measure the next ones
    before = cost()
    for i in range(63):
        contact = services.contact_create(by=None, name_latin=f"Guest {i}", name_native=f"Гость {i}",
                                          party=world.party)
        services.participant_add(by=None, event=world.event, contact=contact,
                                 delegation=world.participant.delegation)
    assert cost() == before


def test_foreign_affairs_staff_create_an_event_others_get_404(world, login):
    data = {"kind": "dialogue", "title_zh": "双边政党对话", "title_en": "", "starts_on": "2026-12-01",
            "ends_on": "2026-12-02", "place": "上海", "host": "", "co_hosts": "", "languages": "",
            "retention_until": ""}
    for persona in ("alice", "bob"):  # an event's manager creates none
        client = login(getattr(world.personas, persona))
        assert client.get("/exchanges/events/new/").status_code == 404
        assert client.post("/exchanges/events/new/", data).status_code == 404
    client = login(world.fay)
    page = client.get("/exchanges/events/new/").content.decode()
    assert 'value="delegation_out"' not in page  # applied for as a trip
    assert "名称" in page
    response = client.post("/exchanges/events/new/", {**data, "ends_on": "2026-11-30"})
    assert response.status_code == 200 and "活动" in response.content.decode()
    from branchwork.exchanges.models import Event

    assert not Event.objects.filter(title_zh="双边政党对话").exists()
    response = client.post("/exchanges/events/new/", data)
    event = Event.objects.get(title_zh="双边政党对话")
    assert response["Location"] == event.get_absolute_url()
    assert AuditEntry.objects.filter(object_id=str(event.pk), action="create").exists()
    assert "/exchanges/events/new/" in client.get("/exchanges/").content.decode()
