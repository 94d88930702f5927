"""The benchmarks' portal generator (publishing/bench.py) writes pages Wagtail can live with.

It builds the page tree itself, so these check what add_child would have guaranteed: a sound
tree (treebeard's find_problems), url paths that route, pages that serve, internal articles kept
internal. And the article and channel pages cost the same number of queries at 30 articles as at
60: what the benchmark times at 10,000 is then the same work, only on more rows.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from branchwork.publishing.bench import generate_articles
from branchwork.publishing.models import ArticlePage, ChannelPage, ImageUse, SeriesPage, Visibility
from branchwork.publishing.richtext import image_ids_in
from branchwork.publishing.testing import ensure_portal_root

pytestmark = pytest.mark.django_db

BACKEND = "branchwork.core.auth.UsernameOrEmailBackend"


@pytest.fixture
def home():
    return ensure_portal_root()


def test_the_tree_is_sound_and_every_page_serves(home):
    data = generate_articles(30)

    assert Page.find_problems() == ([], [], [], [], [])
    articles = list(ArticlePage.objects.select_related("series"))
    assert len(articles) == 30 == data.counts["articles"]
    for article in articles:
        parent = article.get_parent()
        assert isinstance(parent.specific, ChannelPage)
        assert article.url_path == f"{parent.url_path}{article.slug}/"
        assert article.live and article.first_published_at
        assert list(ImageUse.objects.filter(page=article).values_list("image_id", flat=True)) == \
            sorted(image_ids_in(article.body))
    assert sum(a.visibility == Visibility.INTERNAL for a in articles) == data.counts["internal"]
    assert ArticlePage.objects.filter(tagged_items__isnull=False).distinct().count() == 30

    anonymous, member, admin = Client(), Client(), Client()
    member.force_login(data.reader, backend=BACKEND)
    admin.force_login(get_user_model().objects.create_superuser("admin", "admin@example.org", None),
                      backend=BACKEND)
    for article in articles:
        response = (admin if article.is_internal else anonymous).get(article.url)
        assert response.status_code == 200, article.url
        assert article.display_title in response.content.decode()
        if article.is_internal:
            assert anonymous.get(article.url).status_code == 302  # to the login page
    for page in [home, *data.channels, *SeriesPage.objects.all()]:
        assert anonymous.get(page.url).status_code == 200, page.url

    # The samples show what the benchmark means them to: related articles, their series.
    body = anonymous.get(data.sample_public.url).content.decode()
    assert 'class="related"' in body and 'class="kicker"' in body
    body = member.get(data.sample_internal.url).content.decode()
    assert 'class="related"' in body and 'class="series-nav"' in body  # parts 1 and 2


def _queries(client, url) -> int:
    client.get(url)  # warm: per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _page_queries(n: int) -> dict[str, int]:
    """Queries of the sample articles and the largest channel at `n` articles, then rolled back."""
    with transaction.atomic():
        data = generate_articles(n)
        anonymous, member = Client(), Client()
        member.force_login(data.reader, backend=BACKEND)
        channel = max(data.channels, key=lambda c: c.get_children().count())
        counts = {
            "public article": _queries(anonymous, data.sample_public.url),
            "internal article": _queries(member, data.sample_internal.url),
            "channel": _queries(anonymous, channel.url),
        }
        transaction.set_rollback(True)
    return counts


def test_the_pages_queries_do_not_grow_with_the_articles(home):
    assert _page_queries(30) == _page_queries(60)
