import io

from branchwork.core import demo as core_demo
from branchwork.publishing import demo


def test_the_portal_home_serves_in_chinese_on_a_fresh_database(db, client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-Hans"' in response.content.decode()


def test_the_demo_gives_the_home_page_an_introduction_once(db, client):
    core_demo.load(stdout=io.StringIO())
    out = io.StringIO()
    demo.load(stdout=out)
    assert "门户首页" in out.getvalue()
    page = client.get("/").content.decode()
    assert "东湖研究院机关党委" in page and "三会一课" in page
    again = io.StringIO()
    demo.load(stdout=again)
    assert "门户首页" not in again.getvalue()
