"""The exchanges' figures equal counts of hand-built records; the page, the XLSX, the command
and the API say the same; the pictures are SVG with the countries named in the page's language;
the event, party and figures pages cost the same with ten times the data."""

import datetime
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from branchwork.activities import services as activity_services
from branchwork.activities.testing import at, held_activity
from branchwork.core import services as core_services
from branchwork.exchanges import countries, figures, services, services_programme, services_trips
from branchwork.exchanges.models import Event, EventKind, ParticipantStatus, PartyFamily, Session
from branchwork.exchanges.testing import exchanges_world

YEAR = 2025
D = datetime.date


@pytest.fixture
def world(personas):
    w = exchanges_world(personas)  # a forum in 2026: not counted in 2025
    w.personas = personas
    fay = w.fay
    party = {}
    for key, country, family in [("p1", "THA", PartyFamily.COMMUNIST), ("p2", "THA", PartyFamily.SOCIAL_DEMOCRATIC),
                                 ("p3", "VNM", PartyFamily.COMMUNIST), ("p4", "RUS", PartyFamily.LIBERAL),
                                 ("p5", "BRA", PartyFamily.GREEN)]:
        party[key] = services.party_create(by=fay, name_en=f"Party {key}", name_zh=f"测试党{key}",
                                           country=country, family=family)
    w.parties = party
    n = iter(range(1000))

    def people(event, delegation, statuses):
        for status in statuses:
            contact = services.contact_create(by=fay, name_latin=f"Guest {next(n)}")
            services.participant_add(by=fay, event=event, contact=contact, delegation=delegation, status=status)

    C, X = ParticipantStatus.CONFIRMED, ParticipantStatus.DECLINED

    def event(kind, day, title):
        return services.event_create(by=fay, kind=kind, title_zh=title, starts_on=day, ends_on=day)

    w.forum = event(EventKind.FORUM, D(YEAR, 5, 1), "测试论坛")
    people(w.forum, services.delegation_add(by=fay, event=w.forum, country="THA", party=party["p1"]), [C, C, X])
    people(w.forum, services.delegation_add(by=fay, event=w.forum, country="THA", party=party["p2"]), [C, C])
    people(w.forum, services.delegation_add(by=fay, event=w.forum, country="EGY"), [C])
    people(w.forum, services.delegation_add(by=fay, event=w.forum, country="VNM", party=party["p3"]), [C, C])
    dialogue = event(EventKind.DIALOGUE, D(YEAR, 8, 1), "测试对话会")
    people(dialogue, services.delegation_add(by=fay, event=dialogue, country="THA", party=party["p1"]), [C])
    received = event(EventKind.DELEGATION_IN, D(YEAR, 9, 1), "测试来访")
    people(received, services.delegation_add(by=fay, event=received, country="VNM", party=party["p3"]), [C])
    trip = services_trips.trip_apply(by=fay, purpose="交流", title_zh="测试出访", starts_on=D(YEAR, 10, 1),
                                     ends_on=D(YEAR, 10, 9), today=D(YEAR, 8, 1))
    for country, city, day, met in [("RUS", "莫斯科", 1, [party["p4"]]), ("CUB", "哈瓦那", 5, []),
                                    ("RUS", "圣彼得堡", 8, [party["p4"]])]:
        services_trips.trip_stop_add(by=fay, trip=trip, country=country, city=city, arrives_on=D(YEAR, 10, day),
                                     leaves_on=D(YEAR, 10, day), parties=met)
    earlier = event(EventKind.FORUM, D(YEAR - 1, 6, 1), "去年的论坛")
    people(earlier, services.delegation_add(by=fay, event=earlier, country="BRA", party=party["p5"]), [C] * 4)
    # The timetables: two sessions at the forum, one at the dialogue, one last year (not counted).
    for ev, hours in ((w.forum, (9, 14)), (dialogue, (10,)), (earlier, (9,))):
        for h in hours:
            services_programme.session_save(by=fay, event=ev, day=ev.starts_on, starts_at=datetime.time(h),
                                            ends_at=datetime.time(h + 2), title_zh=f"会议{h}", room="一号厅")
    # A theme day held with the forum's and the dialogue's guests: one activity, counted once.
    w.activity = held_activity(by=personas.alice, organization=personas.branch_a, types=["theme_day"],
                               starts_at=at(YEAR, 5, 1), host=personas.people.alice)
    for ev in (w.forum, dialogue):
        services.event_link_activity(by=fay, event=ev, activity=w.activity)
    w.trip = trip
    return w


def test_the_yearly_figures_are_the_counts_of_the_records(world):
    result = figures.yearly(YEAR)
    got = {r.code: r.count for r in result.summary}
    assert got == {"events": 4, "sessions": 3, "parties": 3, "countries": 3, "representatives": 9,
                   "delegations": 6, "delegations_received": 1, "delegations_sent": 1, "countries_visited": 2,
                   "parties_met": 1, "activities": 1}
    # The same, asked of the records another way.
    events = Event.objects.filter(starts_on__year=YEAR)
    assert got["sessions"] == Session.objects.filter(event__in=events).count()
    assert got["activities"] == len({a.pk for e in events for a in e.activities.all()})
    kinds = {r.code: r.count for r in result.section("events_by_kind").rows}
    assert kinds == {"forum": 1, "dialogue": 1, "seminar": 0, "delegation_in": 1, "delegation_out": 1}
    families = {r.code: r.count for r in result.section("parties_by_family").rows if r.count}
    assert families == {"communist": 2, "social_democratic": 1}
    # By region, from the regions file (data): Thailand 2 + 2 + 1, Viet Nam 2 + 1, Egypt 1.
    want = {}
    for code, people in (("THA", 5), ("VNM", 3), ("EGY", 1)):
        region = countries.region_of(code).code
        want[region] = want.get(region, 0) + people
    assert {r.code: r.count for r in result.section("representatives_by_region").rows if r.count} == want
    assert result.section("countries_by_region").total == 3
    assert {r.code: r.count for r in result.section("countries_visited").rows} == {"RUS": 1, "CUB": 1}
    assert result.engaged == ["CUB", "EGY", "RUS", "THA", "VNM"]


def test_an_events_figures_count_that_event_only(world):
    got = {r.code: r.count for r in figures.for_event(world.forum).summary}
    assert (got["events"], got["parties"], got["countries"], got["representatives"], got["delegations"]) == \
        (1, 3, 3, 7, 4)
    assert (got["sessions"], got["activities"]) == (world.forum.sessions.count(), world.forum.activities.count())
    assert got["sessions"] == 2
    # A session added to the timetable is counted at once.
    services_programme.session_save(by=world.fay, event=world.forum, day=world.forum.starts_on,
                                    starts_at=datetime.time(17), ends_at=datetime.time(18), title_zh="闭幕式")
    assert figures.for_event(world.forum).count("sessions") == 3
    assert figures.yearly(YEAR).count("sessions") == 4


def test_the_programme_shows_the_sessions_and_the_activities_within_the_event(world, login):
    text = login(world.fay).get(f"/exchanges/events/{world.forum.pk}/programme/").content.decode()
    for session in world.forum.sessions.all():
        assert f'data-session="{session.pk}"' in text
    assert f'data-activity="{world.activity.pk}"' in text
    assert world.activity.get_absolute_url() in text


def test_a_count_added_by_another_part_is_shown(world, monkeypatch):
    monkeypatch.setattr(figures, "_extra_counts", [])
    figures.register_count(lambda events: figures.Row("doubled", "双倍", events.count() * 2))
    assert figures.yearly(YEAR).count("doubled") == 8


def test_the_page_xlsx_command_and_api_agree(world, login, capsys):
    client = login(world.fay)
    with translation.override("zh-hans"):
        result = figures.yearly(YEAR)
        as_dict = json.loads(json.dumps(result.as_dict()))
    page = client.get(f"/exchanges/figures/?year={YEAR}").content.decode()
    for r in result.summary:
        assert f'data-code="{r.code}">{r.count}<' in page
    assert 'data-code="sessions">3<' in page and 'data-code="activities">1<' in page
    assert f"/exchanges/figures/map.svg?year={YEAR}" in page
    # The site's search box in the header stays empty (the page's own query is not a search).
    assert 'id="site-search-q" type="search" name="q" value=""' in page

    xlsx = client.get(f"/exchanges/figures.xlsx?year={YEAR}")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("栏目", "项目", "数量")
    got = {(a, b): c for a, b, c in rows[1:]}
    summary = rows[1][0]  # the first section of the sheet: the headline counts
    assert [(a, b, c) for a, b, c in rows[1:len(as_dict["summary"]) + 1]] == \
        [(summary, r["name"], r["count"]) for r in as_dict["summary"]]
    for s in as_dict["sections"]:
        assert got[(s["title"], "合计")] == s["total"]
        for r in s["rows"]:
            assert got[(s["title"], r["name"])] == r["count"]
    engaged = [row[2] for row in list(book.worksheets[1].iter_rows(values_only=True))[1:]]
    assert engaged == as_dict["countries_engaged"]

    call_command("exchange_figures", "--year", str(YEAR), "--format", "json")
    from_command = json.loads(capsys.readouterr().out)
    assert from_command == as_dict
    call_command("exchange_figures", "--year", str(YEAR), "--event", str(world.forum.pk), "--format", "json")
    summary = {r["code"]: r for r in json.loads(capsys.readouterr().out)["summary"]}
    assert summary["representatives"] == {"code": "representatives", "name": "代表", "count": 7}
    assert summary["sessions"]["count"] == world.forum.sessions.count() == 2
    call_command("exchange_figures", "--year", str(YEAR))
    table = capsys.readouterr().out
    assert "代表" in table and " 9" in table

    token = core_services.api_token_issue(user=world.fay).key
    api = client.get(f"/api/v1/exchanges/figures/?year={YEAR}", HTTP_AUTHORIZATION=f"Token {token}",
                     HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert api == from_command


def test_members_get_404_for_the_figures(world, login):
    client = login(world.personas.bob)
    for url in ("/exchanges/figures/", "/exchanges/figures.xlsx", "/exchanges/figures/map.svg",
                f"/exchanges/figures/?event={world.forum.pk}"):
        assert client.get(url).status_code == 404, url
    token = core_services.api_token_issue(user=world.personas.bob).key
    assert client.get("/api/v1/exchanges/figures/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 404
    # Alice manages the 2026 forum only: its figures, not another event's.
    client = login(world.personas.alice)
    assert client.get(f"/exchanges/figures/?event={world.event.pk}").status_code == 200
    assert client.get(f"/exchanges/figures/?event={world.forum.pk}").status_code == 404


def test_the_world_map_shades_the_countries_engaged_named_in_the_language(world, login):
    client = login(world.fay)
    response = client.get(f"/exchanges/figures/map.svg?year={YEAR}")
    assert response["Content-Type"] == "image/svg+xml"
    assert "'unsafe-inline'" in response["Content-Security-Policy"]
    svg = response.content.decode()
    assert svg.startswith("<?xml") and "<script" not in svg
    for alpha2 in ("cu", "eg", "ru", "th", "vn"):
        assert f'class="{alpha2} country map-element color-0' in svg, alpha2
    assert 'class="fr country map-element color-0' not in svg
    assert "俄罗斯" in svg
    page = client.get(f"/exchanges/figures/?year={YEAR}")
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]


def test_the_party_page_shows_its_timeline_chart(world, login):
    client = login(world.fay)
    page = client.get(f"/exchanges/parties/{world.parties['p1'].pk}/").content.decode()
    assert f"/exchanges/parties/{world.parties['p1'].pk}/timeline.svg" in page
    svg = client.get(f"/exchanges/parties/{world.parties['p1'].pk}/timeline.svg").content.decode()
    assert "论坛" in svg and "对话会" in svg and str(YEAR) in svg
    svg = client.get(f"/exchanges/parties/{world.parties['p4'].pk}/timeline.svg").content.decode()
    assert "出访" in svg  # met on the trip


# --- Query counts, as the data grows tenfold ---


def _grow(world, times):
    fay = world.fay
    for i in range(times):
        event = services.event_create(by=fay, kind=EventKind.FORUM, title_zh=f"增长{i}", starts_on=D(YEAR, 3, 1 + i % 28),
                                      ends_on=D(YEAR, 3, 1 + i % 28), managers=[world.personas.people.alice])
        delegation = services.delegation_add(by=fay, event=event, country="THA", party=world.parties["p1"])
        for j in range(5):
            contact = services.contact_create(by=fay, name_latin=f"Grown {i}-{j}", party=world.parties["p1"])
            services.participant_add(by=fay, event=event, contact=contact, delegation=delegation)
        trip = services_trips.trip_apply(by=fay, purpose="交流", title_zh=f"出访{i}", starts_on=D(YEAR, 4, 1),
                                         ends_on=D(YEAR, 4, 2), today=D(YEAR, 1, 1))
        services_trips.trip_stop_add(by=fay, trip=trip, country="RUS", city="莫斯科", arrives_on=D(YEAR, 4, 1),
                                     leaves_on=D(YEAR, 4, 2), parties=[world.parties["p1"]])
        # The programmes grow too: sessions at the new event and at the forum, activities within both.
        for ev in (event, world.forum):
            services_programme.session_save(by=fay, event=ev, day=ev.starts_on, starts_at=datetime.time(8 + i % 10),
                                            ends_at=datetime.time(9 + i % 10), title_zh=f"增长会议{i}", room=f"{i}号厅")
        activity = activity_services.activity_schedule(
            by=world.personas.alice, organization=world.personas.branch_a, types=["theme_day"], title=f"主题党日{i}",
            starts_at=at(YEAR, 5, 1), place="展览馆", notify=False)
        for ev in (event, world.forum):
            services.event_link_activity(by=fay, event=ev, activity=activity)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


def test_event_party_and_figures_pages_cost_the_same_with_ten_times_the_data(world, login):
    client = login(world.fay)
    urls = [f"/exchanges/figures/?year={YEAR}", f"/exchanges/figures/?event={world.forum.pk}",
            f"/exchanges/events/{world.forum.pk}/", f"/exchanges/parties/{world.parties['p1'].pk}/",
            f"/exchanges/parties/{world.parties['p1'].pk}/timeline.svg", f"/exchanges/figures/map.svg?year={YEAR}",
            f"/exchanges/trips/{world.trip.pk}/", "/exchanges/trips/",
            f"/exchanges/events/{world.forum.pk}/programme/"]
    for url in urls:
        client.get(url)  # warm the caches
    _grow(world, 3)
    before = {url: _count(client, url) for url in urls}
    _grow(world, 30)
    after = {url: _count(client, url) for url in urls}
    assert after == before


@pytest.mark.django_db
def test_the_demo_sends_delegations_to_20_countries_over_two_years():
    from branchwork.exchanges import demo_trips
    from branchwork.exchanges.models import Trip

    demo_trips.load_demo()
    demo_trips.load_demo()  # again: nothing changes
    assert Trip.objects.count() == 11
    visited = {r.code for year in (2025, 2026) for r in figures.yearly(year).section("countries_visited").rows}
    assert len(visited) == 20
    assert figures.yearly(2025).count("delegations_received") == 2
