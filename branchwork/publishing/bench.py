"""Portal load for the benchmarks: thousands of published articles, written fast but whole.

    data = generate_articles(10_000)     channels, series, authors, tags, pictures, articles
    data.sample_public, data.sample_internal, data.reader    what a benchmark requests, and who

Adding pages one by one (`add_child`, a revision, `publish()`) costs a tree lock, a dozen queries
and the search indexing for each: minutes for ten thousand. `generate_articles()` computes the
tree itself instead (each article's path, depth and url_path under its channel, then the channels'
numchild) and bulk-inserts the page rows, the articles' own rows, their tags and their image
uses. What is few (channels, series, pictures, the organizations and people) is made the ordinary
way. The pages are what a published article is to a reader: live, dated, with a body of blocks,
an author, tags, a series for some, a picture in about a quarter; a fifth are internal, most of
those an organization's (a branch's or the committee's). They have no revisions (as pages
a migration writes) and are not in the search index: the article and channel pages read neither,
and the search benchmark measures indexing on its own.

The text is generated here: short paragraphs of Chinese in the manner of a branch's news
(who did what, what was said, what is asked next), a few subheadings and quotations. Tags follow
a long-tailed distribution, so a popular tag is shared by a sixth of the articles and the
"related articles" query has the work it would have on a real portal.

bench/publishing_bench.py measures the pages on it; tests/test_bench_generator.py checks that the
tree is sound and that a page's query count does not grow with the number of articles.
"""

from __future__ import annotations

import datetime
import html
import io
import random
import re
import time
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.models import Page

from branchwork.core.models import (
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    Person,
    Unit,
)
from branchwork.core.services import derive_status_histories
from branchwork.publishing import services
from branchwork.publishing.models import (
    ArticlePage,
    ArticlePageTag,
    ChannelPage,
    HomePage,
    ImageUse,
    SeriesPage,
    Visibility,
)

SEED = 4
INTERNAL_SHARE = 0.2
IMAGE_SHARE = 0.25
# Tags are drawn with weight 1 / (rank + TAG_OFFSET): the commonest is on about a sixth of the
# articles, the rarest on one in a hundred.
TAG_OFFSET = 7
SLUG_MAX = 80
PICTURES = 6
MARKUP = re.compile(r"<[^>]+>")

# Channels: (slug, title, parent slug or "", weight in the mix of articles).
CHANNELS = (
    ("dongtai", "支部动态", "", 30),
    ("jiceng", "基层组织建设", "", 14),
    ("fengcai", "支部风采", "jiceng", 10),
    ("lilun", "理论学习", "", 18),
    ("xinde", "学习体会", "lilun", 9),
    ("diaoyan", "调查研究", "", 11),
    ("guoji", "国际交流", "", 4),
    ("tongzhi", "通知公告", "", 4),
)
SERIES = (
    ("sishu", "支部书记谈“四强”", "jiceng"),
    ("diaoyan-shouji", "调研手记", "diaoyan"),
    ("dushu", "读书班札记", "lilun"),
    ("qingnian", "青年党员说", "dongtai"),
    ("laodangyuan", "老党员的故事", "fengcai"),
    ("fangtan", "支部书记访谈", "dongtai"),
)
UNITS = (("bench-yjs", "研究室"), ("bench-zhb", "综合处"), ("bench-gjc", "国际合作处"),
         ("bench-kyc", "科研管理处"))
POSITIONS = ("研究员", "副研究员", "助理研究员", "处长", "副处长", "主任科员", "科员", "研究室主任", "")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国文斌宇浩然思远晓雨婉清一帆雪薇子涵嘉怡佳欣志强若兰海燕立群"

ACTORS = ("研究室党支部", "综合处党支部", "国际合作处党支部", "科研管理处党支部", "机关党委", "第一党小组",
          "第二党小组", "青年理论学习小组", "支部委员会", "调研组", "课题组", "离退休党支部", "团支部")
TOPICS = ("基层治理", "乡村振兴", "数字政府建设", "营商环境", "科技创新", "生态环境保护", "城市更新",
          "公共文化服务", "社会保障", "粮食安全", "职业教育", "养老服务", "区域协调发展", "对外开放",
          "作风建设", "调查研究", "理论武装", "党风廉政建设", "青年人才培养", "社区服务", "文化遗产保护",
          "应急管理", "数据要素市场", "水资源保护", "老旧小区改造", "中小企业发展")
PLACES = ("东湖街道", "市档案馆", "高新区", "青山村", "市革命历史纪念馆", "滨江社区", "经济开发区",
          "市图书馆", "县委党校", "科技园", "港口集团", "市民服务中心", "农业合作社", "红色教育基地")
MEETINGS = ("支部党员大会", "支部委员会会议", "党小组会", "专题组织生活会", "集体学习会", "读书交流会",
            "主题党日活动", "专题党课", "联学共建座谈会", "调研成果交流会")
GUESTS = ("市委党校教授", "机关党委书记", "老党员代表", "兄弟单位支部书记", "课题组首席专家",
          "社区党委书记", "高校马克思主义学院教授", "纪检委员")
OPENERS = ("近日，", "日前，", "本月以来，", "今年以来，", "上周，", "{m}月{d}日，", "{m}月{d}日下午，",
           "{m}月上旬，", "为深入推进{topic}工作，", "按照年度学习计划，")
ACTIONS = ("围绕{topic}开展专题学习", "赴{place}开展调研", "召开{meeting}", "与{actor}联合开展{meeting}",
           "邀请{guest}围绕{topic}作专题辅导", "就{topic}进行交流研讨", "组织党员走进{place}",
           "开展“{topic}”主题党日活动", "举办{topic}专题读书班", "深入{place}了解{topic}情况")
FOLLOW_UPS = ("与会同志结合岗位实际谈认识、谈体会", "大家一致认为，{view}", "会议强调，要{demand}",
              "{name}同志指出，{view}", "通过这次活动，{gain}", "调研组先后走访了{n}家单位，召开座谈会{k}场",
              "支部书记{name}作总结讲话，要求{demand}", "党员们纷纷表示，{gain}", "会上，{name}同志介绍了{topic}的进展",
              "{guest}结合大量案例，深入浅出地讲解了{topic}的要求")
VIEWS = ("{topic}是一项长期工作，必须久久为功", "调查研究是谋事之基、成事之道", "支部建设要与业务工作深度融合",
         "学习要往深里走、往心里走、往实里走", "基层的经验往往蕴含着解决问题的钥匙", "党员要在急难险重任务中冲锋在前",
         "数据背后是群众的急难愁盼", "理论学习只有结合实际才能真正入脑入心", "好的作风是干出来的，也是管出来的")
DEMANDS = ("把学习成果转化为推动工作的实际成效", "在{topic}中发挥好党员先锋模范作用", "进一步完善问题清单，逐项抓好整改",
           "坚持问题导向，把调研成果用到决策中", "加强与{actor}的联学共建，互学互鉴", "严格落实“三会一课”制度",
           "持续改进作风，提高工作质量和效率", "做好下一阶段{topic}研究的分工和进度安排")
GAINS = ("大家对{topic}有了更直观的认识", "支部党员的凝聚力进一步增强", "课题组形成了三条具体的政策建议",
         "青年党员增强了做好本职工作的责任感", "研究工作找到了新的切入点", "大家更加坚定了做好{topic}工作的信心")
HEADINGS = ("基本情况", "主要做法", "存在的问题", "下一步打算", "学习收获", "调研发现", "几点体会",
            "工作建议", "经验启示", "会议要求")
NUMERALS = "一二三"
QUOTES = ("没有调查，就没有发言权。", "学而不思则罔，思而不学则殆。", "一分部署，九分落实。",
          "功成不必在我，功成必定有我。", "纸上得来终觉浅，绝知此事要躬行。", "政贵有恒，治须有常。")
TITLES = ("{actor}{action}", "{actor}召开{meeting}", "{topic}：{actor}在行动", "深化{topic} 推动{topic2}",
          "{actor}赴{place}开展{topic}调研", "学习体会｜{view}", "以{topic}为抓手 扎实推进{topic2}",
          "{actor}举办{topic}专题读书班", "关于{topic}的几点思考", "{place}调研见闻")
SUBTITLES = ("——记{actor}的一次主题党日", "——{topic}调研报告摘要", "——{meeting}侧记", "{actor}供稿",
             "——来自{place}的报告")
TAGS_COMMON = ("支部建设", "理论学习", "主题党日", "调查研究", "三会一课", "联学共建", "青年党员", "作风建设",
               "组织生活会", "党课", "读书班", "四强支部")
TAGS_MORE = ("党员教育", "党费收缴", "发展党员", "民主评议", "谈心谈话", "志愿服务", "结对共建", "红色教育",
             "廉政教育", "警示教育", "专题党课", "支部书记", "党小组", "入党积极分子", "预备党员", "老党员",
             "政策研究", "决策咨询", "课题研究", "调研报告", "学术交流", "国际会议", "外事接待", "智库建设",
             "数据分析", "统计调查", "规划编制", "绩效评估", "年度总结", "工作要点", "学习计划", "读书分享",
             "征文", "演讲比赛", "知识竞赛", "表彰", "先进典型", "榜样", "关爱帮扶", "走访慰问")
SOURCES = ("研究室党支部", "综合处党支部", "机关党委办公室", "国际合作处党支部", "科研管理处党支部")
EXTERNAL_AUTHORS = ("特约评论员", "本刊评论员", "市委党校课题组", "通讯员 林晓", "实习记者 何佳欣")


@dataclass
class Generated:
    """What generate_articles() made: what a benchmark or a test goes on to request."""

    home: HomePage
    channels: list[ChannelPage]
    series: list[SeriesPage]
    reader: object  # a member's login: may read internal articles
    sample_public: ArticlePage  # the public article with the most on its page (see _sample)
    sample_internal: ArticlePage
    counts: dict
    seconds: float


class _Writer:
    """Sentences, paragraphs and titles from the pools above, with one random generator."""

    def __init__(self, rng: random.Random, names: list[str]):
        self.rng = rng
        self.names = names

    def fill(self, pattern: str) -> str:
        r = self.rng
        return pattern.format(
            topic=r.choice(TOPICS), topic2=r.choice(TOPICS), place=r.choice(PLACES),
            meeting=r.choice(MEETINGS), actor=r.choice(ACTORS), guest=r.choice(GUESTS),
            name=r.choice(self.names), m=r.randint(1, 12), d=r.randint(1, 28),
            n=r.randint(3, 12), k=r.randint(2, 6),
            view=r.choice(VIEWS).format(topic=r.choice(TOPICS)),
            demand=r.choice(DEMANDS).format(topic=r.choice(TOPICS), actor=r.choice(ACTORS)),
            gain=r.choice(GAINS).format(topic=r.choice(TOPICS)),
            action=r.choice(ACTIONS).format(topic=r.choice(TOPICS), place=r.choice(PLACES),
                                            meeting=r.choice(MEETINGS), actor=r.choice(ACTORS),
                                            guest=r.choice(GUESTS)),
        )

    def sentence(self) -> str:
        r = self.rng
        if r.random() < 0.5:
            head = self.fill(r.choice(OPENERS) + "{actor}" + r.choice(ACTIONS))
            return f"{head}，{self.fill(r.choice(FOLLOW_UPS))}。"
        return self.fill(r.choice(FOLLOW_UPS)) + "。"

    def paragraph(self) -> str:
        return "".join(self.sentence() for _ in range(self.rng.randint(2, 6)))

    def title(self) -> str:
        return self.fill(self.rng.choice(TITLES))[:60]

    def body_html(self) -> tuple[str, str]:
        """Rich-text HTML of five to ten paragraphs (in two articles of five under three numbered
        subheadings; now and then a quotation), and the first paragraph (for a summary)."""
        r = self.rng
        paragraphs = [self.paragraph() for _ in range(r.randint(5, 10))]
        headings = r.sample(HEADINGS, len(NUMERALS)) if r.random() < 0.4 else []
        parts = []
        for i, text in enumerate(paragraphs):
            if headings and i in (1, 3, 5):
                parts.append(f"<h3>{NUMERALS[i // 2]}、{headings[i // 2]}</h3>")
            parts.append(f"<p>{html.escape(text, quote=False)}</p>")
        if r.random() < 0.15:
            parts.insert(r.randint(1, len(parts)), f"<blockquote>{r.choice(QUOTES)}</blockquote>")
        return "".join(parts), paragraphs[0]


def _block_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _body(rng: random.Random, body_html: str, image=None, caption: str = "") -> list[dict]:
    """The body's blocks as the editor and html_to_stream store them: the text in one paragraph
    block, split after the first paragraph by the picture when there is one."""
    if image is None:
        return [{"type": "paragraph", "value": body_html, "id": _block_id(rng)}]
    cut = body_html.find("</p>") + len("</p>")
    return [
        {"type": "paragraph", "value": body_html[:cut], "id": _block_id(rng)},
        {"type": "image", "value": {"image": image.pk, "caption": caption, "alt": ""},
         "id": _block_id(rng)},
        {"type": "paragraph", "value": body_html[cut:], "id": _block_id(rng)},
    ]


def _picture(rng: random.Random, label: str) -> bytes:
    """A 1200×800 JPEG, a little different each time."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (1200, 800), tuple(rng.randrange(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for x in range(0, 1200, 60):
        draw.line([(x, 0), (1200 - x, 800)], fill=(rng.randrange(256), 180, 120), width=3)
    draw.text((40, 40), label, fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def _insert_child_rows(model, objs, batch_size: int = 1000) -> None:
    """INSERT the rows of a multi-table child model (ArticlePage) whose parent rows exist:
    Django's bulk_create refuses multi-table inheritance, so this writes the child's own table,
    each value prepared by its field as a save would."""
    fields = model._meta.local_concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            cursor.executemany(sql, [
                [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
                for obj in objs[start:start + batch_size]
            ])


def _people(rng: random.Random, authors: int, code: str):
    """Units, a committee with four branches, `authors` members spread over them, and a login
    for the first (a member of the first branch: the reader of internal articles). Returns the
    people, the login, and the organizations (the committee first)."""
    units = [Unit.objects.get_or_create(code=c, defaults={"name_zh": n, "name_en": c})[0]
             for c, n in UNITS]
    committee = Organization.add_root(instance=Organization(
        code=code, kind=OrganizationKind.COMMITTEE, name_zh="基准测试机关党委",
        name_en="Bench committee"))
    branches = []
    for i, unit in enumerate(units):
        parent = Organization.objects.get(pk=committee.pk)
        branches.append(parent.add_child(instance=Organization(
            code=f"{code}-{i}", kind=OrganizationKind.BRANCH, name_zh=f"{unit.name_zh}党支部",
            name_en=f"Bench branch {i}", unit=unit)))
    people = Person.objects.bulk_create([
        Person(name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
               name_en=f"Author {i}", email=f"a{i}@{code}.example",
               membership_status=MembershipStatus.FULL,
               joined_party_on=datetime.date(2000 + i % 24, 7, 1),
               unit=units[i % len(units)], position=rng.choice(POSITIONS))
        for i in range(authors)
    ])
    derive_status_histories(people=people, today=timezone.localdate())
    Membership.objects.bulk_create([
        Membership(person=p, organization=branches[i % len(branches)],
                   start_on=datetime.date(2020, 1, 1))
        for i, p in enumerate(people)
    ])
    reader = get_user_model().objects.create_user(f"{code}-reader", f"reader@{code}.example", None)
    Person.objects.filter(pk=people[0].pk).update(user=reader)
    return people, reader, [committee, *branches]


def _organization(rng: random.Random, orgs) -> Organization | None:
    """Whose an internal article is: the institution's (none) for two in five, the committee's
    for one in five, else a branch's."""
    roll = rng.random()
    return None if roll < 0.4 else orgs[0] if roll < 0.6 else rng.choice(orgs[1:])


def _channels(home: HomePage) -> list[ChannelPage]:
    channels: dict[str, ChannelPage] = {}
    for slug, title, parent_slug, _weight in CHANNELS:
        channel = ChannelPage(title=title, slug=slug, intro=f"<p>{title}栏目。</p>")
        (channels[parent_slug] if parent_slug else home).add_child(instance=channel)
        channel.save_revision().publish()
        channels[slug] = channel
    return list(channels.values())


def _series(channels: list[ChannelPage], n: int) -> list[tuple[SeriesPage, ChannelPage]]:
    """One series for every 1,500 articles (at least one, at most six), each in its channel."""
    by_slug = {c.slug: c for c in channels}
    made = []
    for slug, title, channel_slug in SERIES[:max(1, min(len(SERIES), n // 1500 + 1))]:
        channel = ChannelPage.objects.get(pk=by_slug[channel_slug].pk)  # numchild as it is now
        series = SeriesPage(title=title, slug=slug, intro=f"<p>{title}，陆续刊出。</p>")
        channel.add_child(instance=series)
        series.save_revision().publish()
        made.append((series, by_slug[channel_slug]))
    return made


def _tags() -> list[Tag]:
    """About a hundred tags, the commonest first (see TAG_OFFSET); those that exist are reused."""
    names = list(dict.fromkeys(TAGS_COMMON + TOPICS + TAGS_MORE + MEETINGS + PLACES))
    existing = Tag.objects.in_bulk(names, field_name="name")
    Tag.objects.bulk_create([Tag(name=name, slug=Tag().slugify(name))
                             for name in names if name not in existing])
    tags = Tag.objects.in_bulk(names, field_name="name")
    return [tags[name] for name in names]


def _placement(rng: random.Random, n: int, channels, series_pages):
    """Each article's channel (by the channels' weights), and the series parts: about one article
    in a hundred, four to twelve per series, each in its series' channel."""
    placed = rng.choices(range(len(channels)), [w for *_rest, w in CHANNELS], k=n)
    parts: dict[int, tuple[SeriesPage, int]] = {}
    remaining = min(n, max(3, n // 100))
    for series, channel in series_pages:
        count = min(rng.randint(4, 12), remaining)
        remaining -= count
        for part in range(1, count + 1):
            i = rng.randrange(n)
            while i in parts:
                i = rng.randrange(n)
            placed[i] = channels.index(channel)
            parts[i] = (series, part)
    return placed, parts


def _sample(articles, visibility, with_image: set[int], tag_count: dict[int, int], readable):
    """The article of this visibility the reader may read with the most on its page: a series
    part with a picture and an author (the showcase parts are), and of those the one with the
    most tags. `readable`: the organizations whose internal articles the reader reads."""
    def score(i):
        a = articles[i]
        return (a.series_id is not None, i in with_image, a.author_id is not None, tag_count[i])

    candidates = (i for i, a in enumerate(articles) if a.visibility == visibility
                  and getattr(a, "organization_id", None) in readable)
    return ArticlePage.objects.get(pk=articles[max(candidates, key=score)].pk)


def generate_articles(n: int = 10_000, *, seed: int = SEED, authors: int = 80,
                      code: str = "bench-portal") -> Generated:
    """`n` (two or more) published articles under eight channels of the home page."""
    if n < 2:
        raise ValueError("Two articles at least: the public and the internal sample.")
    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        home = HomePage.objects.order_by("path").first()
        people, reader, orgs = _people(rng, authors, code)
        # Internal articles belong to an organization once the field is there (issue 4).
        scoped = any(f.name == "organization" for f in ArticlePage._meta.local_fields)
        writer = _Writer(rng, [p.name for p in people])
        channels = _channels(home)
        series_pages = _series(channels, n)
        images = [services.image_create(by=None, title=f"基准配图{i + 1}", file=ImageFile(
            io.BytesIO(_picture(rng, f"bench {i + 1}")), name=f"bench-{i + 1}.jpg"))
            for i in range(PICTURES)]
        tags = _tags()
        tag_weights = [1 / (rank + TAG_OFFSET) for rank in range(len(tags))]
        placed, parts = _placement(rng, n, channels, series_pages)

        # The tree: each article's path under its channel, after what the channel holds already.
        article_type = ContentType.objects.get_for_model(ArticlePage)
        steps, children, slugs = {}, {}, {}
        for channel in channels:
            below = Page.objects.filter(path__startswith=channel.path, depth=channel.depth + 1)
            last = below.order_by("-path").values_list("path", flat=True).first()
            steps[channel.pk] = Page._str2int(last[-Page.steplen:]) if last else 0
            children[channel.pk] = below.count()
            slugs[channel.pk] = set(below.values_list("slug", flat=True))

        editor, signer = people[1], people[2]
        articles, tagged, image_uses, characters = [], [], [], 0
        for i in range(n):
            channel = channels[placed[i]]
            steps[channel.pk] += 1
            children[channel.pk] += 1
            series, part = parts.get(i, (None, None))
            # Parts 1 and 2 of the first series, a public and an internal article, have all a
            # page can show (picture, author): the samples have that at any size.
            showcase = part in (1, 2) and series is series_pages[0][0]
            title = series.title if series else writer.title()
            slug = base = slugify(title, allow_unicode=True)[:SLUG_MAX].strip("-") or "article"
            k = 1
            while slug in slugs[channel.pk]:
                k += 1
                slug = f"{base}-{k}"
            slugs[channel.pk].add(slug)
            body_html, first = writer.body_html()
            characters += len(MARKUP.sub("", body_html))
            image = rng.choice(images) if showcase or rng.random() < IMAGE_SHARE else None
            caption = writer.fill("{actor}党员在{place}") if image else ""
            published = now - datetime.timedelta(days=rng.randint(0, 5 * 365),
                                                 minutes=rng.randint(0, 1439))
            byline = 0.0 if showcase else rng.random()  # < .8 a member, < .9 an outside author
            belongs_to = None
            if showcase:
                visibility = Visibility.PUBLIC if part == 1 else Visibility.INTERNAL
                belongs_to = orgs[1]  # the reader's branch
            elif rng.random() < INTERNAL_SHARE:
                visibility = Visibility.INTERNAL
                belongs_to = _organization(rng, orgs)
            else:
                visibility = Visibility.PUBLIC
            article = ArticlePage(
                title=title, draft_title=title, slug=slug, content_type=article_type,
                path=Page._get_path(channel.path, channel.depth + 1, steps[channel.pk]),
                depth=channel.depth + 1, numchild=0, url_path=f"{channel.url_path}{slug}/",
                locale_id=home.locale_id, live=True, has_unpublished_changes=False,
                first_published_at=published, last_published_at=published,
                latest_revision_created_at=published,
                subtitle=writer.fill(rng.choice(SUBTITLES)) if series or rng.random() < 0.3 else "",
                author=rng.choice(people) if byline < 0.8 else None,
                author_name=rng.choice(EXTERNAL_AUTHORS) if 0.8 <= byline < 0.9 else "",
                source=rng.choice(SOURCES) if rng.random() < 0.5 else "",
                summary=first[:120] if rng.random() < 0.3 else "",
                body=_body(rng, body_html, image, caption), visibility=visibility,
                series=series, part_number=part, responsible_editor=editor, signer=signer,
            )
            if scoped and visibility == Visibility.INTERNAL:
                article.organization = belongs_to
            articles.append(article)
            tagged.append(sorted({rng.choices(range(len(tags)), tag_weights)[0]
                                  for _ in range(rng.randint(2, 5))}))
            if image is not None:
                image_uses.append((i, image.pk))

        page_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
        pages = Page.objects.bulk_create(
            [Page(**{f.attname: getattr(a, f.attname) for f in page_fields}) for a in articles],
            batch_size=1000)
        for article, page in zip(articles, pages, strict=True):
            article.pk = page.pk  # the page_ptr
        _insert_child_rows(ArticlePage, articles)
        for channel in channels:
            Page.objects.filter(pk=channel.pk).update(numchild=children[channel.pk])
        ArticlePageTag.objects.bulk_create([
            ArticlePageTag(content_object_id=article.pk, tag_id=tags[t].pk)
            for article, chosen in zip(articles, tagged, strict=True) for t in chosen
        ], batch_size=2000)
        ImageUse.objects.bulk_create([ImageUse(page_id=articles[i].pk, image_id=image_id)
                                      for i, image_id in image_uses], batch_size=2000)

    with_image = {i for i, _image_id in image_uses}
    tag_count = {i: len(chosen) for i, chosen in enumerate(tagged)}
    # The reader, a member of the first branch, reads the institution's, the committee's and
    # the branch's internal articles.
    readable = {None, orgs[0].pk, orgs[1].pk}
    return Generated(
        home=home, channels=channels, series=[s for s, _c in series_pages], reader=reader,
        sample_public=_sample(articles, Visibility.PUBLIC, with_image, tag_count, readable),
        sample_internal=_sample(articles, Visibility.INTERNAL, with_image, tag_count, readable),
        counts={"articles": n,
                "internal": sum(a.visibility == Visibility.INTERNAL for a in articles),
                "series": len(series_pages), "series_parts": len(parts),
                "with_picture": len(image_uses), "tags": len(tags),
                "tag_links": sum(tag_count.values()), "authors": len(people),
                "channels": len(channels), "body_characters": characters},
        seconds=time.perf_counter() - started,
    )
