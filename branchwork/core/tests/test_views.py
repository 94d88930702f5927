import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branchwork.core.models import AuditEntry, Membership, Person, Role
from branchwork.core.testing import PersonFactory, give_role


def test_my_page_lists_alices_organizations_and_roles(personas, login):
    page = login(personas.alice).get("/my/").content.decode()
    assert "研究室党支部" in page and "书记" in page
    assert "我管理的组织" in page  # the panel core adds through the hook


def test_my_page_needs_a_login(personas, login):
    response = login(None).get("/my/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_secretary_adds_a_person_who_joins_the_branch(personas, login):
    client = login(personas.alice)
    response = client.post("/orgs/branch-a/people/add/", {
        "name": "周新", "name_en": "", "name_native": "", "membership_status": "probationary",
        "joined_party_on": "2026-07-01", "unit": "", "position": "助理研究员", "email": "zhouxin@example.org",
        "phone": "", "role": "member", "start_on": "2026-07-01",
    })
    assert response.status_code == 302
    person = Person.objects.get(name="周新")
    assert person.memberships.get().organization == personas.branch_a
    assert AuditEntry.objects.filter(object_repr="周新", actor=personas.alice).exists()


def test_a_bad_role_is_refused_with_a_message_in_chinese(personas, login):
    client = login(personas.alice)
    response = client.post("/orgs/branch-a/roles/add/", {
        "person": personas.people.bob.pk, "role": "member", "portfolio": "propaganda",
        "start_on": "2026-01-01", "end_on": "2025-01-01", "note": "",
    })
    assert response.status_code == 200
    page = response.content.decode()
    assert "任职结束日期不能早于开始日期" in page
    assert Membership.objects.filter(person=personas.people.bob).count() == 2


def test_members_cannot_manage_their_branch(personas, login):
    client = login(personas.bob)
    assert client.get("/orgs/branch-a/").status_code == 200
    for url in ("/orgs/branch-a/people/add/", "/orgs/branch-a/roles/add/", "/orgs/branch-a/audit/",
                f"/people/{personas.people.bob.pk}/edit/"):
        assert client.get(url).status_code == 404, url


def test_the_people_list_exports_to_excel_with_chinese_content(personas, login):
    response = login(personas.bob).get("/orgs/branch-a/people/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "英文名", "党员身份")
    names = {row[0] for row in rows[1:]}
    assert names == {"李爱丽", "王博"}
    assert ("李爱丽", "书记") in {(row[0], row[6]) for row in rows[1:]}


def test_the_audit_trail_exports_to_excel(personas, login):
    client = login(personas.alice)
    bob_membership = Membership.objects.get(person=personas.people.bob, organization=personas.branch_a)
    client.post(f"/orgs/branch-a/roles/{bob_membership.pk}/edit/", {
        "role": "committee_member", "portfolio": "organization", "start_on": "2024-01-01", "end_on": "", "note": "",
    })
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/orgs/branch-a/audit/export.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert ("李爱丽", "修改", "职务", "党员", "委员") in {(r[1], r[2], r[5], r[6], r[7]) for r in rows[1:]}


def _grow_branch_a(personas, n):
    for _ in range(n):
        person = PersonFactory()
        give_role(person, personas.branch_a, Role.MEMBER)
        give_role(person, personas.group_a1, Role.MEMBER)


@pytest.mark.parametrize("url", ["/orgs/branch-a/people/", "/orgs/branch-a/", "/orgs/", "/my/", "/orgs/branch-a/audit/"])
def test_page_query_counts_do_not_grow_with_the_branch(personas, login, url):
    client = login(personas.alice)
    _grow_branch_a(personas, 3)
    client.get(url)  # warm caches (content types, site)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow_branch_a(personas, 30)
    client.get(url)  # new roles: the cached reader is read afresh once
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_text_size_is_remembered_in_a_cookie_and_sets_the_class(personas, login):
    client = login(None)
    response = client.post("/prefs/text-size/", {"size": "large", "next": "/search/"})
    assert response.status_code == 302 and response["Location"] == "/search/"
    assert client.cookies["bw_textsize"].value == "large"
    assert 'class="text-large"' in client.get("/search/").content.decode()


def test_text_size_refuses_to_redirect_elsewhere(personas, login):
    response = login(None).post("/prefs/text-size/", {"size": "small", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_portal_home_is_in_chinese_and_has_a_strict_csp(db, client):
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-Hans"' in page and "站内搜索" in page and "投稿邮箱" in page
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_english_is_complete_on_the_pages_alice_uses(personas, login):
    client = login(personas.alice)
    client.post("/i18n/setlang/", {"language": "en", "next": "/my/"})
    # (The audit trail is left out: it quotes records as they read when they were written.)
    for url in ("/my/", "/orgs/", "/orgs/branch-a/", "/orgs/branch-a/people/", f"/people/{personas.people.bob.pk}/"):
        page = client.get(url).content.decode()
        assert 'lang="en"' in page, url
        # No Chinese outside names users typed: strip those and look for any CJK character left.
        for typed in ("李爱丽", "王博", "主任", "研究员", "研究室第一党小组", "研究室党支部", "研究室第一党小组", "研究室", "机关党委", "简体中文"):
            page = page.replace(typed, "")
        leftover = [ch for ch in page if "\u4e00" <= ch <= "\u9fff"]
        assert not leftover, (url, "".join(leftover)[:80])


def test_login_works_with_an_email_address(personas, client, password):
    response = client.post("/accounts/login/", {"username": "BOB@example.org", "password": password})
    assert response.status_code == 302


def test_repeated_failed_logins_lock_the_account(personas, client):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "bob", "password": "persona-password"})
    assert response.status_code == 429
    assert "尝试次数过多" in response.content.decode()


def test_chinese_comes_first_whatever_the_browser_asks_for_until_english_is_chosen(db, client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-Hans"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'lang="en"' in page and "Search the site" in page
