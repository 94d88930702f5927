"""The journal's part of the demo: 《研究室党建通讯》 of the Research Office Party branch, with two
published issues of articles written for them (sections 理论学习, 支部动态, 调研札记), two of them
with a picture and its caption.

Everything is keyed on stable values (the journal's short name; an issue's year and number; a
section's title; an article's title; a picture's title), so loading again changes nothing. The
issues are recorded as published without mailing anyone (the demo's addresses are made up); their
PDFs are requested from the task worker.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from branchwork.core import audit
from branchwork.core import demo as core_demo
from branchwork.core.models import Organization, Person
from branchwork.journal.models import IssueStatus, Journal, JournalEntry, JournalIssue, JournalSection

SLUG = "yjs-tongxun"
ORG = "yjs-branch"
EDITOR = "chenxiaoyu"


@dataclass(frozen=True)
class ArticleSpec:
    title: str
    author: str  # a key of core.demo.PEOPLE
    paragraphs: tuple[str, ...]
    picture: str = ""  # the caption of a picture drawn for the article
    heading_after: int = -1  # a subheading after this paragraph
    heading: str = ""


@dataclass(frozen=True)
class IssueSpec:
    year: int
    number: int
    published_on: datetime.date
    cover_note: str
    sections: tuple[tuple[str, tuple[ArticleSpec, ...]], ...]


A = ArticleSpec
ISSUES = (
    IssueSpec(2026, 1, datetime.date(2026, 4, 20),
              "春季以来，支部围绕“学理论、强本领、促调研”开展了一系列活动。本期选登党员的学习体会、"
              "支部工作动态和一篇调研札记，供大家交流参考。",
              (
                  ("理论学习", (
                      A("读原著要读出问题意识", "wanghaoran", (
                          "今年第一季度，支部把读原著、学原文作为集体学习的主线。我的体会是，读原著不能只满足于"
                          "划重点、抄金句，而要带着研究中遇到的问题去读，读出问题意识来。",
                          "比如在准备区域协调发展的课题时，我重读了有关城乡关系的论述，再回过头看调研数据，"
                          "许多原来想不清楚的地方有了头绪。理论不是挂在墙上的，而是拿来分析现实的工具。",
                          "支部要求每位党员每季度围绕一个问题写一篇学习札记。写的过程逼着自己把道理想透，"
                          "这比单纯听讲收获更大。今后我打算把札记和课题报告结合起来，做到学以致用。",
                      ), heading_after=0, heading="一、带着问题读"),
                      A("在集体学习中提高研讨质量", "zhaoyifan", (
                          "第一党小组在三月份试行了“领学—研讨—点评”的学习方式：每次由一名党员领学一个专题，"
                          "其他同志围绕提纲发言，最后由小组长点评、归纳。",
                          "试行下来，大家普遍反映发言更有准备了，讨论也更聚焦。过去集体学习容易变成念材料，"
                          "现在每个人都要动脑筋、说真话。",
                          "下一步，小组准备把研讨中形成的好观点整理成简报，在支部内部交流。",
                      )),
                  )),
                  ("支部动态", (
                      A("支部召开2026年度工作部署会", "lijing", (
                          "1月9日，研究室党支部召开支部党员大会，部署全年工作。支部书记李婧通报了上一年度支部"
                          "工作情况，对照“四强”党支部标准查找了差距。",
                          "会议明确了今年的重点：抓实“三会一课”，提高集体学习质量；推动党建与科研深度融合，"
                          "每个党小组至少牵头一项调研；做好发展党员和党员教育管理工作。",
                          "与会党员围绕年度计划提出了十余条意见建议，支委会将逐条研究吸收。",
                      ), picture="支部党员大会现场"),
                      A("青年理论讲堂开讲", "tangjiaxin", (
                          "为帮助青年党员打牢理论功底，支部今年开设“青年理论讲堂”，由青年党员轮流主讲，"
                          "支部委员和资深研究员点评。",
                          "首讲由王浩然同志主讲《读原著与做研究》，二十余名党员和入党积极分子参加。"
                          "大家表示，讲堂形式活泼、内容实在，希望长期坚持下去。",
                      )),
                  )),
                  ("调研札记", (
                      A("社区养老服务调研中的几点观察", "hejun", (
                          "三月下旬，调研组走访了城东两个街道的社区养老服务中心，与街道干部、社区工作者和老人"
                          "代表座谈。",
                          "我们看到，助餐服务最受欢迎，但送餐上门的人手普遍紧张；日间照料中心设施不错，"
                          "使用率却不高，原因之一是离居民楼较远、宣传不够。",
                          "调研组建议，把养老服务设施的布局同老旧小区改造结合起来，同时发挥社区党组织和"
                          "志愿者的作用，让服务真正走到老人身边。",
                      ), picture="调研组在社区养老服务中心座谈", heading_after=0, heading="一、看到的情况"),
                  )),
              )),
    IssueSpec(2026, 2, datetime.date(2026, 9, 28),
              "本期刊发支部党员在“七一”前后的学习体会，以及下半年调研工作的阶段成果。欢迎党员同志"
              "踊跃投稿，来稿请发至支部邮箱。",
              (
                  ("理论学习", (
                      A("重温入党誓词的一点感悟", "caiwenbo", (
                          "“七一”前夕，支部组织党员重温入党誓词。站在党旗下举起右拳的那一刻，我又想起了"
                          "自己入党时的情景。",
                          "七年来，我从一名刚走出校门的研究助理成长为助理研究员。誓词里的每一句话，"
                          "在不同阶段读来都有新的分量。",
                          "作为青年党员，我要把誓词落实到日常工作中：对待每一份研究报告都认真负责，"
                          "对待同事和群众都真诚热情。",
                      )),
                      A("学习党史要注重三个结合", "sunmingyuan", (
                          "学习党史，要把读史和明理结合起来，弄清楚我们党为什么能够成功；要把学史和研究"
                          "结合起来，从历史经验中汲取方法；要把知史和力行结合起来，落到本职岗位上。",
                          "研究室的工作以调查研究为主。回顾党的历史，重视调查研究始终是一个优良传统。"
                          "我们要继承这个传统，多到基层去，多听群众的声音。",
                      ), heading_after=0, heading="一、读史明理"),
                  )),
                  ("支部动态", (
                      A("支部开展“七一”主题党日活动", "rensiyuan", (
                          "6月30日，支部组织党员来到市革命历史纪念馆开展主题党日活动。大家参观了基本陈列，"
                          "聆听了讲解员对革命先辈事迹的介绍。",
                          "活动最后，支部书记带领新老党员重温入党誓词，两名预备党员作了表态发言。",
                      )),
                      A("支部完成上半年党费收缴和组织关系排查", "liuzhiqiang", (
                          "按照机关党委的部署，支部在六月份完成了上半年党费收缴工作，并对全体党员组织关系"
                          "进行了排查核对，做到底数清、情况明。",
                          "对于转入的党员，支部及时编入党小组、纳入日常管理，确保每位党员都能正常参加组织生活。",
                      )),
                  )),
                  ("调研札记", (
                      A("小微企业融资难题再观察", "guoruolan", (
                          "八月份，调研组走访了十二家小微企业。与两年前相比，企业反映的融资问题有所缓解，"
                          "但“首贷难”“续贷难”仍然突出。",
                          "一些企业负责人说，银行更看重抵押物，而轻资产的科技型企业往往拿不出足够的抵押。"
                          "政府性融资担保在一定程度上弥补了这个缺口，但覆盖面还不够广。",
                          "调研组建议，进一步完善信用信息共享机制，扩大政府性融资担保覆盖面，"
                          "并加强对企业的政策宣传。",
                      ), picture="小微企业融资需求调查结果示意", heading_after=1, heading="二、几点建议"),
                      A("基层减负的“减”与“加”", "xiepeng", (
                          "为基层减负，关键是减掉不必要的填表、报数和检查，把时间还给基层干部。",
                          "调研中我们也注意到，减负不是简单地做减法。对群众关心的事情，基层干部反映需要"
                          "加强培训、加强保障，让他们有能力、有底气把事情办好。",
                      )),
                  )),
              )),
)


def _picture(caption: str, seed: int) -> bytes:
    """A simple illustration drawn for the demo: a framed scene of bars and a sun."""
    from PIL import Image, ImageDraw

    w, h = 1400, 900
    img = Image.new("RGB", (w, h), (246, 241, 234))
    draw = ImageDraw.Draw(img)
    draw.rectangle([40, 40, w - 40, h - 40], outline=(163, 22, 27), width=10)
    draw.ellipse([w - 330, 110, w - 150, 290], fill=(230, 170, 40))
    for i in range(7):
        height = 140 + (seed * 97 + i * 131) % 460
        x = 140 + i * 160
        draw.rectangle([x, h - 110 - height, x + 100, h - 110], fill=(163, 22, 27))
    draw.line([(100, h - 110), (w - 100, h - 110)], fill=(60, 60, 60), width=6)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def _image(caption: str, seed: int, tally: dict):
    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    Image = get_image_model()
    title = f"演示：{caption}"
    image = Image.objects.filter(title=title).first()
    if image is None:
        image = Image(title=title)
        image.file = ImageFile(io.BytesIO(_picture(caption, seed)), name=f"journal-demo-{seed}.jpg")
        image.save()
        tally["images"] += 1
    return image


def _body(spec: ArticleSpec, image) -> str:
    parts = []
    for i, text in enumerate(spec.paragraphs):
        parts.append(f"<p>{text}</p>")
        if i == spec.heading_after and spec.heading:
            parts.append(f"<h3>{spec.heading}</h3>")
        if i == 0 and image is not None:
            parts.append(f'<embed embedtype="image" id="{image.pk}" format="fullwidth" '
                         f'alt="{spec.picture}"/>')
    return "".join(parts)


def _author(spec: ArticleSpec, people: dict[str, Person]) -> str:
    person = people.get(spec.author)
    if person is None:
        return ""
    unit = person.unit.name_zh if person.unit_id else ""
    return " ".join(x for x in (unit, person.name) if x)


def _save(obj, wanted: dict, tally: dict, kind: str) -> None:
    changed = [k for k, v in wanted.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, wanted[k])
        obj.full_clean()
        obj.save()
        tally[kind] += 1


def load_demo(*, stdout=None) -> None:
    from branchwork.journal import services

    org = Organization.objects.filter(code=ORG).first()
    if org is None:
        raise ValueError(f"Load core's demo first: no organization {ORG}.")
    emails = {p.key: p.email for p in core_demo.PEOPLE}
    by_email = {p.email: p for p in Person.objects.select_related("unit").filter(email__in=emails.values())}
    people = {key: by_email[email] for key, email in emails.items() if email in by_email}
    tally = {"journals": 0, "issues": 0, "sections": 0, "articles": 0, "images": 0, "changed": 0}
    published = []
    with transaction.atomic(), audit.acting_as(None, source="demo"):
        journal = Journal.objects.filter(slug=SLUG).first()
        wanted = {"name_zh": "研究室党建通讯", "name_en": "Research Office Party Building Bulletin",
                  "organization": org,
                  "description": "研究室党支部编印的内部刊物，每年出版若干期，刊发党员学习体会、支部工作动态和调研札记。"}
        if journal is None:
            journal = Journal.objects.create(slug=SLUG, **wanted)
            tally["journals"] += 1
        else:
            _save(journal, wanted, tally, "changed")
        seed = 0
        for spec in ISSUES:
            issue = JournalIssue.objects.filter(journal=journal, year=spec.year, number=spec.number).first()
            wanted = {"published_on": spec.published_on, "editor": people.get(EDITOR),
                      "cover_note": spec.cover_note}
            if issue is None:
                issue = services.issue_create(by=None, journal=journal, year=spec.year,
                                              number=spec.number, distribution=[org], **wanted)
                tally["issues"] += 1
            else:
                _save(issue, wanted, tally, "changed")
            for order, (title, articles) in enumerate(spec.sections):
                section = JournalSection.objects.filter(issue=issue, title=title).first()
                if section is None:
                    section = services.section_add(by=None, issue=issue, title=title, order=order)
                    tally["sections"] += 1
                else:
                    _save(section, {"order": order}, tally, "changed")
                for position, article in enumerate(articles):
                    seed += 1
                    image = _image(article.picture, seed, tally) if article.picture else None
                    wanted = {"order": position, "author": _author(article, people),
                              "body": _body(article, image)}
                    entry = JournalEntry.objects.filter(section__issue=issue, title=article.title).first()
                    if entry is None:
                        services.entry_add(by=None, section=section, title=article.title, **wanted)
                        tally["articles"] += 1
                    else:
                        _save(entry, {"section": section, **wanted}, tally, "changed")
            if issue.status != IssueStatus.PUBLISHED:
                # Published as of the issue's date, without mailing the demo's made-up addresses.
                at = timezone.make_aware(datetime.datetime.combine(spec.published_on, datetime.time(10)))
                JournalIssue.objects.filter(pk=issue.pk).update(
                    status=IssueStatus.PUBLISHED, published_at=at, notified_at=at)
                tally["changed"] += 1
            published.append(issue.pk)

        def request_pdfs() -> None:
            for issue in JournalIssue.objects.filter(pk__in=published).select_related(
                    "journal__organization", "editor"):
                services.pdf_request(issue=issue, by=None)

        transaction.on_commit(request_pdfs)
    if stdout is not None:
        if any(tally.values()):
            stdout.write(
                "内部刊物 Journal: 新建 created "
                f"{tally['journals']} 刊物 journals, {tally['issues']} 期 issues, "
                f"{tally['sections']} 栏目 sections, {tally['articles']} 篇 articles, "
                f"{tally['images']} 图片 pictures; 更新 updated {tally['changed']}\n")
        else:
            stdout.write("内部刊物演示数据已是最新。 Demo journal already up to date: nothing changed.\n")
