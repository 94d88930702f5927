"""The rulebook loads, validates, and says exactly what is wrong and where."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from branchwork.rulebook.loader import RulebookError, get_rulebook, load_rulebook, parse_rulebook

GOOD = """
name: {zh: 测试规则, en: Test rules}
version: 2
types:
  - code: theme_day
    name: {zh: 主题党日, en: Theme Party day}
    applies_to: [branch]
    attendance: members
    cadence: {count: 1, per: month}
    record: [host, minutes]
    source: 测试
"""


def test_the_shipped_rulebook_has_the_types_of_the_design():
    rulebook = load_rulebook(settings.RULEBOOK_PATH)
    assert list(rulebook.types) == [
        "general_meeting", "committee_meeting", "group_meeting", "party_lecture", "theme_day",
        "collective_study", "org_life_meeting", "democratic_appraisal", "joint_activity",
        "heart_to_heart", "secretary_lecture", "committee_secretary_lecture", "dual_org_life",
        "secretary_report",
    ]
    # A branch's own meetings are its own; study, theme days, lectures and joint work may be joint.
    assert [c for c, t in rulebook.types.items() if t.joint] == [
        "party_lecture", "theme_day", "collective_study", "joint_activity", "committee_secretary_lecture"]
    assert [c for c, t in rulebook.types.items() if t.local] == [
        "party_lecture", "collective_study", "secretary_report"]
    assert [c for c, t in rulebook.types.items() if t.yearly] == [
        "org_life_meeting", "democratic_appraisal", "heart_to_heart", "secretary_lecture",
        "committee_secretary_lecture", "dual_org_life", "secretary_report"]
    assert rulebook.type("heart_to_heart").before == "org_life_meeting"
    assert all(t.source for t in rulebook.types.values())
    gm = rulebook.type("general_meeting")
    assert (gm.name_zh, gm.cadence.count, gm.cadence.per) == ("支部党员大会", 1, "quarter")
    assert gm.quorum.is_met(present=3, base=5) and not gm.quorum.is_met(present=2, base=4)
    assert rulebook.type("group_meeting").applies_to == ("group",)
    assert rulebook.type("joint_activity").cadence is None
    assert get_rulebook() is get_rulebook()  # loaded once


def test_a_good_file_parses():
    rulebook = parse_rulebook(GOOD, path="test.yaml")
    assert rulebook.version == 2 and rulebook.types["theme_day"].record == ("host", "minutes")


@pytest.mark.parametrize("broken, message", [
    (GOOD.replace("per: month", "per: week"),
     "types[0] (theme_day): cadence.per must be one of month, quarter, year, got 'week'"),
    (GOOD.replace("count: 1", "count: 0"), "types[0] (theme_day): cadence.count must be a whole number ≥ 1"),
    (GOOD.replace("applies_to: [branch]", "applies_to: [brnach]"),
     "types[0] (theme_day): applies_to: unknown organization kind 'brnach'"),
    (GOOD.replace("attendance: members", "attendance: everyone"),
     "types[0] (theme_day): attendance must be one of members, committee, open, got 'everyone'"),
    (GOOD.replace("record: [host, minutes]", "record: [host, photos]"),
     "types[0] (theme_day): record: unknown field 'photos'"),
    (GOOD.replace(", en: Theme Party day", ""), "types[0] (theme_day): name.en must be a non-empty string"),
    (GOOD.replace("code: theme_day", "code: Theme Day"), "types[0]: code 'Theme Day' must be lowercase"),
    (GOOD + "    colour: red\n", "types[0] (theme_day): unknown key 'colour'"),
    (GOOD.replace("    source: 测试\n", "    source: 测试\n    quorum: {more_than: 2}\n"),
     "types[0] (theme_day): quorum.more_than must be a fraction in [0, 1), got 2"),
    (GOOD + GOOD.split("types:\n", 1)[1], "types[1] (theme_day): duplicate code"),
    (GOOD + "    joint: yes please\n", "types[0] (theme_day): joint must be true or false, got 'yes please'"),
    (GOOD + "    local: 1\n", "types[0] (theme_day): local must be true or false, got 1"),
    (GOOD + "    before: org_life_meeting\n", "types[0] (theme_day): before: unknown type 'org_life_meeting'"),
    (GOOD + "    before: theme_day\n", "types[0] (theme_day): before: a type cannot come before itself"),
    ("name: [unclosed", "is not valid YAML (line 1"),
    ("- just a list", "must be a mapping"),
])
def test_a_bad_file_names_the_file_the_entry_and_the_problem(broken, message):
    with pytest.raises(RulebookError) as info:
        parse_rulebook(broken, path="branch.yaml")
    assert "branch.yaml" in str(info.value)
    assert message in str(info.value)


def test_every_problem_is_reported_at_once():
    broken = GOOD.replace("per: month", "per: week").replace("attendance: members", "attendance: x")
    with pytest.raises(RulebookError) as info:
        parse_rulebook(broken, path="b.yaml")
    assert "cadence.per" in str(info.value) and "attendance must be" in str(info.value)


def test_check_rulebook_command(tmp_path: Path):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    out = StringIO()
    call_command("check_rulebook", str(good), stdout=out)
    assert "theme_day" in out.getvalue() and "OK" in out.getvalue()
    out = StringIO()
    call_command("check_rulebook", str(settings.RULEBOOK_PATH), stdout=out)
    assert "party_lecture" in out.getvalue() and "joint, local rule" in out.getvalue()
    assert "heart_to_heart" in out.getvalue() and "before org_life_meeting" in out.getvalue()
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("per: month", "per: fortnight"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.yaml.*\n.*types\[0\] \(theme_day\): cadence.per"):
        call_command("check_rulebook", str(bad))
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("check_rulebook", str(tmp_path / "missing.yaml"))


def test_a_deployment_can_point_to_its_own_rulebook(tmp_path: Path):
    """BRANCHWORK_RULEBOOK names the file; a bad one stops start-up with the same message."""
    import os
    import subprocess
    import sys

    bad = tmp_path / "ours.yaml"
    bad.write_text(GOOD.replace("per: month", "per: week"), encoding="utf-8")
    env = dict(os.environ, BRANCHWORK_RULEBOOK=str(bad), DJANGO_SETTINGS_MODULE="branchwork.test_settings")
    result = subprocess.run([sys.executable, "-m", "branchwork", "check"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "ours.yaml" in result.stderr and "cadence.per must be one of" in result.stderr


def test_a_quorum_is_either_more_than_or_at_least_a_share():
    # The committee meeting's default reads Art. 12's 半数以上 as half or more: 2 of 4 is a
    # quorum, 1 of 3 is not; "more than half" would refuse 2 of 4.
    from branchwork.rulebook.loader import get_rulebook

    committee = get_rulebook().type("committee_meeting").quorum
    assert committee.inclusive and committee.is_met(present=2, base=4)
    assert not committee.is_met(present=1, base=3)
    assert "第十二条" in get_rulebook().type("committee_meeting").source
    stricter = parse_rulebook(GOOD.replace("    source: 测试\n",
                                           "    source: 测试\n    quorum: {more_than: 0.5, of: expected}\n"))
    assert not next(iter(stricter.types.values())).quorum.is_met(present=2, base=4)
    with pytest.raises(RulebookError, match="exactly one of more_than"):
        parse_rulebook(GOOD.replace("    source: 测试\n",
                                    "    source: 测试\n    quorum: {more_than: 0.5, at_least: 0.5}\n"))
