"""A list costs the same number of queries whatever its length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branchwork.core.models import Organization, OrganizationKind, Role
from branchwork.core.testing import PersonFactory, UnitFactory, give_role, make_org

API = "/api/v1"


def add_people(personas, count: int) -> None:
    for _ in range(count):
        person = PersonFactory(unit=personas.unit)
        give_role(person, personas.branch_a, Role.MEMBER)


def add_groups(personas, count: int) -> None:
    start = Organization.objects.count()
    for n in range(start, start + count):
        # Each under a fresh copy of branch A: treebeard counts children on the parent it is given.
        branch_a = Organization.objects.get(pk=personas.branch_a.pk)
        make_org(f"group-{n}", OrganizationKind.GROUP, f"党小组{n}", branch_a, unit=UnitFactory())


def queries_for(client, url: str, expected_rows: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.json()["results"]) >= expected_rows
    return len(captured)


@pytest.mark.parametrize(
    "url, grow",
    [
        (f"{API}/people/", add_people),
        (f"{API}/people/?organization=branch-a", add_people),
        (f"{API}/memberships/?organization=branch-a", add_people),
        (f"{API}/organizations/", add_groups),
    ],
)
def test_a_list_costs_as_many_queries_for_30_rows_as_for_3(url, grow, personas, api):
    client = api(personas.alice)
    grow(personas, 3)
    client.get(url)  # the reader, kept across requests once read
    with_3 = queries_for(client, url, 3)

    grow(personas, 27)
    client.get(url)  # new roles: the reader is read afresh once
    with_30 = queries_for(client, url, 30)

    assert with_30 == with_3
