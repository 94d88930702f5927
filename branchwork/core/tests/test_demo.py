import datetime
import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from branchwork.core import demo, permissions
from branchwork.core.testing import needs_second_factor, verify_session
from branchwork.core.models import (
    AuditEntry,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    Person,
    Role,
    Unit,
)


def load():
    out = io.StringIO()
    return demo.load(stdout=out), out.getvalue()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Unit, Organization, Person, Membership, get_user_model(), AuditEntry)
    }


def user(username):
    return get_user_model().objects.get(username=username)


def codes(qs):
    return set(qs.values_list("code", flat=True))


@pytest.fixture
def logins(db):
    return load()[0]


def test_it_changes_nothing_when_loaded_again(logins):
    before = counts()
    _, out = load()
    # AuditEntry included: a second load writes no row at all.
    assert counts() == before
    assert "nothing changed" in out


def test_it_restores_what_was_changed_and_resets_the_passwords(logins):
    lijing = Person.objects.get(email="lijing@donghu.example")
    lijing.position = "临时改动"
    lijing.save()
    lijing.user.set_password("something else")
    lijing.user.save()
    before = counts()

    _, out = load()

    lijing.refresh_from_db()
    assert lijing.position == "研究室主任、研究员"
    assert lijing.user.check_password(settings.DEMO_PASSWORD)
    assert "人员 1 people" in out and "账号 1 accounts" in out
    assert {k: v for k, v in counts().items() if k != "AuditEntry"} == {
        k: v for k, v in before.items() if k != "AuditEntry"
    }


def test_it_builds_a_committee_with_branches_groups_and_about_sixty_people(logins):
    assert Person.objects.count() >= 55
    assert Organization.find_problems() == ([], [], [], [], [])

    branch = Organization.objects.get(code="yjs-branch")
    assert branch.name_zh == "研究室党支部"
    assert branch.get_parent().kind == OrganizationKind.GENERAL_BRANCH
    groups = branch.get_children()
    assert groups.count() == 2 and {g.kind for g in groups} == {OrganizationKind.GROUP}

    assert Organization.objects.filter(kind=OrganizationKind.BRANCH).count() == 3
    assert Organization.objects.filter(kind=OrganizationKind.YOUTH_LEAGUE).exists()
    outside = Organization.objects.get(kind=OrganizationKind.EXTERNAL_BRANCH)
    assert outside.is_root() and outside.unit is not None

    assert Person.objects.filter(membership_status=MembershipStatus.PROBATIONARY).count() >= 2
    guests = Person.objects.exclude(name_native="")
    assert guests.count() >= 3
    assert not Membership.objects.filter(person__in=guests).exists()


def test_every_branch_has_officers_and_every_party_member_a_branch(logins):
    for branch in Organization.objects.filter(kind=OrganizationKind.BRANCH):
        roles = set(
            Membership.objects.current().filter(organization=branch).values_list("role", flat=True)
        )
        assert {Role.SECRETARY, Role.COMMITTEE_MEMBER, Role.MEMBER} <= roles, branch.code
    in_a_branch = (
        Membership.objects.current()
        .filter(
            role=Role.MEMBER,
            organization__kind__in=[OrganizationKind.BRANCH, OrganizationKind.EXTERNAL_BRANCH],
        )
        .values("person")
    )
    assert not Person.objects.party_members().exclude(pk__in=in_a_branch).exists()
    assert not Membership.objects.exclude(role=Role.COMMITTEE_MEMBER).exclude(portfolio="").exists()


def test_it_keeps_two_years_of_history(logins):
    assert Membership.objects.filter(end_on__isnull=False).exists()
    assert Membership.objects.order_by("start_on").first().start_on == datetime.date(2025, 1, 1)

    secretaries = Membership.objects.filter(
        organization__code="gjc-branch", role=Role.SECRETARY
    ).order_by("start_on")
    old, new = secretaries
    assert old.end_on + datetime.timedelta(days=1) == new.start_on
    assert old.person != new.person

    moved = Person.objects.get(email="maxiao@donghu.example")
    left = moved.memberships.get(organization__code="zhb-branch", role=Role.MEMBER)
    joined = moved.memberships.get(organization__code="yjs-branch", role=Role.MEMBER)
    assert left.end_on + datetime.timedelta(days=1) == joined.start_on

    converted = Person.objects.get(email="tangjiaxin@donghu.example")
    assert converted.membership_status == MembershipStatus.FULL
    assert converted.joined_party_on.year == 2025

    assert set(AuditEntry.objects.values_list("source", flat=True)) == {"demo"}


def test_the_demo_logins_play_the_personas(logins):
    assert [login.username for login in logins] == [
        "lijing",
        "wanghaoran",
        "yangwanqing",
        "shichen",
        "chenxiaoyu",
        "zhouweidong",
        "admin",
    ]
    assert "yjs-branch" in codes(permissions.managed_organizations(user("lijing")))
    assert codes(permissions.visible_organizations(user("wanghaoran"))) == {
        "yjs-branch",
        "yjs-g1",
        "yjs-g2",
    }
    assert "yjs-branch" not in codes(permissions.visible_organizations(user("yangwanqing")))
    assert {"dh-cmte", "yjs-branch", "gjc-branch", "zhb-branch"} <= codes(
        permissions.visible_organizations(user("shichen"))
    )
    assert not codes(permissions.managed_organizations(user("shichen")))
    for spec in demo.LOGINS:
        if spec.person:
            assert Membership.objects.current().filter(
                person__user__username=spec.username, organization__code=spec.org, role=spec.role
            ).exists(), spec
    admin = user("admin")
    assert admin.is_superuser and admin.is_staff


def test_every_demo_login_logs_in_through_the_login_form(logins, client):
    for login in logins:
        client.logout()
        response = client.post(
            "/accounts/login/", {"username": login.username, "password": login.password}
        )
        assert response.status_code == 302, login.username
        if needs_second_factor(user(login.username)):  # the staff give their code (core.auth)
            verify_session(client, user(login.username))
        page = client.get("/my/")
        assert page.status_code == 200
        assert (login.name or login.username) in page.content.decode()
