import datetime

from branchwork.core import permissions, services
from branchwork.core.models import AuditAction, AuditEntry, Membership, Portfolio, Role
from branchwork.core.testing import UnitFactory


def test_it_records_who_changed_a_role_from_what_to_what(personas, login):
    bob_membership = Membership.objects.get(person=personas.people.bob, organization=personas.branch_a)
    client = login(personas.alice)
    response = client.post(
        f"/orgs/branch-a/roles/{bob_membership.pk}/edit/",
        {"role": Role.COMMITTEE_MEMBER, "portfolio": Portfolio.PROPAGANDA, "start_on": "2024-01-01", "end_on": "", "note": ""},
    )
    assert response.status_code == 302

    entry = AuditEntry.objects.filter(object_id=str(bob_membership.pk), action=AuditAction.UPDATE).get()
    assert entry.actor == personas.alice
    assert entry.actor_name == "李爱丽"
    assert entry.organization == personas.branch_a
    assert entry.changes == {"role": ["member", "committee_member"], "portfolio": ["", "propaganda"]}

    page = client.get("/orgs/branch-a/audit/").content.decode()
    assert "李爱丽" in page
    assert "党员" in page and "委员" in page  # from → to, in the reader's language
    assert "宣传" in page


def test_it_logs_creation_and_deletion_with_values(personas):
    membership = services.membership_create(
        by=personas.alice, person=personas.people.bob, organization=personas.group_a1,
        role=Role.GROUP_LEADER, start_on=datetime.date(2025, 3, 1),
    )
    created = AuditEntry.objects.get(object_id=str(membership.pk), action=AuditAction.CREATE)
    assert created.changes["role"] == [None, "group_leader"]
    assert created.changes["start_on"] == [None, "2025-03-01"]
    pk = membership.pk
    membership.delete()
    deleted = AuditEntry.objects.get(object_id=str(pk), action=AuditAction.DELETE)
    assert deleted.changes["role"] == ["group_leader", None]
    assert deleted.actor is None  # outside a request and not attributed: the system


def test_it_shows_the_trail_only_to_managers_of_the_organization(personas, login):
    services.person_update(by=personas.alice, person=personas.people.bob, phone="13900000000")
    assert permissions.visible_audit_entries(personas.alice).filter(object_repr="王博").exists()
    for user in (personas.bob, personas.carol, personas.dan, None):
        assert login(user).get("/orgs/branch-a/audit/").status_code in (302, 404)
    assert login(personas.alice).get("/orgs/branch-a/audit/").status_code == 200


def test_it_skips_saves_that_change_nothing(personas):
    person = personas.people.bob
    before = AuditEntry.objects.count()
    person.save()
    assert AuditEntry.objects.count() == before


def test_it_never_copies_password_hashes_into_the_trail(personas):
    personas.bob.set_password("another-password-123")
    personas.bob.save()
    assert not AuditEntry.objects.filter(changes__has_key="password").exists()


def test_the_trail_cannot_be_edited_from_the_ui(personas, login):
    services.person_update(by=personas.alice, person=personas.people.bob, phone="13900000000")
    entry = AuditEntry.objects.latest("pk")
    client = login(personas.admin)
    # Superusers may read the trail in the Django admin, but it offers no change or delete.
    assert client.get(f"/django-admin/core/auditentry/{entry.pk}/change/").status_code == 200
    assert client.post(f"/django-admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_persons_changes_belong_to_their_branch_not_their_group(personas):
    # Bob is a member of branch A and of its first group; the branch is where his record lives.
    assert personas.people.bob.primary_org_id() == personas.branch_a.pk
    services.person_update(by=personas.alice, person=personas.people.bob, position="副研究员")
    assert AuditEntry.objects.filter(object_repr="王博").latest("pk").organization == personas.branch_a


def test_tree_bookkeeping_stays_out_of_the_trail(personas):
    created = AuditEntry.objects.filter(object_repr="研究室第一党小组", action=AuditAction.CREATE).get()
    assert {"code", "name_zh", "kind"} <= set(created.changes)
    assert not {"path", "depth", "numchild"} & set(created.changes)


def test_a_changed_relation_is_logged_with_the_names_it_had(personas):
    office = UnitFactory(code="general-office", name_zh="综合办公室", name_en="General Office")
    services.person_update(by=personas.alice, person=personas.people.bob, unit=office)
    entry = AuditEntry.objects.filter(object_repr="王博").latest("pk")
    assert entry.changes == {
        "unit": [{"id": personas.unit.pk, "repr": "研究室"}, {"id": office.pk, "repr": "综合办公室"}]
    }
