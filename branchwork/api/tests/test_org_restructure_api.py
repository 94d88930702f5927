"""Managers cannot lock themselves out: closing, reopening and moving an organization is for the
level above it, with `confirm`, and lands in the audit trail (issue 13, item 9)."""

import pytest
from django.contrib.contenttypes.models import ContentType

from branchwork.core.models import AuditEntry, Organization, OrganizationKind, Role
from branchwork.core.testing import give_role, make_org, person_with_login

API = "/api/v1"


@pytest.fixture
def chair(personas):
    """The committee's secretary: she manages the committee and every branch under it."""
    person = person_with_login("erin", "周怡")
    give_role(person, personas.committee, Role.SECRETARY)
    return person.user


def org_entries(org):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Organization), object_id=str(org.pk)
    )


def fresh(org):
    return Organization.objects.get(pk=org.pk)


def test_the_secretary_cannot_close_her_own_branch(personas, api):
    alice = api(personas.alice)

    with_confirm = {"is_active": False, "confirm": True}
    response = alice.patch(f"{API}/organizations/branch-a/", with_confirm, format="json")

    assert response.status_code == 403
    assert fresh(personas.branch_a).is_active
    # She still sees her branch and her members.
    assert alice.get(f"{API}/organizations/branch-a/").status_code == 200
    assert alice.get(f"{API}/people/{personas.people.bob.pk}/").status_code == 200


def test_the_secretary_cannot_move_her_own_branch(personas, api):
    other = make_org("cmte-2", OrganizationKind.COMMITTEE, "另一党委")
    give_role(personas.people.alice, other, Role.SECRETARY)

    response = api(personas.alice).patch(
        f"{API}/organizations/branch-a/", {"parent": "cmte-2", "confirm": True}, format="json"
    )

    assert response.status_code == 403
    assert fresh(personas.branch_a).get_parent().code == "cmte"


def test_the_secretary_may_still_close_a_group_under_her_branch(personas, api):
    response = api(personas.alice).patch(
        f"{API}/organizations/branch-a-g1/", {"is_active": False, "confirm": True}, format="json"
    )

    assert response.status_code == 200
    assert not fresh(personas.group_a1).is_active


def test_nobody_deletes_an_organization_through_the_api(personas, api, chair):
    for user in (personas.alice, chair, personas.carol):
        assert api(user).delete(f"{API}/organizations/branch-a/").status_code == 405
    assert fresh(personas.branch_a).is_active


def test_outsiders_and_readers_are_refused_as_elsewhere(personas, api):
    body = {"is_active": False, "confirm": True}
    # Carol (branch B) does not know branch A exists; Bob and Dan read it but manage nothing.
    assert api(personas.carol).patch(f"{API}/organizations/branch-a/", body, format="json").status_code == 404
    assert api(personas.bob).patch(f"{API}/organizations/branch-a/", body, format="json").status_code == 403
    assert api(personas.dan).patch(f"{API}/organizations/branch-a/", body, format="json").status_code == 403
    assert fresh(personas.branch_a).is_active


def test_the_committee_needs_to_confirm_closing_a_branch(personas, api, chair):
    response = api(chair).patch(
        f"{API}/organizations/branch-a/", {"is_active": False}, format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "confirm=true" in response.json()["confirm"][0]
    assert fresh(personas.branch_a).is_active


def test_the_committee_closes_and_reopens_a_branch_with_confirmation_and_it_is_audited(
    personas, api, chair
):
    client = api(chair)
    before = org_entries(personas.branch_a).count()

    response = client.patch(
        f"{API}/organizations/branch-a/", {"is_active": False, "confirm": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert not fresh(personas.branch_a).is_active
    entry = org_entries(personas.branch_a).first()
    assert (entry.actor_id, entry.source, entry.changes) == (
        chair.pk, "api", {"is_active": [True, False]}
    )
    # Closed: Alice no longer reads it (which is why she may not do this to herself).
    assert api(personas.alice).get(f"{API}/organizations/branch-a/").status_code == 404

    response = client.patch(
        f"{API}/organizations/branch-a/", {"is_active": True, "confirm": True}, format="json"
    )
    assert response.status_code == 200
    assert fresh(personas.branch_a).is_active
    assert org_entries(personas.branch_a).count() == before + 2
    assert api(personas.alice).get(f"{API}/organizations/branch-a/").status_code == 200


def test_the_committee_moves_a_branch_with_confirmation_and_it_is_audited(
    personas, api, chair
):
    general = make_org("general", OrganizationKind.GENERAL_BRANCH, "总支", personas.committee)
    client = api(chair)

    refused = client.patch(f"{API}/organizations/branch-b/", {"parent": "general"}, format="json")
    assert refused.status_code == 400
    assert fresh(personas.branch_b).get_parent().code == "cmte"

    response = client.patch(
        f"{API}/organizations/branch-b/", {"parent": "general", "confirm": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["parent"] == "general"
    moved = fresh(personas.branch_b)
    assert moved.get_parent().code == "general"
    assert moved.path.startswith(fresh(general).path)
    entry = org_entries(personas.branch_b).first()
    assert (entry.actor_id, entry.changes) == (chair.pk, {"parent": ["cmte", "general"]})
    # Carol, a member of branch B, still reads her branch where it now is.
    assert api(personas.carol).get(f"{API}/organizations/branch-b/").status_code == 200


def test_a_move_under_an_organization_of_the_wrong_kind_is_refused(personas, api, chair):
    response = api(chair).patch(
        f"{API}/organizations/branch-b/", {"parent": "branch-a", "confirm": True}, format="json"
    )

    assert response.status_code == 400
    assert fresh(personas.branch_b).get_parent().code == "cmte"


def test_names_stay_the_secretarys_to_change_without_confirmation(personas, api):
    response = api(personas.alice).patch(
        f"{API}/organizations/branch-a/", {"name_en": "Research Branch", "is_active": True},
        format="json",
    )

    assert response.status_code == 200
    assert fresh(personas.branch_a).name_en == "Research Branch"
