"""Rich-text blocks → Typst markup, with hostile input compiled for real: every typed character
shows as itself."""

import string
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from branchwork.core import richtext
from branchwork.core.richtext import HEADING, LIST_ITEM, PARAGRAPH, QUOTE, TABLE, Run, clean_rich_text
from branchwork.documents.typst import blocks_to_typst, typst_escape

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


@given(st.text(alphabet=string.printable + "中文“”【】", max_size=60))
def test_escaped_text_has_no_live_markup(text):
    escaped = typst_escape(text)
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
    markup = blocks_to_typst(blocks, heading_offset=1)
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
    shown = _compile(blocks_to_typst(blocks), tmp_path)
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
    shown = _compile(blocks_to_typst(blocks), tmp_path)
    expected = _squash(richtext.plain_text(blocks).replace("\n", ""))
    assert _squash(evil.replace("<a>", "")) in expected  # the sanitizer took <a> as a tag
    assert _squash(shown).replace("•", "") == expected


# Typed text of any kind: ASCII (every punctuation character), Chinese with its punctuation,
# Cyrillic and Greek; control characters are dropped by the writer and so not drawn here.
TYPED = st.text(alphabet=string.ascii_letters + string.digits + string.punctuation + " \n\t"
                + "中文党支部会议，。、；：？！“”‘’（）【】《》——……·" + "Жизнь Ωμέγα", max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TYPED, min_size=1, max_size=6), bold=st.booleans())
def test_any_typed_text_compiles_to_exactly_itself(texts, bold, tmp_path):
    # Each text between two marks on its own line (pdftotext joins a line ending in "-" to the next).
    blocks = [richtext.Block(PARAGRAPH, (Run(f"〔{i}〕"), Run(text, bold=bold, italic=not bold),
                                         Run(f"〔/{i}〕"))) for i, text in enumerate(texts)]
    shown = _compile(blocks_to_typst(blocks), tmp_path)
    for i, text in enumerate(texts):
        start = shown.index(f"〔{i}〕") + len(f"〔{i}〕")
        assert _squash(shown[start:shown.index(f"〔/{i}〕")]) == _squash(text), repr(text)
