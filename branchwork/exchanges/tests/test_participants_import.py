"""A participant list from Excel: all or nothing, row and column named; the export reads back in."""

import datetime
import io

import openpyxl
import pytest

from branchwork.exchanges import participants_import, services
from branchwork.exchanges.models import EventKind, Participant
from branchwork.exchanges.testing import exchanges_world

HEADER = ["Name in own script", "Name in Latin letters", "中文译名", "Country", "Party", "Status",
          "Passport number", "Date of birth"]


def workbook(rows, header=HEADER) -> bytes:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def world(personas):
    w = exchanges_world(personas)
    w.personas = personas
    w.dialogue = services.event_create(
        by=personas.admin, kind=EventKind.DIALOGUE, title_zh="双边对话", title_en="Bilateral dialogue",
        starts_on=datetime.date(2026, 12, 1), ends_on=datetime.date(2026, 12, 1), managers=[personas.people.alice])
    return w


ROWS = [
    ["Нгуен Ван Ан", "Nguyen Van An", "阮文安", "VNM", "", "confirmed", "B1234567", "1975-03-02"],
    ["สุดา ศรีสุข", "Suda Srisuk", "素达", "泰国", "人民关怀党", "已邀请", "", None],
    ["", "Jean Dupont", "", "France", "", "", "", datetime.datetime(1980, 5, 1)],
]


def test_a_good_file_makes_contacts_delegations_and_participants(world):
    count = participants_import.import_participants(by=world.personas.alice, event=world.dialogue, data=workbook(ROWS))
    assert count == 3
    got = {(p.contact.name_latin, p.delegation.country, p.delegation.party_id, p.status, p.passport_number)
           for p in world.dialogue.participants.select_related("contact", "delegation")}
    assert got == {("Nguyen Van An", "VNM", None, "confirmed", "B1234567"),
                   ("Suda Srisuk", "THA", world.party.pk, "invited", ""),
                   ("Jean Dupont", "FRA", None, "invited", "")}
    assert Participant.objects.get(contact__name_latin="Jean Dupont").date_of_birth == datetime.date(1980, 5, 1)


def test_a_broken_row_refuses_the_whole_file_naming_row_and_column(world):
    rows = [*ROWS, ["", "", "", "Atlantis", "", "maybe", "", "02/03/1975"]]
    with pytest.raises(participants_import.Refused) as refused:
        participants_import.import_participants(by=world.personas.alice, event=world.dialogue, data=workbook(rows))
    assert [(p.row, p.column) for p in refused.value.problems] == [
        (5, "拉丁字母姓名"), (5, "国家"), (5, "状态"), (5, "出生日期")]
    assert not world.dialogue.participants.exists()
    assert not world.dialogue.delegations.exists()


def test_an_unknown_column_and_a_missing_one_are_named(world):
    with pytest.raises(participants_import.Refused) as refused:
        participants_import.read(workbook([], header=["Name in Latin letters", "Shoe size"]))
    assert [(p.row, p.column) for p in refused.value.problems] == [(1, "Shoe size"), (1, "国家")]


def test_the_export_of_one_event_imports_into_another(world, login):
    client = login(world.personas.alice)
    exported = client.get(f"/exchanges/events/{world.event.pk}/participants.xlsx").content
    response = client.post(f"/exchanges/events/{world.dialogue.pk}/import/",
                           {"file": io.BytesIO(exported)}, follow=True)
    assert response.status_code == 200
    names = set(world.dialogue.participants.values_list("contact__name_native", flat=True))
    assert names == set(world.event.participants.values_list("contact__name_native", flat=True))


def test_the_import_page_lists_the_problems(world, login):
    client = login(world.personas.alice)
    bad = io.BytesIO(workbook([["", "", "", "Atlantis", "", "", "", ""]]))
    bad.name = "guests.xlsx"
    response = client.post(f"/exchanges/events/{world.dialogue.pk}/import/", {"file": bad})
    assert response.status_code == 400
    assert "Atlantis" in response.content.decode()
    assert not world.dialogue.participants.exists()


def test_members_cannot_import(world, login):
    response = login(world.personas.bob).get(f"/exchanges/events/{world.dialogue.pk}/import/")
    assert response.status_code == 404


def test_a_file_naming_no_party_makes_delegations_of_countries(world):
    header = ["Name in own script", "Name in Latin letters", "Country", "Email"]
    rows = [["Нгуен Ван Ан", "Nguyen Van An", "VNM", "an@example.net"], ["", "Jean Dupont", "FRA", ""]]
    count = participants_import.import_participants(by=world.personas.alice, event=world.dialogue,
                                                    data=workbook(rows, header=header))
    assert count == 2
    assert {(d.country, d.party_id) for d in world.dialogue.delegations.all()} == {("VNM", None), ("FRA", None)}
