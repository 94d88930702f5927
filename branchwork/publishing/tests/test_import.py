"""`branchwork import_articles`: an archive in JSON Lines, all or nothing, with a clear report."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from branchwork.publishing.models import ArticlePage, Visibility
from branchwork.publishing.testing import make_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def channels(portal):
    portal.jiceng = make_channel(portal.home, "基层组织建设", "jiceng")
    portal.fengcai = make_channel(portal.jiceng, "支部风采", "fengcai")
    return portal


GOOD = [
    {"title": "支部召开2019年度组织生活会", "body": "<p>一月十五日，支部召开年度组织生活会。</p><p>会议开展批评与自我批评。</p>",
     "lang": "zh", "published_at": "2019-01-16 09:30", "author": "王博", "visibility": "public",
     "tags": ["组织生活会"]},
    {"title": "关于做好2019年党费收缴工作的通知", "body": "各党小组：\n请于三月底前完成党费收缴。",
     "lang": "zh-hans", "published_at": "2019-03-01", "author": "李爱丽", "visibility": "internal"},
    {"title": "Study session on research methods", "body": "<p>The branch held a study session.</p>",
     "lang": "en", "published_at": "2019-05-20T14:00:00+08:00", "author": "A guest speaker",
     "visibility": "public", "subtitle": "Notes from the May session", "source": "Research Office"},
]


def jsonl(tmp_path, records, name="archive.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                    encoding="utf-8")
    return str(path)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_articles", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_good_file_is_imported_and_published_with_its_original_dates(channels, tmp_path, client):
    out, _err = run("--channel", "/jiceng/fengcai/", jsonl(tmp_path, GOOD))
    assert "3 articles imported" in out
    first = ArticlePage.objects.get(title="支部召开2019年度组织生活会")
    assert first.live and first.get_parent().specific == channels.fengcai
    local = timezone.localtime(first.first_published_at)
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2019, 1, 16, 9, 30)
    assert first.last_published_at == first.first_published_at
    assert first.author == channels.people.bob and first.author_name == ""
    assert [t.name for t in first.tags.all()] == ["组织生活会"]
    notice = ArticlePage.objects.get(title="关于做好2019年党费收缴工作的通知")
    assert notice.visibility == Visibility.INTERNAL
    assert [b["type"] for b in notice.body.raw_data] == ["paragraph"]
    assert "请于三月底前完成党费收缴。" in notice.body.raw_data[0]["value"]
    english = ArticlePage.objects.get(title="Study session on research methods")
    assert english.language == "en" and english.author is None and english.author_name == "A guest speaker"
    assert english.subtitle == "Notes from the May session" and english.source == "Research Office"
    # Newest first in the channel, by their original dates; the internal one hidden from visitors.
    listing = client.get(channels.fengcai.url).content.decode()
    assert listing.index("Study session") < listing.index("支部召开2019年度组织生活会")
    assert "党费收缴" not in listing
    assert client.get(first.url).status_code == 200


def test_a_slug_path_names_the_channel_too_and_dry_run_writes_nothing(channels, tmp_path):
    out, _err = run("--channel", "jiceng/fengcai", "--dry-run", jsonl(tmp_path, GOOD))
    assert "3 articles can be imported" in out and not ArticlePage.objects.exists()


def test_a_bad_line_refuses_the_whole_file_naming_line_and_field(channels, tmp_path):
    bad = GOOD[:2] + [{**GOOD[2], "published_at": "2019年5月的某天"}]
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_articles", "--channel", "/jiceng/fengcai/", "--language", "en",
                     jsonl(tmp_path, bad), stdout=io.StringIO(), stderr=err)
    assert "refused, 1 problem(s); nothing was written" in str(info.value)
    assert err.getvalue().strip() == (
        "Line 3, field “published_at”: “2019年5月的某天” is not a date; "
        "write YYYY-MM-DD, YYYY-MM-DD HH:MM or ISO 8601.")
    assert not ArticlePage.objects.exists()


def test_every_problem_is_reported_with_its_line_and_field(channels, tmp_path):
    future = (timezone.now() + datetime.timedelta(days=3)).strftime("%Y-%m-%d")
    records = [
        GOOD[0],
        {**GOOD[1], "visibility": "secret"},
        {**GOOD[2], "published_at": "2019年5月的某天"},
        "{not json",
    ]
    with pytest.raises(CommandError):
        run("--channel", "/jiceng/fengcai/", "--language", "en", jsonl(tmp_path, records))
    # Unparseable lines are reported first, alone.
    records[3] = {"title": "", "body": "正文", "published_at": future, "visibility": "public", "colour": "red"}
    records.append(GOOD[0])  # the same article twice
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", "--channel", "/jiceng/fengcai/", "--language", "en",
                     jsonl(tmp_path, records), stdout=io.StringIO(), stderr=err)
    report = err.getvalue()
    assert "Line 2, field “visibility”: “secret” is neither public nor internal." in report
    assert "Line 3, field “published_at”: “2019年5月的某天” is not a date" in report
    assert "Line 4, field “colour”: unknown field" in report
    assert "Line 4, field “title”: is empty." in report
    assert "Line 4, field “published_at”" in report and "in the future" in report
    assert "Line 5, field “title”: same title and publication time as line 1." in report
    assert not ArticlePage.objects.exists()


def test_the_report_is_in_chinese_by_default(channels, tmp_path):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", "--channel", "/jiceng/fengcai/",
                     jsonl(tmp_path, [{**GOOD[0], "visibility": None}]), stdout=io.StringIO(), stderr=err)
    assert "visibility" in err.getvalue()


def test_importing_the_same_file_twice_is_refused(channels, tmp_path):
    path = jsonl(tmp_path, GOOD)
    run("--channel", "/jiceng/fengcai/", path)
    with pytest.raises(CommandError):
        run("--channel", "/jiceng/fengcai/", path)
    assert ArticlePage.objects.count() == 3


def test_an_unknown_channel_is_named(channels, tmp_path):
    with pytest.raises(CommandError) as info:
        run("--channel", "/nowhere/", "--language", "en", jsonl(tmp_path, GOOD))
    assert "/nowhere/" in str(info.value)


@pytest.mark.parametrize("record, field, words", [
    ({**GOOD[0], "title": "支部\u0000活动"}, "title", "U+0000"),
    ({**GOOD[0], "tags": ["ok", "bad\u001b"]}, "tags[1]", "U+001B"),
    ({**GOOD[0], "published_at": "0083-01-16 09:30"}, "published_at", "before 1900"),
])
def test_control_characters_and_dates_before_1900_are_refused(channels, tmp_path, record,
                                                                field, words):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", "--channel", "/jiceng/fengcai/", "--language", "en",
                     jsonl(tmp_path, [GOOD[1], record]), stdout=io.StringIO(), stderr=err)
    assert f"Line 2, field “{field}”" in err.getvalue() and words in err.getvalue()
    assert not ArticlePage.objects.exists()
