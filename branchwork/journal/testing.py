"""Issues with articles of realistic length, for the tests and the benchmark.

`make_issue()` writes a journal issue straight into the tables: sections, articles written for the
issue with a few paragraphs each, and every few articles a picture with a caption (a Wagtail image,
drawn here). The text comes from a small pool of paragraphs written for this purpose.
"""

from __future__ import annotations

import datetime
import io
import secrets

from django.core.files.images import ImageFile

from branchwork.core.models import Organization
from branchwork.journal.models import Journal, JournalEntry, JournalIssue, JournalSection

SECTIONS = ("理论学习", "支部动态", "调研札记")
PARAGRAPHS = (
    "支部把理论学习放在首位，坚持“第一议题”制度，每次支部委员会会议先学习、再议事。全体党员围绕"
    "原文原著逐段研读，结合本职工作谈体会、找差距，做到学有所思、思有所得。",
    "学习中，大家认为，读原著要与研究工作结合起来，把理论成果转化为分析问题、提出对策的能力。"
    "青年党员提出，希望多组织几次专题研讨，把学习中遇到的疑问拿出来讨论，互相启发。",
    "本季度，支部围绕重点课题开展了三次集体学习和一次专题党课，党员参学率保持在九成以上。因公出差"
    "未能参加的同志，回来后均按要求完成了补学，并提交了学习心得。",
    "调研组先后走访了两个街道和三家企业，与基层干部、一线职工座谈，了解政策落实中的堵点和难点。"
    "大家深切感到，只有到现场去、到群众中去，写出来的报告才有分量。",
    "座谈中，一位社区书记谈到，老旧小区改造牵涉面广，既要算经济账，也要算民生账。调研组据此梳理"
    "出五个方面的问题清单，并逐条提出了改进建议，报送有关部门参考。",
    "支部坚持把党建工作与业务工作同谋划、同部署、同检查。年初制定的工作计划已完成大部分，"
    "剩余任务明确了责任人和时间表，确保按期完成。",
    "在主题党日活动中，党员们来到革命纪念馆，重温入党誓词，聆听讲解员讲述先辈的故事。"
    "大家表示，要把这份感动化为干事创业的动力，在平凡岗位上做出不平凡的成绩。",
    "我们也清醒地看到，个别党员学习还存在重形式、轻实效的问题，研讨发言准备不够充分。"
    "下一步，支部将改进学习方式，推行领学、研学、述学相结合，让每位党员都有发言、有收获。",
)
TITLES = (
    "在读原著学原文中筑牢理论根基", "把学习成果转化为研究能力", "集体学习的几点体会",
    "青年党员理论学习小组活动侧记", "支部委员会第三季度工作回顾", "主题党日走进革命纪念馆",
    "老旧小区改造调研札记", "基层治理调研中的三点思考", "关于改进支部学习方式的建议",
    "党建与业务深度融合的实践", "一线座谈记录与问题清单", "发展党员工作的规范与温度",
)


def picture_bytes(seed: int = 0, size: tuple[int, int] = (1200, 800), fmt: str = "JPEG") -> bytes:
    """A picture drawn here (stripes and a disc), different for each seed."""
    from PIL import Image, ImageDraw

    colour = (150 + seed * 37 % 100, 30 + seed * 53 % 120, 40 + seed * 71 % 160)
    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    w, h = size
    for x in range(0, w, max(w // 20, 1)):
        draw.line([(x, 0), (w - x, h)], fill=(240, 220, 120), width=3)
    draw.ellipse([w // 3, h // 4, 2 * w // 3, 3 * h // 4], outline=(255, 255, 255), width=6)
    out = io.BytesIO()
    if fmt == "JPEG":
        img.save(out, fmt, quality=85)
    else:
        img.save(out, fmt)
    return out.getvalue()


def make_image(title: str, *, seed: int = 0, size=(1200, 800), fmt: str = "JPEG"):
    from wagtail.images import get_image_model

    ext = "jpg" if fmt == "JPEG" else fmt.lower()
    data = picture_bytes(seed, size, fmt)
    image = get_image_model()(title=title)
    image.file = ImageFile(io.BytesIO(data), name=f"journal-{secrets.token_hex(4)}.{ext}")
    image.save()
    return image


def article_html(i: int, *, paragraphs: int = 6, image=None, caption: str = "") -> str:
    """The body of article i: a few paragraphs, a subheading, and the picture if there is one."""
    parts = []
    for j in range(paragraphs):
        parts.append(f"<p>{PARAGRAPHS[(i + j) % len(PARAGRAPHS)]}</p>")
        if j == 1:
            parts.append("<h3>一、主要做法</h3>")
        if j == 2 and image is not None:
            parts.append(f'<embed embedtype="image" id="{image.pk}" format="fullwidth" alt="{caption}"/>')
        if j == 3:
            parts.append("<h3>二、下一步打算</h3>")
    return "".join(parts)


def make_journal(organization: Organization, *, slug: str | None = None,
                 name_zh: str = "研究室党建通讯", name_en: str = "Party Building Bulletin") -> Journal:
    return Journal.objects.create(slug=slug or f"tongxun-{secrets.token_hex(3)}", name_zh=name_zh,
                                  name_en=name_en, organization=organization)


def make_issue(journal: Journal, *, n_articles: int = 20, image_every: int = 3, year: int = 2026,
               number: int = 1, editor=None, paragraphs: int = 6, titles=None, sections=SECTIONS,
               published_on: datetime.date | None = None):
    """An issue of `n_articles` articles spread over `sections`, a picture in every
    `image_every`-th (0: none). Returns (issue, [titles in order], [captions])."""
    issue = JournalIssue.objects.create(
        journal=journal, year=year, number=number,
        published_on=published_on or datetime.date(year, 6, 30), editor=editor,
        cover_note="本期围绕理论学习与调查研究，刊发支部党员的学习体会和调研札记。")
    section_rows = [JournalSection.objects.create(issue=issue, title=t, order=k)
                    for k, t in enumerate(sections)]
    out_titles, captions = [], []
    per = -(-n_articles // len(section_rows))
    for i in range(n_articles):
        title = titles[i] if titles else f"{TITLES[i % len(TITLES)]}（{i + 1}）"
        image, caption = None, ""
        if image_every and i % image_every == 0:
            caption = f"图为第{i + 1}篇文章所记活动现场"
            image = make_image(caption, seed=i)
            captions.append(caption)
        JournalEntry.objects.create(
            section=section_rows[min(i // per, len(section_rows) - 1)], order=i, title=title,
            author=f"研究室党支部 作者{i + 1}",
            body=article_html(i, paragraphs=paragraphs, image=image, caption=caption))
        out_titles.append(title)
    return issue, out_titles, captions
