import datetime
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from branchwork.core.models import AuditEntry, Membership, Person, Role

API = "/api/v1"


def people_url(person=None) -> str:
    return f"{API}/people/" if person is None else f"{API}/people/{person.pk}/"


def names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


def membership_of(person, org, role=Role.MEMBER) -> Membership:
    return Membership.objects.get(person=person, organization=org, role=role)


# --- Tokens and authentication ---


def test_a_token_from_the_command_lets_its_user_in(personas):
    out = StringIO()
    call_command("create_api_token", "alice", stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")

    response = client.get(f"{API}/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "alice"


def test_a_new_token_from_the_command_replaces_the_old_one(personas):
    first, second = StringIO(), StringIO()
    call_command("create_api_token", "alice", stdout=first)
    call_command("create_api_token", "alice", stdout=second)
    client = APIClient()

    client.credentials(HTTP_AUTHORIZATION=f"Token {first.getvalue().strip()}")
    assert client.get(f"{API}/me/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {second.getvalue().strip()}")
    assert client.get(f"{API}/me/").status_code == 200


def test_the_command_names_the_unknown_user_it_was_given(db):
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("create_api_token", "nobody", stdout=StringIO())


def test_the_command_refuses_inactive_users(personas):
    personas.bob.is_active = False
    personas.bob.save()
    with pytest.raises(CommandError, match="inactive"):
        call_command("create_api_token", "bob", stdout=StringIO())


@pytest.mark.parametrize(
    "path", ["/me/", "/organizations/", "/people/", "/memberships/", "/schema/"]
)
def test_it_refuses_requests_without_credentials(path, personas):
    response = APIClient().get(API + path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_it_refuses_a_bad_token(personas):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    response = client.get(people_url())

    assert response.status_code == 401


def test_it_refuses_the_token_of_a_deactivated_account(personas, api):
    client = api(personas.bob)
    personas.bob.is_active = False
    personas.bob.save()

    assert client.get(people_url()).status_code == 401


# --- Who may read what ---


def test_it_hides_branch_a_people_from_carol(personas, api):
    response = api(personas.carol).get(people_url(), {"organization": "branch-a"})

    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert response.json()["results"] == []


def test_it_answers_carol_404_for_branch_a_and_its_people(personas, api):
    carol = api(personas.carol)
    bob_membership = membership_of(personas.people.bob, personas.branch_a)

    assert carol.get(people_url(personas.people.bob)).status_code == 404
    assert carol.get(f"{API}/organizations/branch-a/").status_code == 404
    assert carol.get(f"{API}/memberships/{bob_membership.pk}/").status_code == 404
    assert carol.get(f"{API}/memberships/", {"organization": "branch-a"}).json()["results"] == []


def test_it_shows_carol_her_branch_and_herself_only(personas, api):
    carol = api(personas.carol)

    assert names(carol.get(people_url())) == {"陈可乐"}
    organizations = carol.get(f"{API}/organizations/").json()["results"]
    assert [org["code"] for org in organizations] == ["branch-b"]


def test_it_lets_bob_read_branch_a_people(personas, api):
    response = api(personas.bob).get(people_url(), {"organization": "branch-a"})

    assert response.status_code == 200
    assert names(response) == {"李爱丽", "王博"}
    alice = next(row for row in response.json()["results"] if row["name"] == "李爱丽")
    assert alice["username"] == "alice"
    assert alice["unit"] == "research-office"


def test_it_lets_dan_read_both_branches(personas, api):
    dan = api(personas.dan)

    assert dan.get(people_url(personas.people.bob)).status_code == 200
    assert dan.get(people_url(personas.people.carol)).status_code == 200
    organizations = {org["code"]: org for org in dan.get(f"{API}/organizations/").json()["results"]}
    assert set(organizations) == {"cmte", "branch-a", "branch-a-g1", "branch-b"}
    assert organizations["cmte"]["parent"] is None
    assert organizations["branch-a"]["parent"] == "cmte"
    assert organizations["branch-a-g1"]["parent"] == "branch-a"


def test_it_filters_roles_by_person_and_by_what_is_current(personas, api):
    bob = personas.people.bob
    membership_of(bob, personas.group_a1).delete()
    Membership.objects.create(
        person=bob,
        organization=personas.group_a1,
        role=Role.GROUP_LEADER,
        start_on=datetime.date(2020, 1, 1),
        end_on=datetime.date(2022, 12, 31),
    )
    alice = api(personas.alice)

    every_role = alice.get(f"{API}/memberships/", {"person": bob.pk}).json()["results"]
    current_roles = alice.get(f"{API}/memberships/", {"person": bob.pk, "current": "true"}).json()[
        "results"
    ]

    assert {(r["organization"], r["role"]) for r in every_role} == {
        ("branch-a", "member"),
        ("branch-a-g1", "group_leader"),
    }
    assert [(r["organization"], r["role"]) for r in current_roles] == [("branch-a", "member")]


# --- Who may change what ---


def test_it_forbids_bob_to_change_people_he_can_see(personas, api):
    bob = api(personas.bob)

    for person in (personas.people.alice, personas.people.bob):
        response = bob.patch(people_url(person), {"phone": "13900000000"}, format="json")
        assert response.status_code == 403
    assert Person.objects.get(pk=personas.people.alice.pk).phone == "13800000001"


def test_it_lets_alice_change_bobs_phone_and_records_it_in_the_audit_trail(personas, api):
    bob = personas.people.bob

    response = api(personas.alice).patch(people_url(bob), {"phone": "13900000002"}, format="json")

    assert response.status_code == 200
    assert response.json()["phone"] == "13900000002"
    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(bob.pk),
        action="update",
    )
    assert entry.source == "api"
    assert entry.actor == personas.alice
    assert entry.changes == {"phone": ["13800000002", "13900000002"]}


def test_it_lets_alice_add_a_person_to_branch_a(personas, api):
    response = api(personas.alice).post(
        people_url(),
        {
            "name": "刘新",
            "name_en": "Liu Xin",
            "membership_status": "probationary",
            "organization": "branch-a",
            "role": "member",
            "start_on": "2025-03-01",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    person = Person.objects.get(pk=response.json()["id"])
    assert person.name == "刘新"
    membership = person.memberships.get()
    assert (membership.organization, membership.role, membership.start_on) == (
        personas.branch_a,
        Role.MEMBER,
        datetime.date(2025, 3, 1),
    )
    assert "organization" not in response.json()


def test_it_answers_alice_404_when_she_adds_a_person_to_branch_b(personas, api):
    before = Person.objects.count()

    for code in ("branch-b", "no-such-branch"):
        response = api(personas.alice).post(
            people_url(),
            {"name": "刘新", "organization": code, "start_on": "2025-03-01"},
            format="json",
        )
        assert response.status_code == 404

    assert Person.objects.count() == before


def test_it_lets_alice_make_bob_a_committee_member_for_propaganda(personas, api):
    membership = membership_of(personas.people.bob, personas.branch_a)

    response = api(personas.alice).patch(
        f"{API}/memberships/{membership.pk}/",
        {"role": "committee_member", "portfolio": "propaganda"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    membership.refresh_from_db()
    assert (membership.role, membership.portfolio) == (Role.COMMITTEE_MEMBER, "propaganda")
    assert response.json()["role_display"] == membership.role_label


def test_it_keeps_whose_role_it_is_and_where_when_a_role_changes(personas, api):
    membership = membership_of(personas.people.bob, personas.branch_a)

    response = api(personas.alice).patch(
        f"{API}/memberships/{membership.pk}/",
        {"person": personas.people.alice.pk, "organization": "branch-a-g1", "note": "秘书"},
        format="json",
    )

    assert response.status_code == 200
    membership.refresh_from_db()
    assert (membership.person, membership.organization, membership.note) == (
        personas.people.bob,
        personas.branch_a,
        "秘书",
    )


def test_it_lets_dan_read_but_not_write(personas, api):
    dan = api(personas.dan)
    bob = personas.people.bob
    membership = membership_of(bob, personas.branch_a)

    assert dan.patch(people_url(bob), {"phone": "1"}, format="json").status_code == 403
    assert (
        dan.patch(f"{API}/memberships/{membership.pk}/", {"note": "x"}, format="json").status_code
        == 403
    )
    assert (
        dan.patch(f"{API}/organizations/branch-a/", {"name_en": "x"}, format="json").status_code
        == 403
    )
    response = dan.post(
        people_url(),
        {"name": "刘新", "organization": "branch-a", "start_on": "2025-03-01"},
        format="json",
    )
    assert response.status_code == 403


def test_it_rejects_a_role_that_ends_before_it_starts(personas, api):
    membership = membership_of(personas.people.bob, personas.branch_a)

    response = api(personas.alice).patch(
        f"{API}/memberships/{membership.pk}/",
        {"end_on": "2023-12-31"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["end_on"] == ["A role cannot end before it starts."]
    membership.refresh_from_db()
    assert membership.end_on is None


def test_it_rejects_a_portfolio_on_a_role_other_than_committee_member(personas, api):
    membership = membership_of(personas.people.bob, personas.branch_a)

    response = api(personas.alice).patch(
        f"{API}/memberships/{membership.pk}/",
        {"portfolio": "propaganda"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["portfolio"] == ["Only committee members have a portfolio."]


def test_it_reports_an_overlapping_role_as_a_non_field_error(personas, api):
    response = api(personas.alice).post(
        f"{API}/memberships/",
        {
            "person": personas.people.bob.pk,
            "organization": "branch-a",
            "role": "member",
            "start_on": "2025-01-01",
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


def test_it_rejects_a_person_without_a_name_with_a_field_message(personas, api):
    response = api(personas.alice).post(
        people_url(),
        {"name_en": "", "organization": "branch-a", "start_on": "2025-03-01"},
        format="json",
    )

    assert response.status_code == 400
    assert "name" in response.json()


def test_it_lets_alice_give_roles_only_to_people_she_can_see(personas, api):
    alice = api(personas.alice)
    data = {"organization": "branch-a-g1", "role": "member", "start_on": "2025-01-01"}

    assert (
        alice.post(
            f"{API}/memberships/", {**data, "person": personas.people.carol.pk}, format="json"
        ).status_code
        == 404
    )
    response = alice.post(
        f"{API}/memberships/", {**data, "person": personas.people.alice.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["organization"] == "branch-a-g1"


def test_it_lets_alice_add_a_group_under_her_branch_but_nowhere_else(personas, api):
    alice = api(personas.alice)
    group = {"code": "branch-a-g2", "kind": "group", "name_zh": "第二党小组"}

    response = alice.post(f"{API}/organizations/", {**group, "parent": "branch-a"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["parent"] == "branch-a"
    assert response.json()["depth"] == 3

    other = {**group, "code": "branch-b-g1", "parent": "branch-b"}
    assert alice.post(f"{API}/organizations/", other, format="json").status_code == 404
    top = {"code": "new-root", "kind": "branch", "name_zh": "新支部"}
    assert alice.post(f"{API}/organizations/", top, format="json").status_code == 403
    by_bob = {**group, "code": "branch-a-g3", "parent": "branch-a"}
    assert api(personas.bob).post(f"{API}/organizations/", by_bob, format="json").status_code == 403


def test_it_lets_superusers_add_top_level_organizations(personas, api):
    response = api(personas.admin).post(
        f"{API}/organizations/",
        {"code": "new-root", "kind": "branch", "name_zh": "新支部"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["parent"] is None


def test_it_rejects_an_organization_placed_where_its_kind_cannot_sit(personas, api):
    response = api(personas.alice).post(
        f"{API}/organizations/",
        {"code": "odd", "kind": "committee", "name_zh": "委员会", "parent": "branch-a"},
        format="json",
    )

    assert response.status_code == 400
    assert "kind" in response.json()


def test_it_lets_alice_rename_her_branch_but_not_recode_it(personas, api):
    response = api(personas.alice).patch(
        f"{API}/organizations/branch-a/",
        {"name_en": "Research Branch", "code": "renamed"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["code"] == "branch-a"
    assert response.json()["name_en"] == "Research Branch"
    assert response.json()["parent"] == "cmte"


# --- The current user ---


def test_me_tells_alice_who_she_is_and_which_roles_she_holds_today(personas, api):
    Membership.objects.create(
        person=personas.people.alice,
        organization=personas.branch_b,
        role=Role.MEMBER,
        start_on=datetime.date(2020, 1, 1),
        end_on=datetime.date(2022, 12, 31),
    )

    me = api(personas.alice).get(f"{API}/me/").json()

    assert me["username"] == "alice"
    assert me["person"] == {"id": personas.people.alice.pk, "name": "李爱丽"}
    assert sorted((r["organization"], r["role"]) for r in me["roles"]) == [
        ("branch-a", "member"),
        ("branch-a", "secretary"),
    ]


def test_me_shows_no_person_for_an_account_without_one(personas, api):
    me = api(personas.admin).get(f"{API}/me/").json()

    assert me == {"username": "root", "person": None, "roles": []}


@pytest.mark.parametrize("path", ["memberships", "status-changes"])
def test_a_person_filter_that_is_no_number_is_refused_and_an_unknown_id_matches_nothing(path, personas, api):
    client = api(personas.alice)
    for value in ("true", "1.5", "x"):
        answer = client.get(f"{API}/{path}/", {"person": value})
        assert answer.status_code == 400, (value, answer.content)
        assert "person" in answer.json()
    for value in ("0", "-3", "99999999999999999999999"):
        answer = client.get(f"{API}/{path}/", {"person": value})
        assert answer.status_code == 200 and answer.json()["results"] == [], value
    mine = client.get(f"{API}/{path}/", {"person": str(personas.people.alice.pk)}).json()["results"]
    assert mine


@pytest.mark.parametrize(
    "path, hers",
    [("/memberships/", "陈可乐"), ("/people/", "陈可乐"), ("/organizations/", "综合处党支部")],
)
def test_the_browsable_api_offers_carol_nothing_from_branch_a(path, hers, personas, login):
    # Its forms list the organizations and people a request may name: only those she may see.
    response = login(personas.carol).get(API + path, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    html = response.content.decode()
    assert hers in html
    for secret in ("王博", "李爱丽", "研究室党支部", "branch-a"):
        assert secret not in html
