"""The portal's pages: channels, series, articles in Chinese; internal articles stay internal."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from branchwork.core.testing import UserFactory
from branchwork.publishing.models import ArticlePage, ImageUse, Visibility
from branchwork.publishing.testing import make_article, make_channel, make_image, make_series

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SECRET = "内部通报 INTERNAL-SENTINEL-3391"


@pytest.fixture
def site(portal):
    """基层组织建设 › 支部风采 with public and internal articles, a series of three parts."""
    p = portal
    p.jiceng = make_channel(p.home, "基层组织建设", "jiceng", intro="<p>支部建设的经验与做法。</p>")
    p.fengcai = make_channel(p.jiceng, "支部风采", "fengcai")
    p.lilun = make_channel(p.home, "理论学习", "lilun")
    p.series = make_series(p.jiceng, "支部书记谈四强", "sishu")
    p.photo = make_image("支部活动照片")
    p.secret_photo = make_image("内部照片")
    base = timezone.now() - datetime.timedelta(days=30)
    p.parts = [
        make_article(
            p.fengcai, "支部书记谈四强", subtitle=sub, series=p.series, part_number=n,
            author=p.people.alice, tags=["四强", "支部建设"],
            published_at=base + datetime.timedelta(days=n),
            body_html=f"<p>第{n}篇正文：{sub}。</p>",
        )
        for n, sub in enumerate(["政治功能强", "支部班子强", "党员队伍强"], start=1)
    ]
    p.public = make_article(
        p.fengcai, "研究室党支部开展主题党日活动", subtitle="走进社区听民声", source="研究室党支部",
        author=p.people.bob, tags=["主题党日", "支部建设"], published_at=base + datetime.timedelta(days=10),
        summary="支部党员走进社区，围绕基层治理开展调研。",
        body_html=(f"<p>十一月十二日，支部组织党员走进社区。</p>"
                   f'<embed embedtype="image" id="{p.photo.pk}" alt="党员在社区座谈"/>'
                   f"<p>图为座谈现场</p><p>大家结合课题谈了体会。</p>"),
    )
    p.internal = make_article(
        p.fengcai, SECRET, visibility=Visibility.INTERNAL, author=p.people.alice, organization=p.branch_a,
        tags=["支部建设", "主题党日"], published_at=base + datetime.timedelta(days=12),
        body_html=(f"<p>{SECRET} 正文只给党员看。</p>"
                   f'<embed embedtype="image" id="{p.secret_photo.pk}" alt=""/><p>内部照片说明</p>'),
    )
    return p


def text_of(response) -> str:
    return response.content.decode()


def test_an_article_renders_in_chinese_with_byline_caption_tags_and_breadcrumbs(site, client):
    page = text_of(client.get(site.public.url))
    assert "研究室党支部开展主题党日活动" in page and "走进社区听民声" in page
    assert "王博" in page and "研究室 研究员" in page  # author, unit and position
    assert "研究室党支部" in page  # source
    assert "<figcaption>图为座谈现场</figcaption>" in page
    assert 'alt="党员在社区座谈"' in page
    assert f'/portal/images/{site.photo.pk}/medium/' in page
    crumbs = re.search(r'<nav class="container breadcrumbs".*?</nav>', page, re.S).group(0)
    assert re.findall(r">([^<>]+)</(?:a|span)>", crumbs) == ["首页", "基层组织建设", "支部风采", "研究室党支部开展主题党日活动"]
    assert "/portal/tags/" in page and "主题党日" in page
    # the text-size control of base.html is on every article
    assert 'class="text-size"' in page and 'data-text-size="large"' in page


def test_channel_breadcrumb_reads_home_then_the_channel(site, client):
    page = text_of(client.get(site.jiceng.url))
    crumbs = re.search(r'<nav class="container breadcrumbs".*?</nav>', page, re.S).group(0)
    assert re.findall(r">([^<>]+)</(?:a|span)>", crumbs) == ["首页", "基层组织建设"]
    assert "支部风采" in page  # the sub-channel
    assert "支部书记谈四强（3）" in page  # articles of sub-channels are listed too
    assert "支部书记谈四强" in page and "/jiceng/sishu/" in page  # the series


def test_series_parts_are_numbered_and_linked_in_order(site, client):
    page = text_of(client.get(site.series.url))
    positions = [page.index(f"支部书记谈四强（{n}）") for n in (1, 2, 3)]
    assert positions == sorted(positions)
    second = text_of(client.get(site.parts[1].url))
    assert "<h1>支部书记谈四强（2）</h1>" in second
    assert site.parts[0].url in second and site.parts[2].url in second  # previous and next parts


def test_english_articles_number_their_parts_the_english_way(site):
    article = ArticlePage(title="Branch secretaries on the four strong", language="en",
                          series_id=site.series.pk, part_number=2)
    assert article.display_title == "Branch secretaries on the four strong (2)"


def test_a_part_number_is_taken_once_per_series(site):
    from django.core.exceptions import ValidationError

    clash = ArticlePage(title="重复", slug="chongfu", series=site.series, part_number=2)
    with pytest.raises(ValidationError) as info:
        clash.clean()
    assert "part_number" in info.value.message_dict


def test_channels_paginate(site, client):
    for n in range(25):
        make_article(site.lilun, f"学习笔记第{n:02d}篇")
    first = text_of(client.get(site.lilun.url))
    second = text_of(client.get(site.lilun.url + "?page=2"))
    assert first.count('class="article-link"') == 20 and second.count('class="article-link"') == 5
    assert "?page=2" in first


def test_the_print_view_has_the_article_and_print_styles(site, client):
    page = text_of(client.get(site.public.url + "?print=1"))
    assert "研究室党支部开展主题党日活动" in page and "图为座谈现场" in page
    assert "print.js" in page and "data-print" in page
    assert 'class="site-header"' not in page


# --- Internal articles ---


def test_anonymous_visitors_are_sent_to_log_in_for_an_internal_article(site, client):
    response = client.get(site.internal.url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert "SENTINEL" not in text_of(response)


def test_an_internal_article_is_read_by_its_branch_and_from_above_not_by_another_branch(site, login):
    for user in (site.alice, site.bob, site.dan):  # branch A's secretary and member; committee staff
        response = login(user).get(site.internal.url)
        assert response.status_code == 200 and SECRET in text_of(response)
        assert "private" in response["Cache-Control"]
    assert login(site.carol).get(site.internal.url).status_code == 404  # a member of branch B


def test_the_committees_and_the_institutions_internal_articles_are_read_by_every_branch(site, login):
    committee = make_article(site.fengcai, "机关党委内部通知", visibility=Visibility.INTERNAL,
                             organization=site.committee)
    everyone = make_article(site.fengcai, "全体党员内部通知", visibility=Visibility.INTERNAL)
    outsider = UserFactory(username="outsider")
    for article in (committee, everyone):
        for user in (site.bob, site.carol, site.dan):
            assert login(user).get(article.url).status_code == 200, (article.title, user)
        assert login(outsider).get(article.url).status_code == 404


def test_an_account_without_a_member_record_gets_404(site, login):
    stranger = UserFactory(username="stranger")
    assert login(stranger).get(site.internal.url).status_code == 404


def test_internal_articles_are_left_out_of_lists_for_anonymous_visitors(site, client, login):
    urls = ["/", site.jiceng.url, site.fengcai.url, site.public.url, "/portal/tags/支部建设/"]
    for url in urls:
        page = text_of(client.get(url))
        assert "SENTINEL" not in page, url
    related = text_of(login(site.bob).get(site.public.url))
    assert "SENTINEL" in related  # its readers see it among the related articles
    listing = text_of(login(site.bob).get(site.fengcai.url))
    assert "SENTINEL" in listing
    for url in urls:  # another branch's member does not
        assert "SENTINEL" not in text_of(login(site.carol).get(url)), url


def test_the_channel_feed_is_atom_with_public_articles_only(site, client, login):
    for who in (None, site.alice):
        response = login(who).get(f"/portal/feeds/{site.jiceng.pk}/")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
        feed = ET.fromstring(response.content)
        titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
        assert "研究室党支部开展主题党日活动" in titles and "支部书记谈四强（2）" in titles
        assert not any("SENTINEL" in t for t in titles)
        assert "SENTINEL" not in response.content.decode()


def test_the_sitemap_lists_public_pages_only(site, client):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert site.public.get_full_url() in sitemap and site.jiceng.get_full_url() in sitemap
    assert site.internal.get_full_url() not in sitemap
    assert "SENTINEL" not in sitemap


def test_site_search_does_not_show_internal_articles_to_anonymous_visitors(site, client):
    for query in ("SENTINEL", "内部通报"):
        page = text_of(client.get("/search/", {"q": query}))
        assert site.internal.url not in page and "INTERNAL-SENTINEL" not in page.replace(query, ""), query


def test_images_of_internal_articles_are_not_served_to_anonymous_visitors(site, client, login):
    assert client.get(f"/portal/images/{site.photo.pk}/medium/").status_code == 200
    assert client.get(f"/portal/images/{site.secret_photo.pk}/medium/").status_code == 404
    assert login(site.bob).get(f"/portal/images/{site.secret_photo.pk}/medium/").status_code == 200
    assert login(site.carol).get(f"/portal/images/{site.secret_photo.pk}/medium/").status_code == 404
    assert client.get(f"/portal/images/{site.photo.pk}/huge/").status_code == 404
    assert set(ImageUse.objects.values_list("image_id", flat=True)) == {site.photo.pk, site.secret_photo.pk}


def test_turning_an_article_internal_takes_it_out_of_feeds_and_its_images_with_it(site, client):
    revision = site.public.save_revision()
    draft = revision.as_object()
    draft.visibility = Visibility.INTERNAL
    draft.save_revision().publish()
    assert client.get(site.public.url).status_code == 302
    assert "主题党日活动" not in client.get(f"/portal/feeds/{site.fengcai.pk}/").content.decode()
    assert client.get(f"/portal/images/{site.photo.pk}/medium/").status_code == 404


# --- Query counts ---


def _queries(client, url) -> int:
    """Queries of a request with nothing cached (related articles' rankings are cached)."""
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("who", ["anonymous", "carol"])
def test_channel_series_article_and_home_pages_take_constant_queries(site, login, who):
    client = login(None if who == "anonymous" else site.carol)
    article = site.parts[1]

    def measure():
        return {url: _queries(client, url) for url in
                ("/", site.jiceng.url, site.fengcai.url, site.series.url, article.url)}

    small = measure()
    start = timezone.now() - datetime.timedelta(days=400)
    for n in range(27):  # 3 → 30 articles in the sub-channel, with tags and authors
        make_article(site.fengcai, f"支部工作简报第{n}期", tags=["四强", f"简报{n}"],
                     author=site.people.bob if n % 2 else site.people.carol,
                     visibility=Visibility.INTERNAL if n % 3 == 0 else Visibility.PUBLIC,
                     published_at=start + datetime.timedelta(days=n))
    large = measure()
    assert small == large, (small, large)


def test_the_image_library_is_served_at_its_media_address_to_the_back_office_only(site, client, login):
    rendition = site.photo.get_rendition("max-165x165")
    for url in (rendition.url, site.photo.file.url):
        assert url.startswith("/media/")
        assert login(site.editor).get(url).status_code == 200, url  # thumbnails in the back office
        assert client.logout() is None and client.get(url).status_code == 404
        assert login(site.bob).get(url).status_code == 404  # members go through /portal/images/
    # Nothing else under MEDIA_ROOT, not even to a superuser, and no way out of it.
    root = UserFactory(username="root2", is_superuser=True)
    assert login(root).get(rendition.url).status_code == 200
    assert login(root).get("/media/activities/x.txt").status_code == 404
    assert login(root).get("/media/images/../../settings.py").status_code == 404


def test_a_path_is_routed_in_the_same_queries_however_deep_its_channel(site, client):
    deep = make_channel(make_channel(site.fengcai, "二级栏目", "erji"), "三级栏目", "sanji")
    shallow_article = make_article(site.lilun, "浅层文章")
    deep_article = make_article(deep, "深层文章")
    assert deep_article.url.startswith("/jiceng/fengcai/erji/sanji/")
    assert "深层文章" in text_of(client.get(deep_article.url))
    assert _queries(client, deep_article.url) == _queries(client, shallow_article.url)
    # Unpublished pages and unknown paths are still not found.
    deep_article.unpublish()
    assert client.get(deep_article.url).status_code == 404
    assert client.get("/jiceng/fengcai/erji/nothing-here/").status_code == 404
    assert client.get("/jiceng/no-such-channel/x/").status_code == 404


def test_related_rankings_are_cached_for_everyone_and_filtered_for_each_reader(site, client, login):
    from branchwork.publishing import selectors

    with CaptureQueriesContext(connection) as cold:
        client.get(site.public.url)
    with CaptureQueriesContext(connection) as warm:
        page = text_of(client.get(site.public.url))
    assert len(warm) < len(cold)  # the ranking and the channel's latest come from the cache
    assert "SENTINEL" not in page  # the cached ranking holds the internal article; the reader's filter does not
    assert "SENTINEL" in text_of(login(site.bob).get(site.public.url))
    assert "SENTINEL" not in text_of(login(site.carol).get(site.public.url))
    # A publication moves the portal on: the new article is ranked at once.
    generation = selectors.portal_generation()
    fresh = make_article(site.fengcai, "新发布的相关文章 FRESH-7", tags=["主题党日", "支部建设"])
    assert selectors.portal_generation() > generation
    assert "FRESH-7" in text_of(client.get(site.public.url))
    fresh.unpublish()
    assert "FRESH-7" not in text_of(client.get(site.public.url))


def test_a_series_part_links_the_neighbours_its_reader_may_open(site, client, login):
    first, middle, last = site.parts
    html = text_of(client.get(middle.url))
    assert f'href="{first.url}" rel="prev"' in html and f'href="{last.url}" rel="next"' in html
    assert "支部书记谈四强（3）" in html
    draft = last.get_latest_revision_as_object()
    draft.visibility, draft.organization = Visibility.INTERNAL, site.branch_a
    draft.save_revision().publish()
    assert 'rel="next"' not in text_of(client.get(middle.url))
    assert 'rel="next"' not in text_of(login(site.carol).get(middle.url))
    assert f'href="{last.url}" rel="next"' in text_of(login(site.bob).get(middle.url))
    assert 'rel="prev"' not in text_of(client.get(first.url))


def test_related_articles_leave_out_the_parts_the_series_links_already(site, client):
    first, middle, last = site.parts
    html = text_of(client.get(middle.url))
    related = html.split('class="related"', 1)[1]
    assert f'href="{first.url}"' not in related and f'href="{last.url}"' not in related
    assert f'href="{site.public.url}"' in related  # another article with a shared tag
