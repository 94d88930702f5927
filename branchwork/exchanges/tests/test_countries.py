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
