"""Rich text from intake, the web form and imports becomes paragraphs and captioned images."""

import pytest

from branchwork.core.richtext import text_to_html
from branchwork.publishing.richtext import html_to_stream, revise_stream, stream_to_text
from branchwork.publishing.testing import make_image

pytestmark = pytest.mark.django_db


def kinds(blocks):
    return [b["type"] for b in blocks]


@pytest.fixture
def photo(db):
    return make_image("现场照片")


def embed(image, alt="照片"):
    return f'<embed embedtype="image" format="fullwidth" id="{image.pk}" alt="{alt}"/>'


def test_an_image_and_its_caption_paragraph_become_one_image_block(photo):
    blocks = html_to_stream(f"<p>第一段。</p>{embed(photo)}<p>图为调研现场</p><p>第二段。</p>")
    assert kinds(blocks) == ["paragraph", "image", "paragraph"]
    assert blocks[1]["value"] == {"image": photo.pk, "caption": "图为调研现场", "alt": "照片"}
    assert blocks[2]["value"] == "<p>第二段。</p>"


def test_a_long_paragraph_after_an_image_is_body_text_unless_marked_as_caption(photo):
    long = "这是一段很长的正文，" * 20
    blocks = html_to_stream(f"{embed(photo)}<p>{long}</p>")
    assert kinds(blocks) == ["image", "paragraph"] and blocks[0]["value"]["caption"] == ""
    blocks = html_to_stream(f'{embed(photo)}<p class="caption">{long}</p>')
    assert kinds(blocks) == ["image"] and blocks[0]["value"]["caption"] == long.strip()


def test_an_image_inside_a_paragraph_comes_right_after_it(photo):
    blocks = html_to_stream(f"<p>前面的话{embed(photo)}后面的话</p><p>下一段</p>")
    assert kinds(blocks) == ["paragraph", "image", "paragraph"]
    assert "前面的话" in blocks[0]["value"] and "后面的话" in blocks[0]["value"]


def test_an_image_that_does_not_exist_is_dropped_but_its_caption_kept(db):
    blocks = html_to_stream('<p>正文</p><embed embedtype="image" id="999999" alt=""/><p>说明文字</p>')
    assert kinds(blocks) == ["paragraph", "paragraph"]
    assert "说明文字" in blocks[1]["value"]


def test_wrappers_loose_text_and_dangerous_markup(photo):
    html = ('<html><head><title>x</title></head><body><div>开头的话<b>加粗</b>'
            '<p onclick="evil()">段落<a href="javascript:alert(1)">链接</a>'
            '<a href="https://example.org/" target="_blank">网站</a></p>'
            '<script>steal()</script><h2>小标题</h2></div></body></html>')
    [block] = html_to_stream(html)
    value = block["value"]
    assert value.startswith("<p>开头的话<b>加粗</b></p>")
    assert "onclick" not in value and "javascript" not in value and "steal" not in value
    assert '<a href="https://example.org/">网站</a>' in value and "<h2>小标题</h2>" in value


def test_plain_text_lines_are_paragraphs():
    assert text_to_html("第一段\n\n第二段 <b>不是标签</b>\r\n第三段") == (
        "<p>第一段</p><p>第二段 &lt;b&gt;不是标签&lt;/b&gt;</p><p>第三段</p>")


def test_revising_the_text_keeps_the_images_where_they_were(photo):
    body = html_to_stream(f"<p>一</p><p>二</p>{embed(photo)}<p>图注</p><p>三</p>")
    assert stream_to_text(body) == "一\n二\n三"
    revised = revise_stream(body, "甲\n乙\n丙\n丁")
    assert kinds(revised) == ["paragraph", "paragraph", "image", "paragraph", "paragraph"]
    assert revised[2]["value"]["caption"] == "图注"
    assert kinds(revise_stream(body, "只有一段")) == ["paragraph", "image"]
