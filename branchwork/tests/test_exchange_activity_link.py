"""An event includes activities of organizational life, both ways: the event's page lists them
and its figures count them; the activity's page (through the panel exchanges register with
`core.hooks.ACTIVITY_PANELS`) shows the event and its guests as observers to those who may see
the event, and only how many guests observed to the branch's other members."""

import pytest

from branchwork.activities.testing import at, held_activity
from branchwork.exchanges import figures, services
from branchwork.exchanges.testing import NAMES, exchanges_world


@pytest.fixture
def world(personas):
    w = exchanges_world(personas)
    w.personas = personas
    w.activity = held_activity(by=personas.alice, organization=personas.branch_a, types=["theme_day"],
                               starts_at=at(2026, 11, 10), host=personas.people.alice)
    services.event_link_activity(by=w.fay, event=w.event, activity=w.activity)
    return w


def test_the_event_lists_the_activity_and_counts_it(world, login):
    text = login(world.fay).get(f"/exchanges/events/{world.event.pk}/").content.decode()
    assert world.activity.get_absolute_url() in text and world.activity.title in text
    assert figures.for_event(world.event).count("activities") == 1
    assert figures.yearly(2026).count("activities") == 1


def test_the_event_manager_sees_the_event_and_the_observers_on_the_activity(world, login):
    text = login(world.personas.alice).get(world.activity.get_absolute_url()).content.decode()
    assert world.event.get_absolute_url() in text
    for native, latin, zh, _country in NAMES:
        assert zh in text or native in text or latin in text


def test_a_member_sees_how_many_guests_observed_but_not_who(world, login):
    response = login(world.personas.bob).get(world.activity.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert "7" in text and "exchange-events" in text
    assert world.event.get_absolute_url() not in text
    for native, latin, zh, _country in NAMES:
        assert native not in text and latin not in text and zh not in text


def test_an_activity_without_an_event_shows_no_panel(world, login):
    services.event_link_activity(by=world.fay, event=world.event, activity=world.activity, linked=False)
    assert "exchange-events" not in login(world.fay).get(world.activity.get_absolute_url()).content.decode()
