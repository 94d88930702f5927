"""Stored rich text → blocks → Typst markup, with hostile input compiled for real."""

import string
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from branchwork.core.html import clean_rich_text
from branchwork.reports import richtext
from branchwork.reports.richtext import HEADING, IMAGE, LIST_ITEM, PARAGRAPH, QUOTE, TABLE, Run

HOSTILE = [
    '#set page(fill: red) #panic("boom") #read("/etc/passwd")',
    "$x^2$ and $$ and a lone $",
    "*bold* _emph_ `raw` ```block```",
    "<label> @reference @ref:x",
    "[content] ]closing[ #[nested]",
    "back\\slash \\ and \\u{41} and \\#",
    "// a comment and /* a block comment */ and https://example.org/a//b",
    "= not a heading",
    "- not a list",
    "+ not an enum",
    "1. not numbered either",
    "/ term: not a term",
    "~tilde -- dash --- em ... dots -? soft",
    "'single' \"double\" quotes",
    "semi;colon after #strong[x]; (parens) {braces} a.b.c",
    "%&!?^|=:,@#$*_",
    "中文：“引号”【括号】《书名号》——破折号……省略号",
]


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
    stored = clean_rich_text("第一段\n第二行\n\n第二段")
    assert [b.text for b in richtext.parse(stored)] == ["第一段\n第二行", "第二段"]


@given(st.text(alphabet=string.printable + "中文“”【】", max_size=60))
def test_escaped_text_has_no_live_markup(text):
    escaped = richtext.typst_escape(text)
    # Every ASCII punctuation character is preceded by a backslash that is itself not escaped.
    i = 0
    while i < len(escaped):
        if escaped[i] == "\\":
            assert i + 1 < len(escaped) and escaped[i + 1] in string.punctuation
            i += 2
            continue
        assert escaped[i] not in string.punctuation
        assert escaped[i] not in "\n\r"
        i += 1


def test_typst_markup_of_blocks():
    blocks = richtext.parse(
        "<h3>标题#</h3><p><strong>粗*</strong><em>斜_</em><a href=\"https://a.org/?q=\\&quot;\">链]</a></p>"
        "<ol><li>一</li><li>二</li></ol><blockquote>引$</blockquote>"
        '<figure><img src="x.png"><figcaption>图[1]</figcaption></figure>')
    markup = richtext.to_typst(blocks, heading_offset=1)
    assert "#heading(level: 4, outlined: false)[标题\\#]" in markup
    assert "#strong[粗\\*]" in markup and "#emph[斜\\_]" in markup
    assert '#link("https://a.org/?q=\\\\\\"")[链\\]]' in markup
    assert "1. 一\n2. 二" in markup
    assert "#quote(block: true)[引\\$]" in markup
    assert "图\\[1\\]" in markup  # an image without a file is described by its caption


def _compile(markup: str, tmp_path) -> str:
    typst = pytest.importorskip("typst")
    (tmp_path / "main.typ").write_text(
        '#set text(font: ("Noto Serif CJK SC", "Noto Sans CJK SC"))\n'
        '#set page(width: 40cm, height: auto, margin: 1cm)\n'
        '#eval(sys.inputs.at("m"), mode: "markup")\n', encoding="utf-8")
    pdf = typst.compile(str(tmp_path / "main.typ"), root=str(tmp_path), sys_inputs={"m": markup})
    (tmp_path / "out.pdf").write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "out.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout


def _squash(text: str) -> str:
    return "".join(text.split())


def test_hostile_text_compiles_to_exactly_itself(tmp_path):
    blocks = [richtext.Block(PARAGRAPH, (Run(f"<<{i}>>"), Run(text)))
              for i, text in enumerate(HOSTILE)]
    shown = _compile(richtext.to_typst(blocks), tmp_path)
    for i, text in enumerate(HOSTILE):
        start = shown.index(f"<<{i}>>") + len(f"<<{i}>>")
        end = shown.index(f"<<{i + 1}>>") if i + 1 < len(HOSTILE) else len(shown)
        assert _squash(shown[start:end]) == _squash(text), text


def test_hostile_html_through_every_block_kind(tmp_path):
    evil = "#panic(\"x\")]*_$`<a>@b//c\\"
    html = clean_rich_text(
        f"<h2>{evil}</h2><p><strong>{evil}</strong> <em>{evil}</em> <u>{evil}</u></p>"
        f"<ul><li>{evil}</li></ul><blockquote>{evil}</blockquote>"
        f"<table><tr><td>{evil}</td></tr></table>")
    blocks = richtext.parse(html)
    assert [b.kind for b in blocks] == [HEADING, PARAGRAPH, LIST_ITEM, QUOTE, TABLE]
    shown = _compile(richtext.to_typst(blocks), tmp_path)
    expected = _squash(richtext.plain_text(blocks).replace("\n", ""))
    assert _squash(evil.replace("<a>", "")) in expected  # the sanitizer took <a> as a tag
    assert _squash(shown).replace("•", "") == expected
