"""The status history on the person page, in the API and in the back office."""

import datetime

from branchwork.core.models import AuditEntry, MembershipStatusChange, Person
from branchwork.core.testing import person_with_login, give_role


def test_the_secretary_records_a_change_of_status_and_the_person_page_shows_the_history(personas, login, time_machine):
    # Written around one calendar: the suspension (October 2026 on) holds "today", 2026-11-16.
    time_machine.move_to(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    bob = personas.people.bob
    client = login(personas.alice)
    response = client.post(f"/people/{bob.pk}/status/add/", {
        "status": "suspended", "effective_on": "2026-10-01", "ends_on": "2027-03-31",
        "meeting": "支部党员大会（2026-09-25）", "approved_by": "机关纪委", "document_number": "机纪〔2026〕7号",
        "note": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(f"/people/{bob.pk}/").content.decode()
    # Derived by the factory (joined 2010-07-01), then the recorded suspension.
    for text in ("2010-07-01", "2011-07-01", "2026-10-01 – 2027-03-31", "机纪〔2026〕7号", "机关纪委"):
        assert text in page
    change = MembershipStatusChange.objects.get(person=bob, document_number="机纪〔2026〕7号")
    assert AuditEntry.objects.filter(object_id=str(change.pk), actor=personas.alice).exists()
    assert Person.objects.get(pk=bob.pk).membership_status == "suspended"
    # Corrected, then removed as recorded in error.
    client.post(f"/people/{bob.pk}/status/{change.pk}/", {
        "status": "suspended", "effective_on": "2026-10-08", "ends_on": "2027-03-31",
        "meeting": "支部党员大会（2026-09-25）", "approved_by": "机关纪委", "document_number": "机纪〔2026〕7号",
        "note": "日期更正"})
    change.refresh_from_db()
    assert change.effective_on == datetime.date(2026, 10, 8)
    client.post(f"/people/{bob.pk}/status/{change.pk}/", {"delete": "1"})
    assert not MembershipStatusChange.objects.filter(pk=change.pk).exists()
    assert Person.objects.get(pk=bob.pk).membership_status == "full"


def test_the_history_is_for_managers_and_the_person_not_for_fellow_members(personas, login):
    bob = personas.people.bob
    MembershipStatusChange.objects.filter(person=bob).update(document_number="机组〔2011〕5号")
    fellow = person_with_login("fei", "费一")
    give_role(fellow, personas.branch_a)
    assert "机组〔2011〕5号" in login(personas.bob).get(f"/people/{bob.pk}/").content.decode()
    assert "机组〔2011〕5号" not in login(fellow.user).get(f"/people/{bob.pk}/").content.decode()
    assert login(fellow.user).get(f"/people/{bob.pk}/status/add/").status_code == 404


def test_the_api_lists_and_records_changes_of_status_and_deletes_none(personas, login):
    bob = personas.people.bob
    client = login(personas.alice)
    created = client.post("/api/v1/status-changes/", {
        "person": bob.pk, "status": "left", "effective_on": "2026-11-01",
        "meeting": "支部党员大会（2026-10-28）", "document_number": "机组〔2026〕9号"},
        content_type="application/json")
    assert created.status_code == 201, created.content
    listed = client.get(f"/api/v1/status-changes/?person={bob.pk}").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [(r["status"], r["effective_on"]) for r in rows] == [
        ("probationary", "2010-07-01"), ("full", "2011-07-01"), ("left", "2026-11-01")]
    assert Person.objects.get(pk=bob.pk).membership_status == "left"
    # Nothing is deleted through the API; a change recorded in error goes on the person's page.
    assert client.delete(f"/api/v1/status-changes/{created.json()['id']}/").status_code == 405
    from branchwork.core import services
    from branchwork.core.models import MembershipStatusChange

    services.status_change_delete(by=personas.alice,
                                  change=MembershipStatusChange.objects.get(pk=created.json()["id"]))
    assert Person.objects.get(pk=bob.pk).membership_status == "full"
    outsider = login(personas.carol)  # another branch's member sees none of it
    assert outsider.get(f"/api/v1/status-changes/?person={bob.pk}").json() in ([], {
        "count": 0, "next": None, "previous": None, "results": []})


def test_the_back_office_edits_the_history_and_keeps_the_cached_status(personas, login):
    bob = personas.people.bob
    client = login(personas.admin)
    assert "王博" in client.get("/admin/status-history/").content.decode()
    response = client.post("/admin/status-history/new/", {
        "person": bob.pk, "status": "deceased", "effective_on": "2026-11-02", "ends_on": "",
        "meeting": "", "approved_by": "", "document_number": "", "note": "病故"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Person.objects.get(pk=bob.pk).membership_status == "deceased"
