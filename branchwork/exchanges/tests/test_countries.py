from branchwork.exchanges import countries


def test_names_come_in_both_languages_from_the_standards():
    germany = countries.get("DEU")
    assert (germany.alpha2, germany.name_zh, germany.name_en) == ("DE", "德国", "Germany")
    assert countries.get("khm").name_zh == "柬埔寨"


def test_every_current_country_is_in_a_region_but_antarctica():
    unplaced = [c.alpha2 for c in countries.current_countries() if c.region == countries.OTHER]
    assert unplaced == ["AQ"]


def test_party_data_codes_outside_iso_are_named():
    assert countries.get("XKX").name_en == "Kosovo"
    assert countries.get("ZZB").name_zh == "桑给巴尔"
    assert countries.get("DDR").historic
    assert countries.region_of("SML").code == "eastern-africa"


def test_an_unknown_code_is_shown_as_itself():
    assert countries.get("QQQ") is None
    assert countries.name("QQQ") == "QQQ"


def test_a_deployment_replaces_the_regions_with_its_own_file(tmp_path, settings):
    own = tmp_path / "regions.yaml"
    own.write_text("regions:\n  - {code: neighbours, zh: 周边, en: Neighbours, countries: [VN, LA, MM]}\n",
                   encoding="utf-8")
    settings.EXCHANGES_REGIONS_FILE = str(own)
    assert countries.region_of("VNM").name_en == "Neighbours"
    assert countries.region_of("DEU").code == countries.OTHER
    assert set(countries.regions()) == {"neighbours", countries.OTHER}
