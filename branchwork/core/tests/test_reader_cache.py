"""The reader: built once per request, kept across requests under the access generation, and
read afresh on the next request after any change of roles, organizations, people or accounts."""

import datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branchwork.core import permissions, services
from branchwork.core.models import Membership, Role


def fresh(user):
    """The user as the next request loads it (no reader kept on it)."""
    return get_user_model().objects.get(pk=user.pk)


def test_the_next_request_reads_the_reader_from_the_cache(personas):
    first = permissions.reader(fresh(personas.bob))
    user = fresh(personas.bob)
    with CaptureQueriesContext(connection) as queries:
        again = permissions.reader(user)
        assert user.person == personas.people.bob  # put on the user, no query
    assert len(queries) == 0
    assert again.read_paths == first.read_paths and again.person_id == personas.people.bob.pk
    assert again.holds(Role.MEMBER) and not again.holds(Role.EDITOR)


def test_a_role_ended_is_seen_on_the_next_request(personas, login):
    client = login(personas.bob)
    branch = reverse("core:org", kwargs={"org_code": personas.branch_a.code})
    assert client.get(branch).status_code == 200  # the reader is cached now
    for membership in Membership.objects.filter(person=personas.people.bob, organization=personas.branch_a):
        services.membership_end(by=personas.alice, membership=membership,
                                end_on=datetime.date(2024, 6, 30))
    assert client.get(branch).status_code == 404


def test_a_role_given_is_seen_on_the_next_request(personas, login):
    client = login(personas.carol)
    branch = reverse("core:org", kwargs={"org_code": personas.branch_a.code})
    assert client.get(branch).status_code == 404
    services.membership_create(by=personas.alice, person=personas.people.carol,
                               organization=personas.branch_a, role=Role.MEMBER,
                               start_on=datetime.date(2024, 1, 1))
    assert client.get(branch).status_code == 200


def test_a_closed_organization_and_a_move_are_seen_on_the_next_request(personas):
    assert permissions.can_see_org(fresh(personas.bob), personas.group_a1)
    services.organization_move(by=personas.dan, organization=personas.group_a1, parent=personas.branch_b)
    personas.group_a1.refresh_from_db()
    # Bob reads branch A and his group; moved under branch B, the group keeps his role in it.
    assert permissions.reader(fresh(personas.bob)).read_paths == sorted(
        [personas.branch_a.path, personas.group_a1.path])
    services.organization_set_active(by=personas.alice, organization=personas.branch_a, active=False)
    assert not permissions.can_see_org(fresh(personas.bob), personas.branch_a)


def test_the_fingerprint_tells_readers_apart_and_alike(personas):
    bob, carol = permissions.reader(fresh(personas.bob)), permissions.reader(fresh(personas.carol))
    assert bob.fingerprint != carol.fingerprint
    assert bob.fingerprint == permissions.reader(fresh(personas.bob)).fingerprint
