"""Party Facts and ParlGov importers: re-runnable, staff edits kept, all or nothing."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from branchwork.exchanges import importers, services
from branchwork.exchanges.models import Party, PartyFamily

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(settings.REPO_DIR).parent / "shared" / "data"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def snapshot():
    return sorted(Party.objects.values_list(
        "partyfacts_id", "parlgov_id", "country", "name_native", "name_en", "name_short",
        "founded", "dissolved", "family", "wikidata_id", "wikipedia"))


def import_pf():
    return importers.import_partyfacts(fixture("partyfacts-small.csv"),
                                       wikidata=fixture("partyfacts-wikidata-small.csv"))


def import_pg():
    return importers.import_parlgov(fixture("parlgov-party.csv"),
                                    countries_data=fixture("parlgov-country.csv"),
                                    families_data=fixture("parlgov-party-family.csv"))


@pytest.mark.django_db
def test_party_facts_imported_twice_gives_the_same_parties():
    first = import_pf()
    assert (first.created, first.skipped) == (4, 1)  # the "other" placeholder is no party
    before = snapshot()
    second = import_pf()
    assert (second.created, second.updated, second.unchanged) == (0, 0, 4)
    assert snapshot() == before
    thai = Party.objects.get(partyfacts_id=900001)
    assert (thai.country, thai.name_native, thai.wikidata_id) == ("THA", "พรรครักประชาชน", "Q90000001")
    assert Party.objects.get(partyfacts_id=900002).name_native == "Социал-демократическая партия"
    assert Party.objects.get(partyfacts_id=900002).dissolved == 2005


@pytest.mark.django_db
def test_parlgov_imported_twice_gives_the_same_parties():
    assert import_pg().created == 3
    before = snapshot()
    assert import_pg().unchanged == 3
    assert snapshot() == before
    greek = Party.objects.get(parlgov_id=7001)
    assert (greek.country, greek.name_native, greek.family) == ("GRC", "Αγροτική Συμμαχία", PartyFamily.AGRARIAN)
    assert Party.objects.get(parlgov_id=7002).name_native == "Linke Stimme"  # no other script: the name


@pytest.mark.django_db
def test_a_field_edited_by_staff_survives_reimport_and_the_conflict_is_reported(personas):
    import_pf()
    party = Party.objects.get(partyfacts_id=900001)
    services.party_update(by=personas.admin, party=party, name_en="People's Care Party of Thailand",
                          name_zh="人民关怀党")
    report = import_pf()
    party.refresh_from_db()
    assert party.name_en == "People's Care Party of Thailand"
    assert party.name_zh == "人民关怀党"
    assert [(c.party.pk, c.field, c.ours, c.theirs) for c in report.conflicts] == [
        (party.pk, "name_en", "People's Care Party of Thailand", "People's Care Party")]
    # Fields staff did not touch still follow the source.
    assert party.wikidata_id == "Q90000001"


@pytest.mark.django_db
def test_a_broken_row_refuses_the_whole_file_naming_row_and_column():
    text = fixture("partyfacts-small.csv").decode()
    lines = text.splitlines()
    lines[3] = lines[3].replace(",1993,", ",nineteen-ninety-three,")  # row 4: the Khmer party
    with pytest.raises(importers.ImportRefused) as refused:
        importers.import_partyfacts("\n".join(lines))
    assert [(p.row, p.column) for p in refused.value.problems] == [(4, "year_first")]
    assert Party.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_country_and_a_repeated_id_are_named():
    text = fixture("partyfacts-small.csv").decode().replace("KHM,900003", "QQQ,900002")
    with pytest.raises(importers.ImportRefused) as refused:
        importers.import_partyfacts(text)
    assert {(p.row, p.column) for p in refused.value.problems} == {(4, "partyfacts_id"), (4, "country")}


@pytest.mark.django_db
def test_parlgov_refuses_a_party_of_a_country_it_does_not_list():
    text = fixture("parlgov-party.csv").decode().replace("7003,10,", "7003,99,")
    with pytest.raises(importers.ImportRefused) as refused:
        importers.import_parlgov(text, countries_data=fixture("parlgov-country.csv"))
    assert [(p.file, p.row, p.column) for p in refused.value.problems] == [("party.csv", 4, "country_id")]
    assert Party.objects.count() == 0


@pytest.mark.django_db
def test_the_command_reports_and_refuses(tmp_path, capsys):
    call_command("import_parties", str(FIXTURES / "parlgov-party.csv"), "--source", "parlgov",
                 "--countries", str(FIXTURES / "parlgov-country.csv"))
    assert "3 created" in capsys.readouterr().out
    broken = tmp_path / "party.csv"
    broken.write_text(fixture("parlgov-party.csv").decode().replace(",41,3,", ",41,x,"), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_parties", str(broken), "--source", "parlgov",
                     "--countries", str(FIXTURES / "parlgov-country.csv"))
    err = capsys.readouterr().err  # in the site's language (Chinese) or English
    assert "第 2 行，family_id 列" in err or "row 2, column family_id" in err


@pytest.mark.django_db
def test_the_real_party_facts_file_imports_whole_and_again_unchanged():
    core = SHARED / "partyfacts-core-parties.csv"
    if not core.exists():
        pytest.skip(f"{core} is absent (the shared data folder is not beside this clone)")
    data, links = core.read_bytes(), (SHARED / "partyfacts-wikidata.csv").read_bytes()
    first = importers.import_partyfacts(data, wikidata=links)
    # Rows and placeholders counted from the file itself.
    import csv
    import io
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    placeholders = sum(1 for r in rows if r["technical"])
    assert (first.created, first.skipped) == (len(rows) - placeholders, placeholders)
    second = importers.import_partyfacts(data, wikidata=links)
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)
