import datetime

from django.contrib.auth.models import AnonymousUser

from branchwork.core import permissions


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_it_lets_members_read_their_branch_and_its_groups(personas):
    assert codes(permissions.visible_organizations(personas.bob)) == {"branch-a", "branch-a-g1"}


def test_it_hides_other_branches_from_members(personas):
    assert codes(permissions.visible_organizations(personas.carol)) == {"branch-b"}
    assert not permissions.visible_people(personas.carol).filter(pk=personas.people.bob.pk).exists()


def test_it_lets_committee_staff_see_every_branch_under_it_without_managing(personas):
    assert codes(permissions.visible_organizations(personas.dan)) == {"cmte", "branch-a", "branch-a-g1", "branch-b"}
    assert codes(permissions.managed_organizations(personas.dan)) == set()


def test_it_lets_secretaries_manage_their_own_organization(personas):
    assert codes(permissions.managed_organizations(personas.alice)) == {"branch-a", "branch-a-g1"}
    assert permissions.can_manage_person(personas.alice, personas.people.bob)
    assert not permissions.can_manage_person(personas.alice, personas.people.carol)


def test_it_shows_anonymous_users_nothing(personas):

    anon = AnonymousUser()
    assert not permissions.visible_organizations(anon).exists()
    assert not permissions.visible_people(anon).exists()
    assert not permissions.visible_audit_entries(anon).exists()


def test_it_forgets_ended_roles(personas):

    carol_membership = personas.people.carol.memberships.get()
    carol_membership.end_on = datetime.date(2024, 6, 30)
    carol_membership.save()
    permissions.forget(personas.carol)
    assert codes(permissions.visible_organizations(personas.carol)) == set()
    # She still sees herself.
    assert list(permissions.visible_people(personas.carol)) == [personas.people.carol]


def test_it_answers_single_questions_the_same_way_as_the_querysets(personas):
    for user in (personas.alice, personas.bob, personas.carol, personas.dan):
        for org in (personas.committee, personas.branch_a, personas.group_a1, personas.branch_b, personas.outside):
            assert permissions.can_see_org(user, org) == permissions.visible_organizations(user).filter(pk=org.pk).exists()
            assert permissions.can_manage_org(user, org) == permissions.managed_organizations(user).filter(pk=org.pk).exists()
