"""Helpers for tests of the portal (and of apps that feed it, such as email intake).

    portal = build_portal(personas)   the core personas plus an editor and a signer with logins,
                                      the editorial workflow, a contributions channel
    make_channel(parent, "理论学习", "lilun")           a published channel
    make_article(channel, "标题", visibility=…, …)      a published article
    make_image("标题")                                   a small generated picture in the library
"""

from __future__ import annotations

import datetime
import io
from types import SimpleNamespace

from django.conf import settings
from django.core.files.images import ImageFile
from django.utils import timezone

from branchwork.core.models import Role
from branchwork.core.testing import give_role, person_with_login
from branchwork.publishing import services
from branchwork.publishing.editorial import setup_editorial, sync_editorial_groups
from branchwork.publishing.models import ArticlePage, ChannelPage, HomePage, SeriesPage, Visibility
from branchwork.publishing.richtext import html_to_stream


def ensure_portal_root() -> HomePage:
    """The page tree's root, the home page and the default site; made again when a transactional
    test's flush has emptied the tables that migrations filled."""
    from wagtail.models import Collection, Locale, Page, Site

    locale, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    home = HomePage.objects.order_by("path").first()
    if home is None:
        home = root.add_child(instance=HomePage(title="首页", slug="home", locale=locale))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Branchwork"},
    )
    return home


def make_channel(parent, title: str, slug: str, *, accepts_contributions: bool = False, intro: str = "") -> ChannelPage:
    channel = ChannelPage(title=title, slug=slug, intro=intro, accepts_contributions=accepts_contributions)
    parent.add_child(instance=channel)
    channel.save_revision().publish()
    return channel


def make_series(parent, title: str, slug: str, intro: str = "") -> SeriesPage:
    series = SeriesPage(title=title, slug=slug, intro=intro)
    parent.add_child(instance=series)
    series.save_revision().publish()
    return series


def make_article(
    channel: ChannelPage,
    title: str,
    *,
    body_html: str = "<p>正文第一段。</p>",
    visibility: str = Visibility.PUBLIC,
    published_at: datetime.datetime | None = None,
    tags=(),
    **fields,
) -> ArticlePage:
    article = ArticlePage(
        title=title,
        slug=services.unique_slug(channel, title),
        body=html_to_stream(body_html),
        visibility=visibility,
        **fields,
    )
    channel.add_child(instance=article)
    if tags:
        article.tags.add(*tags)
    article.save_revision().publish()
    if published_at is not None:
        ArticlePage.objects.filter(pk=article.pk).update(first_published_at=published_at,
                                                         last_published_at=published_at)
        article.first_published_at = article.last_published_at = published_at
    return article


def make_image(title: str = "测试图片", size=(640, 400), color=(163, 22, 27), by=None):
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "PNG")
    return services.image_create(by=by, file=ImageFile(buffer, name=f"{title}.png"), title=title)


def build_portal(personas) -> SimpleNamespace:
    """The personas, plus 许文清 (editor1, an editor) and 韩立新 (signer1, a signer), both
    members of branch A; the editorial workflow; a home page with a contributions channel."""
    home = ensure_portal_root()
    editor = person_with_login("editor1", "许文清", position="副研究员", unit=personas.unit)
    signer = person_with_login("signer1", "韩立新", position="研究室副主任", unit=personas.unit)
    for person, role in ((editor, Role.EDITOR), (signer, Role.SIGNER)):
        give_role(person, personas.branch_a, Role.MEMBER)
        give_role(person, personas.branch_a, role)
    editorial = setup_editorial()
    sync_editorial_groups()
    contributions = make_channel(home, "投稿", "tougao", accepts_contributions=True)
    personas.home = home
    personas.editorial = editorial
    personas.contributions = contributions
    personas.editor = editor.user
    personas.signer = signer.user
    personas.people.editor = editor
    personas.people.signer = signer
    return personas


def an_hour_ago() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=1)


PORTAL_INTERNAL = "PORTAL-INTERNAL-5521"  # only in an internal article: never for anonymous visitors
PORTAL_DRAFT = "PORTAL-DRAFT-8812"  # only in Bob's contribution under review: for Bob alone


def walk_world(personas) -> SimpleNamespace:
    """Portal content for the project's URL walk: a channel with a public and an internal article
    (with a picture of its own and a shared tag), and a contribution of Bob's in review."""
    build_portal(personas)
    channel = make_channel(personas.home, "走查栏目", "walk")
    make_article(channel, "公开的走查文章", author=personas.people.alice, tags=["走查"])
    picture = make_image("内部配图")
    internal = make_article(
        channel, f"内部文章 {PORTAL_INTERNAL}", visibility=Visibility.INTERNAL, tags=["走查"],
        organization=personas.branch_a,
        body_html=f'<p>{PORTAL_INTERNAL}</p><embed embedtype="image" id="{picture.pk}" alt=""/>',
    )
    draft = services.contribution_create(
        author=personas.people.bob, title=f"王博的来稿 {PORTAL_DRAFT}", body_html=f"<p>{PORTAL_DRAFT}</p>",
    )
    return SimpleNamespace(channel=channel, internal=internal, picture=picture, draft=draft, tag="走查")
