"""No 500 and nothing stored from bad input: control characters, missing fields, huge numbers,
impossible dates. Each answers 400 (or 404) with a message, as the schema documents."""

import pytest
from django.utils import translation

from branchwork.core.models import AuditEntry, Person

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.mark.parametrize("body", [
    {"phone": "139\x00"},
    {"phone": "139\x1b[31m"},
    {"phone": "139", "nested": {"k\x00": ["ok", "bad\x00"]}},
])
def test_an_api_body_with_one_is_refused_with_400_and_nothing_written(personas, api, body):
    bob = personas.people.bob
    before = (Person.objects.get(pk=bob.pk).phone, AuditEntry.objects.count())
    with translation.override("en"):
        response = api(personas.alice).patch(f"{API}/people/{bob.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert any("U+00" in str(v) for v in response.json().values())  # the character named
    assert (Person.objects.get(pk=bob.pk).phone, AuditEntry.objects.count()) == before


def test_an_api_post_with_a_nul_is_refused_with_400(personas, api):
    before = Person.objects.count()
    response = api(personas.alice).post(f"{API}/people/", {
        "name": "刘\x00新", "organization": "branch-a", "role": "member",
        "start_on": "2025-03-01"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()
    assert Person.objects.count() == before


def test_a_form_encoded_api_body_is_checked_too(personas, api):
    bob = personas.people.bob
    response = api(personas.alice).patch(f"{API}/people/{bob.pk}/", {"phone": "1\x00"})
    assert response.status_code == 400




# --- Simple input that answered 500 ---

HUGE = "9" * 30


def test_a_role_without_role_is_refused_with_400(personas, api):
    response = api(personas.alice).post(f"{API}/memberships/", {
        "person": personas.people.bob.pk, "organization": "branch-a",
        "start_on": "2025-03-01"}, format="json")
    assert response.status_code == 400, response.content
    assert "role" in response.json()


@pytest.mark.parametrize("path", ["people", "memberships", "organizations", "activities"])
def test_a_huge_limit_is_capped_not_an_error(personas, api, path):
    response = api(personas.dan).get(f"{API}/{path}/?limit={HUGE}&offset={HUGE}")
    assert response.status_code == 200, response.content
    response = api(personas.dan).get(f"{API}/{path}/?limit={HUGE}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == response.json()["count"]


@pytest.mark.parametrize("value", [HUGE, "2" * 19, "-1"])
def test_a_huge_or_odd_person_filter_finds_nobody(personas, api, value):
    response = api(personas.dan).get(f"{API}/memberships/", {"person": value})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0


@pytest.mark.parametrize("value", ["²", "１２", "true"])
def test_a_person_filter_in_other_digits_or_words_is_refused(personas, api, value):
    """The schema says an integer in ASCII digits: anything else is a 400, not an empty list."""
    response = api(personas.dan).get(f"{API}/memberships/", {"person": value})
    assert response.status_code == 400, response.content
    assert "person" in response.json()


@pytest.mark.parametrize("path", [f"people/{HUGE}/", f"memberships/{HUGE}/",
                                  f"activities/{HUGE}/", f"people/{'9' * 19}/"])
def test_a_huge_id_in_a_path_is_404(personas, api, path):
    assert api(personas.dan).get(f"{API}/{path}").status_code == 404


@pytest.mark.parametrize("number", [HUGE, "9" * 19, "2147483648"])
def test_a_huge_feed_number_without_login_is_404(client, db, number):
    assert client.get(f"/portal/feeds/{number}/").status_code == 404


@pytest.mark.parametrize("field, value", [
    ("starts_at", "0083-05-01T10:00:00+08:00"),
    ("starts_at", "1899-12-31T10:00:00+08:00"),
])
def test_a_moment_before_1900_is_refused(personas, api, field, value):
    from branchwork.api.tests.test_activities_api import schedule_body

    with translation.override("en"):
        response = api(personas.alice).post(
            f"{API}/activities/", {**schedule_body(personas), field: value}, format="json")
    assert response.status_code == 400, response.content
    assert "1900" in str(response.json()[field])


def test_a_day_before_1900_is_refused(personas, api):
    response = api(personas.alice).post(f"{API}/memberships/", {
        "person": personas.people.bob.pk, "organization": "branch-a", "role": "member",
        "start_on": "0083-03-01"}, format="json")
    assert response.status_code == 400, response.content
    assert "start_on" in response.json()


def test_a_stored_moment_before_1900_is_shown_with_a_whole_minute_offset(personas, api):
    import datetime

    from branchwork.activities.models import Activity
    from branchwork.api.tests.test_activities_api import schedule_body

    response = api(personas.alice).post(f"{API}/activities/", schedule_body(personas),
                                        format="json")
    pk = response.json()["id"]
    Activity.objects.filter(pk=pk).update(
        starts_at=datetime.datetime(83, 5, 1, 2, 0, tzinfo=datetime.UTC))
    shown = api(personas.alice).get(f"{API}/activities/{pk}/").json()["starts_at"]
    assert shown == "0083-05-01T02:00:00Z"
