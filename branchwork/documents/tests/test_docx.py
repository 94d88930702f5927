"""The DOCX writer: East-Asian fonts in the styles, page numbers, tables and rich text, and the
fast package save (python-docx's private writer) checked against the installed version."""

import io
from importlib.metadata import version

import docx as python_docx
import pytest
from docx.oxml.ns import qn

from branchwork.core import richtext
from branchwork.documents import docx, fonts


def _document():
    doc = docx.new_document(title="标题", author="研究室党支部", header="研究室党支部　台账",
                            page_label="第{page}页，共{total}页")
    out = docx.DocxBody(doc)
    out.p("封面", "Title", center=True)
    out.blocks(richtext.parse(
        "<h2>一、学习</h2><p><strong>党章</strong>和<a href='https://example.org/'>链接</a></p>"
        "<ol><li>第一</li></ol><ul><li>要点</li></ul><blockquote>引文</blockquote>"
        "<table><thead><tr><th>姓名</th></tr></thead><tr><td>张三</td></tr></table>"
        "<figure><img src='/x.png'><figcaption>图注</figcaption></figure>"))
    out.table([["项目", "内容"], ["地点", "会议室\x01"]], [3, 0])
    out.flush()
    return doc


def test_fonts_page_numbers_tables_and_rich_text_read_back():
    saved = python_docx.Document(io.BytesIO(docx.save(_document())))
    rfonts = saved.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == fonts.DOCX_BODY[1]
    heading = saved.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert heading.get(qn("w:eastAsia")) == fonts.DOCX_HEADING[1]
    footer = saved.sections[0].footer.paragraphs[0]._p.xml
    assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer and "第" in footer
    assert saved.sections[0].header.paragraphs[0].text == "研究室党支部　台账"
    texts = [(p.style.name, p.text) for p in saved.paragraphs]
    assert ("Heading 3", "一、学习") in texts
    assert ("List Continue", "1. 第一") in texts and ("List Bullet", "要点") in texts
    assert ("Quote", "引文") in texts and ("Caption", "[图注]") in texts
    assert [[c.text for c in r.cells] for r in saved.tables[0].rows] == [["姓名"], ["张三"]]
    assert [[c.text for c in r.cells] for r in saved.tables[1].rows] == [["项目", "内容"], ["地点", "会议室"]]
    assert saved.part.rels and any(r.target_ref == "https://example.org/" for r in saved.part.rels.values())


def test_the_private_package_writer_is_the_one_we_checked():
    """`docx.save` calls python-docx's private PackageWriter step by step. This fails when another
    python-docx is installed: check that save() still matches doc.save(), then add the version."""
    installed = version("python-docx")
    assert installed in docx.PACKAGE_WRITER_CHECKED, (
        f"python-docx {installed}: check documents.docx.save against doc.save and add the version")
    assert docx.fast_save_available()


def test_the_fast_save_holds_what_the_public_save_holds(monkeypatch):
    doc = _document()
    out = io.BytesIO()
    doc.save(out)
    public = python_docx.Document(io.BytesIO(out.getvalue()))
    fast = python_docx.Document(io.BytesIO(docx.save(_document())))
    assert [p.text for p in fast.paragraphs] == [p.text for p in public.paragraphs]
    assert len(fast.tables) == len(public.tables)
    # Without the private steps, the public save is used.
    monkeypatch.setattr(docx, "PACKAGE_WRITER_STEPS", ("_no_such_step",))
    assert not docx.fast_save_available()
    fallback = python_docx.Document(io.BytesIO(docx.save(_document())))
    assert [p.text for p in fallback.paragraphs] == [p.text for p in public.paragraphs]


@pytest.mark.parametrize("label", ["Page {page} of {total}", "第{page}页，共{total}页", "— {page} —"])
def test_page_labels_keep_their_word_order(label):
    doc = docx.new_document(title="t", author="a", header="h", page_label=label)
    xml = doc.sections[0].footer.paragraphs[0]._p.xml
    order = [xml.index(x) for x in ('" PAGE "',) + (('" NUMPAGES "',) if "{total}" in label else ())]
    assert order == sorted(order)
