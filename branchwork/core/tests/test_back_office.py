from branchwork.core.models import AuditEntry, Membership


def test_superusers_edit_people_in_the_back_office_and_the_trail_records_it(personas, login):
    client = login(personas.admin)
    listing = client.get("/admin/people/").content.decode()
    assert "王博" in listing and "李爱丽" in listing
    bob = personas.people.bob
    response = client.post(f"/admin/people/edit/{bob.pk}/", {
        "name": bob.name, "name_en": bob.name_en, "name_native": "", "membership_status": "full",
        "joined_party_on": "2010-07-01", "unit": bob.unit_id, "position": "副研究员",
        "email": bob.email, "phone": bob.phone,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(object_repr="王博").latest("pk")
    assert entry.actor == personas.admin
    assert entry.changes == {"position": ["研究员", "副研究员"]}


def test_the_back_office_lists_roles_and_searches_people(personas, login):
    client = login(personas.admin)
    assert "研究室党支部" in client.get("/admin/roles/").content.decode()
    found = client.get("/admin/people/?q=王").content.decode()
    assert "王博" in found and "陈可乐" not in found
    assert Membership.objects.exists()


def test_members_do_not_get_into_the_back_office(personas, login):
    response = login(personas.bob).get("/admin/people/")
    assert response.status_code == 302


def test_organizations_are_not_added_through_the_django_admin(personas, login):
    assert login(personas.admin).get("/django-admin/core/organization/add/").status_code == 403
