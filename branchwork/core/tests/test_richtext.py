"""Stored rich text, the one path: sanitized once, plain text as paragraphs, HTML read as blocks
by a tree parser."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from branchwork.core import richtext
from branchwork.core.richtext import (
    ARTICLE,
    HEADING,
    IMAGE,
    LIST_ITEM,
    PARAGRAPH,
    QUOTE,
    STORED,
    TABLE,
    WAGTAIL,
    Profile,
    Run,
    clean_rich_text,
    html_to_text,
    text_to_html,
)


def test_paragraphs_headings_and_inline_styles():
    blocks = richtext.parse(
        "<h2>一、学习</h2><p>大家学习了<strong>党章</strong>，<em>认真</em><u>讨论</u>。</p>"
        "<p>第一行<br>第二行</p>")
    assert [b.kind for b in blocks] == [HEADING, PARAGRAPH, PARAGRAPH]
    assert blocks[0].level == 2 and blocks[0].text == "一、学习"
    runs = blocks[1].runs
    assert Run("党章", bold=True) in runs
    assert Run("认真", italic=True) in runs
    assert Run("讨论", underline=True) in runs
    assert blocks[1].text == "大家学习了党章，认真讨论。"
    assert [r.text for r in blocks[2].runs] == ["第一行", "\n", "第二行"]


def test_lists_are_numbered_and_nested():
    blocks = richtext.parse(
        "<ol><li>甲</li><li>乙<ul><li>乙一</li><li>乙二</li></ul></li><li>丙</li></ol>")
    items = [(b.kind, b.text, b.level, b.ordered, b.number) for b in blocks]
    assert items == [
        (LIST_ITEM, "甲", 1, True, 1),
        (LIST_ITEM, "乙", 1, True, 2),
        (LIST_ITEM, "乙一", 2, False, 1),
        (LIST_ITEM, "乙二", 2, False, 2),
        (LIST_ITEM, "丙", 1, True, 3),
    ]


def test_links_quotes_images_and_tables():
    blocks = richtext.parse(
        '<blockquote><p>引文</p></blockquote>'
        '<p>见<a href="https://example.org/x">网站</a>和<a href="javascript:alert(1)">坏链接</a></p>'
        '<figure><img src="/media/a.png" alt="替代"><figcaption>会议现场</figcaption></figure>'
        '<p>前<img src="/media/b.png" alt="图二">后</p>'
        "<table><thead><tr><th>姓名</th><th>票数</th></tr></thead>"
        "<tbody><tr><td>张三</td><td>9</td></tr><tr><td>李四</td></tr></tbody></table>")
    kinds = [b.kind for b in blocks]
    assert kinds == [QUOTE, PARAGRAPH, IMAGE, PARAGRAPH, IMAGE, PARAGRAPH, TABLE]
    assert blocks[0].text == "引文"
    links = [r for r in blocks[1].runs if r.href]
    assert [(r.text, r.href) for r in links] == [("网站", "https://example.org/x")]
    assert blocks[2].src == "/media/a.png" and blocks[2].caption == "会议现场" and blocks[2].alt == "替代"
    assert blocks[3].text == "前" and blocks[4].alt == "图二" and blocks[5].text == "后"
    table = blocks[6]
    assert table.header_rows == 1
    assert [[richtext.runs_text(c) for c in row] for row in table.rows] == [
        ["姓名", "票数"], ["张三", "9"], ["李四", ""]]


def test_whitespace_entities_and_unknown_markup():
    blocks = richtext.parse("<p>  a  &amp;\n  b &lt;c&gt; </p><script>alert(1)</script><div>甲</div>")
    assert [b.text for b in blocks] == ["a & b <c>", "甲"]
    assert richtext.parse("") == [] and richtext.parse("   ") == []


def test_what_the_sanitizer_stores_reads_back():
    stored = clean_rich_text("第一段\n第二段\n\n第三段")
    assert [b.text for b in richtext.parse(stored)] == ["第一段", "第二段", "第三段"]


def test_plain_text_lines_are_paragraphs_and_read_back_the_same():
    html = text_to_html("第一段\n\n第二段 <b>不是标签</b> & “引号”\r\n  第三段  \r最后")
    assert html == ("<p>第一段</p><p>第二段 &lt;b&gt;不是标签&lt;/b&gt; &amp; “引号”</p><p>第三段</p>"
                    "<p>最后</p>")
    assert text_to_html(html_to_text(html)) == html
    assert clean_rich_text("  ") == "" and clean_rich_text("一行") == "<p>一行</p>"


@given(st.lists(st.text(alphabet="ab中文<>&\"' #*", min_size=1, max_size=12), max_size=5))
def test_text_to_html_and_back_is_stable(lines):
    html = text_to_html("\n".join(lines))
    text = html_to_text(html)  # as HTML shows it: runs of spaces are one space
    assert text == "\n\n".join(" ".join(line.split()) for line in lines if line.strip())
    assert html_to_text(text_to_html(text)) == text


def test_a_form_shows_stored_rich_text_as_lines():
    assert html_to_text("<h2>议题</h2><p>甲<br>乙</p><ul><li>一</li></ul>"
                        "<figure><img src='/x.png' alt='替代'><figcaption>图注</figcaption></figure>"
                        "<img src='/y.png' alt='不显示'>") == "议题\n\n甲\n乙\n\n一\n\n图注"


HOSTILE_HTML = (
    '<p onclick="steal()">文<script>alert(1)</script><a href="javascript:alert(2)">链</a>'
    '<a href="https://example.org/" target="_blank">好</a><img src="x" onerror="alert(3)">'
    '<embed embedtype="media" url="https://v.example/"><embed embedtype="image" id="7" alt="图">'
    '<iframe src="https://evil.example/"></iframe><u>下</u><table><tr><td>格</td></tr></table></p>'
)


@pytest.mark.parametrize("profile", [STORED, WAGTAIL, ARTICLE], ids=lambda p: p.name)
def test_no_profile_lets_anything_executable_through(profile):
    cleaned = richtext.sanitize(HOSTILE_HTML, profile)
    for bad in ("onclick", "<script", "alert(1)", "javascript:", "onerror", "<iframe", "target="):
        assert bad not in cleaned, (profile.name, bad)
    assert "https://example.org/" in cleaned and "文" in cleaned


def test_profiles_keep_what_their_editor_holds():
    stored = richtext.sanitize(HOSTILE_HTML, STORED)
    assert "<u>下</u>" in stored and "<td>格</td>" in stored and "<embed" not in stored
    wagtail = richtext.sanitize(HOSTILE_HTML, WAGTAIL)
    assert '<embed embedtype="image" id="7" format="fullwidth" alt="图"/>' in wagtail
    assert "v.example" not in wagtail  # other embeds are dropped
    article = richtext.sanitize(HOSTILE_HTML, ARTICLE)
    assert "<u>" not in article and "<table" not in article and "<img" not in article


def test_a_profile_cannot_widen_the_allow_list():
    with pytest.raises(ValueError):
        Profile("wide", frozenset({"p", "script"}), {})
