import io

from django.core.management import call_command


def test_the_portal_home_serves_in_chinese_on_a_fresh_database(db, client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-Hans"' in response.content.decode()


def test_the_demo_gives_the_home_page_an_introduction_once(db, client):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "门户首页" in out.getvalue()
    page = client.get("/").content.decode()
    assert "东湖研究院机关党委" in page and "三会一课" in page
    again = io.StringIO()
    call_command("load_demo", stdout=again)
    assert "门户首页" not in again.getvalue()
