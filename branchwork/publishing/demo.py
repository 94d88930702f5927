"""The portal's part of the demo: channels, a series, articles with pictures, contributions in review.

Runs through the `branchwork_load_demo` hook after core's organizations and people exist. The
text is in demo/portal.yaml and demo/articles.yaml (shaped by demo_content.py), the pictures are
drawn by demo_images.py. Published articles name 陈晓雨
(chenxiaoyu, the research office branch's editor) as responsible editor and 周卫东 (zhouweidong,
its signer) as signer; the demo gives 周卫东 a login so that the sign-off can be tried.

Four contributions show the editorial workflow: one with the editor, one with the signer, one sent
back to its author (王浩然, login wanghaoran) with the editor's comment, and one of his that was
edited, signed off and published in the contributions channel.

Loading is idempotent: what exists (keyed on slugs, image titles, and author and title for the
contributions) is left as it is, so editors' changes to the demo pages survive a reload.
"""

from __future__ import annotations

import datetime
import html
import io
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone

from branchwork.core import audit
from branchwork.core import demo as core_demo
from branchwork.core import services as core_services
from branchwork.core.models import Organization, Person
from branchwork.publishing import demo_content as content
from branchwork.publishing import notifications, services
from branchwork.publishing.demo_content import HOME_INTRO, HOME_INTRO_EN
from branchwork.publishing.demo_images import draw_picture
from branchwork.publishing.editorial import setup_editorial, sync_editorial_groups
from branchwork.publishing.models import ArticlePage, ChannelPage, HomePage, SeriesPage, Visibility
from branchwork.publishing.richtext import html_to_stream

EDITOR = "chenxiaoyu"
SIGNER = "zhouweidong"
COLLECTION = "门户演示图片 Portal demo pictures"


def _people() -> dict[str, Person]:
    emails = {spec.email: spec.key for spec in core_demo.PEOPLE}
    return {emails[p.email]: p for p in Person.objects.select_related("user").filter(email__in=emails)}


def _home(home: HomePage, tally: Counter) -> None:
    if (home.intro, home.intro_en, home.title) == (HOME_INTRO, HOME_INTRO_EN, "首页"):
        return
    home.intro = HOME_INTRO
    home.intro_en = HOME_INTRO_EN
    home.title = "首页"
    home.save_revision().publish()
    tally["home"] += 1


def _signer_login(people: dict[str, Person], tally: Counter) -> str | None:
    """The signer's login (core's demo gives one; made here if it was not, e.g. a changed table)."""
    signer = people.get(SIGNER)
    if signer is None:
        return None
    if signer.user_id is None:
        if get_user_model().objects.filter(username=SIGNER).exists():
            return None
        core_services.user_account_create(by=None, person=signer, username=SIGNER,
                                          password=settings.DEMO_PASSWORD)
        tally["account"] += 1
    return signer.user.get_username() if signer.user_id else SIGNER


def _publish(page) -> None:
    page.save_revision().publish()


def _channels(home: HomePage, tally: Counter) -> dict[str, ChannelPage]:
    channels: dict[str, ChannelPage] = {}
    for spec in content.CHANNELS:
        parent_key, _sep, slug = spec.key.rpartition("/")
        parent = channels[parent_key] if parent_key else home
        channel = ChannelPage.objects.child_of(parent).filter(slug=slug).first()
        if channel is None:
            channel = ChannelPage(title=spec.title, slug=slug, intro=spec.intro,
                                  title_en=spec.title_en, intro_en=spec.intro_en,
                                  accepts_contributions=spec.accepts_contributions)
            parent.add_child(instance=channel)
            _publish(channel)
            tally["channel"] += 1
        elif (channel.title_en, channel.intro_en) != (spec.title_en, spec.intro_en):
            channel.title_en, channel.intro_en = spec.title_en, spec.intro_en
            _publish(channel)
            tally["channel"] += 1
        channels[spec.key] = channel
    return channels


def _series(channels: dict[str, ChannelPage], tally: Counter) -> SeriesPage:
    parent = channels[content.SERIES["key"]]
    series = SeriesPage.objects.child_of(parent).filter(slug=content.SERIES["slug"]).first()
    if series is None:
        series = SeriesPage(title=content.SERIES["title"], slug=content.SERIES["slug"],
                            intro=content.SERIES["intro"])
        parent.add_child(instance=series)
        _publish(series)
        tally["series"] += 1
    return series


def _images(tally: Counter) -> dict:
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=COLLECTION).first()
    if collection is None:
        collection = root.add_child(instance=Collection(name=COLLECTION))
    existing = {i.title: i for i in get_image_model().objects.filter(collection=collection)}
    images = {}
    for seed, spec in enumerate(content.IMAGES):
        image = existing.get(spec.title_zh)
        if image is None:
            data = draw_picture(spec.scene, spec.title_zh, spec.title_en, seed=seed)
            image = services.image_create(by=None, file=ImageFile(io.BytesIO(data), name=f"{spec.key}.png"),
                                          title=spec.title_zh, collection=collection)
            tally["image"] += 1
        images[spec.key] = image
    return images


def _body_html(spec: content.ArticleSpec, images: dict) -> str:
    parts = [f"<p>{html.escape(p, quote=False)}</p>" for p in spec.paragraphs]
    if spec.image:
        image = images[spec.image]
        figure = (f'<embed embedtype="image" format="fullwidth" id="{image.pk}" alt="{html.escape(spec.caption)}"/>'
                  f'<p class="caption">{html.escape(spec.caption, quote=False)}</p>')
        parts.insert(min(spec.image_after, len(parts)), figure)
    return "".join(parts)


def _articles(channels, series, images, people, tally: Counter) -> None:
    tz = timezone.get_current_timezone()
    editor, signer = people.get(EDITOR), people.get(SIGNER)
    for spec in content.ARTICLES:
        channel = channels[spec.channel]
        if ArticlePage.objects.child_of(channel).filter(slug=spec.slug).exists():
            continue
        published_at = datetime.datetime.strptime(spec.date, "%Y-%m-%d %H:%M").replace(tzinfo=tz)
        services.article_publish_imported(
            by=None, channel=channel, slug=spec.slug, title=spec.title, subtitle=spec.subtitle,
            body=html_to_stream(_body_html(spec, images)), published_at=published_at,
            language=spec.language,
            visibility=Visibility.INTERNAL if spec.internal else Visibility.PUBLIC,
            author=people.get(spec.author) if spec.author else None, author_name=spec.author_name,
            source=spec.source, summary=spec.summary, tags=spec.tags,
            responsible_editor=editor, signer=signer,
            series=series if spec.part else None, part_number=spec.part,
            organization=Organization.objects.filter(code=spec.org).first() if spec.internal else None,
        )
        tally["article"] += 1


def _contributions(people, tally: Counter) -> None:
    editor, signer = people.get(EDITOR), people.get(SIGNER)
    editor_user = editor.user if editor else None
    signer_user = signer.user if signer else None
    for spec in content.CONTRIBUTIONS:
        author = people.get(spec.author)
        if author is None or editor_user is None:
            continue
        if ArticlePage.objects.filter(author=author, title=spec.title).exclude(contributed_via="").exists():
            continue
        body = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in spec.paragraphs)
        page = services.contribution_create(author=author, title=spec.title, body_html=body, source="web")
        if spec.state in ("with_signer", "published"):
            draft = page.get_latest_revision_as_object()
            draft.visibility = Visibility.PUBLIC
            draft.save_revision(user=editor_user, log_action=True)
            services.review(by=editor_user, page=page, action="approve", comment="已审改，建议公开发布。")
        if spec.state == "published" and signer_user is not None:
            services.review(by=signer_user, page=page, action="approve", comment="同意发布。")
        elif spec.state == "sent_back":
            services.review(by=editor_user, page=page, action="reject", comment=spec.comment)
        tally["contribution"] += 1


KINDS = (("home", "首页", "home page"), ("channel", "栏目", "channels"), ("series", "系列", "series"),
         ("image", "图片", "pictures"), ("article", "文章", "articles"),
         ("contribution", "投稿", "contributions in review"), ("account", "账号", "accounts"))


def load(*, stdout) -> None:
    home = HomePage.objects.order_by("path").first()
    if home is None:
        stdout.write("门户 Portal: 没有首页，跳过 no home page, skipped (run `branchwork migrate`)\n")
        return
    tally: Counter = Counter()
    with transaction.atomic(), audit.acting_as(None, source="demo"), notifications.suppressed():
        _home(home, tally)
        setup_editorial()
        people = _people()
        signer_login = _signer_login(people, tally)
        sync_editorial_groups()
        channels = _channels(home, tally)
        series = _series(channels, tally)
        images = _images(tally)
        _articles(channels, series, images, people, tally)
        _contributions(people, tally)
    if tally["home"]:
        stdout.write("门户首页 Portal home page: updated\n")
    created = [f"{zh} {tally[k]} {en}" for k, zh, en in KINDS[1:] if tally[k]]
    if created:
        stdout.write("门户 Portal: 新建 created " + ", ".join(created) + "\n")
    else:
        stdout.write("门户演示内容已是最新 Portal demo already up to date\n")
    if signer_login:
        stdout.write(f"签发人 Signer: {signer_login} / {settings.DEMO_PASSWORD} (周卫东); "
                     f"责任编辑 Editor: {EDITOR} (陈晓雨); 投稿人 Contributor: wanghaoran (王浩然)\n")
