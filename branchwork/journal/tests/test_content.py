"""Reading articles: Wagtail's image embeds in the rich text converter, portal pages read without
knowing their models (rich text or StreamField bodies, bylines), and typed bodies sanitized."""

from types import SimpleNamespace

import pytest
from wagtail import blocks
from wagtail.blocks import StreamValue
from wagtail.images.blocks import ImageChooserBlock

from branchwork.core import richtext
from branchwork.documents.typst import blocks_to_typst
from branchwork.journal import content, services
from branchwork.journal.testing import make_image


def test_image_embeds_are_image_blocks():
    blocks_ = richtext.parse(
        '<p>前文</p><embed embedtype="image" id="12" format="fullwidth" alt="会场一角"/>'
        '<figure><embed embedtype="image" id="13" alt="替代"/><figcaption>图注</figcaption></figure>'
        '<embed embedtype="media" url="https://example.org/v"/><p>后文</p>')
    kinds = [(b.kind, b.src, b.caption or b.alt) for b in blocks_]
    assert kinds == [
        ("paragraph", "", ""), ("image", "wagtail-image:12", "会场一角"),
        ("image", "wagtail-image:13", "图注"), ("paragraph", "", ""),
    ]
    assert [richtext.wagtail_image_id(b) for b in blocks_] == [None, 12, 13, None]
    # Typst: a figure when the builder has the file, else the caption in brackets.
    markup = blocks_to_typst(blocks_[1:2], image_path=lambda b: "images/12.jpg")
    assert 'image("images/12.jpg"' in markup and "caption: [会场一角]" in markup
    assert blocks_to_typst(blocks_[1:2]) == "#emph[\\[会场一角\\]]"


@pytest.mark.django_db
def test_wagtail_images_are_fetched_in_one_query(django_assert_num_queries):
    one, two = make_image("一"), make_image("二")
    parsed = richtext.parse(f'<embed embedtype="image" id="{one.pk}"/><embed embedtype="image" '
                            f'id="{two.pk}"/><embed embedtype="image" id="999999"/>')
    with django_assert_num_queries(1):
        found = richtext.wagtail_images(parsed)
    assert set(found) == {one.pk, two.pk}
    assert richtext.wagtail_images(richtext.parse("<p>无图</p>")) == {}


def test_a_rich_text_page_body_and_byline():
    page = SimpleNamespace(title="标题", body="<p>正文</p>", author="王浩然", author_unit="研究室",
                           author_title="助理研究员", subtitle="副题")
    assert content.page_body(page) == "<p>正文</p>"
    assert content.page_byline(page) == "研究室 王浩然 助理研究员"
    assert content.page_byline(SimpleNamespace(byline=lambda: "本刊评论员")) == "本刊评论员"
    assert content.page_body(SimpleNamespace(intro="<p>导语</p>")) == "<p>导语</p>"
    assert content.page_body(SimpleNamespace()) == ""


def test_a_streamfield_body_is_read_from_its_raw_data():
    stream_block = blocks.StreamBlock([
        ("heading", blocks.CharBlock()),
        ("paragraph", blocks.RichTextBlock()),
        ("image", ImageChooserBlock()),
        ("figure", blocks.StructBlock([("image", ImageChooserBlock()), ("caption", blocks.CharBlock())])),
        ("quote", blocks.TextBlock()),
    ])
    raw = [
        {"type": "heading", "value": "一、背景", "id": "a"},
        {"type": "paragraph", "value": "<p>正文<b>加粗</b></p>", "id": "b"},
        {"type": "image", "value": 7, "id": "c"},
        {"type": "figure", "value": {"image": 8, "caption": "图为调研现场"}, "id": "d"},
        {"type": "quote", "value": "引文", "id": "e"},
    ]
    page = SimpleNamespace(body=StreamValue(stream_block, raw, is_lazy=True))
    html = content.page_body(page)
    assert html.startswith("<h3>一、背景</h3><p>正文<b>加粗</b></p>")
    assert 'id="7"' in html and 'id="8"' in html and 'alt="图为调研现场"' in html
    assert html.endswith("<blockquote>引文</blockquote>")
    parsed = richtext.parse(html)
    assert [b.kind for b in parsed] == ["heading", "paragraph", "image", "image", "quote"]
    assert parsed[3].alt == "图为调研现场"


def test_typed_bodies_are_sanitized_and_keep_image_embeds():
    cleaned = services.clean_body(
        '<p onclick="x()">文</p><script>alert(1)</script>'
        '<embed embedtype="image" id="5" alt="图" format="fullwidth">'
        '<embed embedtype="media" url="https://evil.example/"/><iframe src="x"></iframe>')
    assert "script" not in cleaned and "onclick" not in cleaned and "iframe" not in cleaned
    assert '<embed embedtype="image" id="5" format="fullwidth" alt="图"/>' in cleaned
    assert "media" not in cleaned
    assert services.clean_body("第一段\n\n第二段") == "<p>第一段</p><p>第二段</p>"


def test_what_portal_pages_bring_is_sanitized():
    stream_block = blocks.StreamBlock([("text", blocks.TextBlock()), ("paragraph", blocks.RichTextBlock())])
    raw = [{"type": "text", "value": "<b>不是标记</b>", "id": "a"},
           {"type": "paragraph", "value": '<p>链接<a linktype="page" id="3">页</a></p><script>x()</script>',
            "id": "b"}]
    html = content.sanitize(content.page_body(SimpleNamespace(body=StreamValue(stream_block, raw, is_lazy=True))))
    assert "&lt;b&gt;不是标记&lt;/b&gt;" in html
    assert "<script>" not in html and 'linktype="page"' in html and 'id="3"' in html
