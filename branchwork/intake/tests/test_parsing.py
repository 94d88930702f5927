"""Reading Chinese mail in every common encoding, and the body it becomes. No database."""

import base64
import io
import re
import zipfile
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart

import pytest

from branchwork.intake import charsets, parsing, word
from branchwork.intake.tests import mail

TRADITIONAL = "支部工作經驗交流：以高質量黨建引領研究工作"
TRADITIONAL_BODY = "編輯同志：\n\n本支部堅持理論學習常態化，每月組織一次集體學習。\n\n陳可樂"


def html_of(parsed) -> str:
    return "".join(b.html for b in parsed.blocks if b.kind == "html")


# --- The case: GBK subject and body, a .docx and a JPEG ---


def test_a_gbk_message_with_a_docx_and_a_jpeg_becomes_title_body_and_image():
    parsed = parsing.parse(mail.contribution())

    assert parsed.from_address == "bob@example.org"
    assert parsed.from_name == "王博"
    assert parsed.subject == mail.TITLE
    assert parsed.title == mail.TITLE
    assert parsed.text == mail.BODY  # the cover note, for the moderators
    kinds = [(b.kind, b.origin) for b in parsed.blocks]
    # The short note beside the .docx is a cover note: the .docx is the body, the photo follows.
    assert kinds[-1] == ("image", "mail")
    assert all(origin == "docx" for kind, origin in kinds[:-1])
    html = html_of(parsed)
    assert "<h2>一、基本做法</h2>" in html
    assert "<p><b>近年来，</b>研究室党支部坚持把理论学习作为首要任务。</p>" in html
    assert "<ol><li>加强理论学习</li><li>规范组织生活</li></ol>" in html
    assert "附件是我的投稿" not in html
    image = parsed.blocks[-1].attachment
    assert image.filename == "集体学习照片.jpg"
    assert image.content_type == "image/jpeg"
    assert image.data.startswith(b"\xff\xd8")
    assert [a.filename for a in parsed.attachments] == ["支部经验材料.docx", "集体学习照片.jpg"]
    assert "the message text is a cover note; the .docx is the body" in parsed.notes


def test_a_long_message_text_stays_before_the_docx():
    parsed = parsing.parse(mail.contribution(body=mail.LONG_BODY))
    origins = [b.origin for b in parsed.blocks if b.kind == "html"]
    assert origins[0] == "mail" and "docx" in origins
    assert "<p>一、坚持理论学习常态化。" in html_of(parsed)


def test_text_alone_becomes_paragraphs_and_the_image_comes_after_it():
    parsed = parsing.parse(mail.contribution(body=mail.LONG_BODY, docx=None))
    assert [b.kind for b in parsed.blocks] == ["html", "image"]
    assert html_of(parsed).count("<p>") == 3


# --- Encodings ---


@pytest.mark.parametrize("transfer", ["quoted-printable", "base64", "8bit"])
@pytest.mark.parametrize("charset", ["gbk", "gb2312", "gb18030", "utf-8"])
def test_simplified_chinese_in_every_charset_and_transfer_encoding(charset, transfer):
    parsed = parsing.parse(
        mail.contribution(charset=charset, transfer=transfer, body=mail.LONG_BODY, docx=None)
    )
    assert parsed.title == mail.TITLE
    assert parsed.from_name == "王博"
    assert parsed.text.startswith("近年来，我们支部围绕中心工作")
    assert [a.filename for a in parsed.attachments] == ["集体学习照片.jpg"]


@pytest.mark.parametrize("charset", ["big5", "big5hkscs", "cp950"])
def test_traditional_chinese_in_big5(charset):
    parsed = parsing.parse(
        mail.contribution(
            sender="陳可樂",
            subject=TRADITIONAL,
            body=TRADITIONAL_BODY,
            charset=charset,
            docx=None,
            image_name="集體學習照片.jpg",
        )
    )
    assert parsed.title == TRADITIONAL
    assert [a.filename for a in parsed.attachments] == ["集體學習照片.jpg"]
    assert parsed.from_name == "陳可樂"
    assert "每月組織一次集體學習" in parsed.text


def test_gbk_text_labelled_gb2312_is_read_with_the_wider_charset():
    # 镕 and 𫐄 are not in GB2312; mailers label GBK and GB18030 text gb2312 all the same.
    text = "朱镕基同志与𫐄的故事"
    msg = MIMEMultipart()
    msg["From"] = "bob@example.org"
    msg["Subject"] = "=?gb2312?B?" + base64.b64encode(text.encode("gb18030")).decode() + "?="
    msg.attach(mail.text_part(text, "gb18030", "base64"))
    msg.get_payload()[0].set_param("charset", "gb2312")
    parsed = parsing.parse(msg.as_bytes())
    assert parsed.subject == text
    assert parsed.text == text


@pytest.mark.parametrize("label", ["iso-8859-1", "us-ascii", "x-unknown-charset", None])
def test_mislabelled_or_unlabelled_chinese_is_recognized(label):
    for text, codec in (
        (mail.LONG_BODY, "gbk"),
        (TRADITIONAL_BODY, "big5"),
        (mail.LONG_BODY, "utf-8"),
    ):
        decoded = charsets.decode_bytes(text.encode(codec), label)
        assert decoded.text == text, (codec, label, decoded)


def test_latin_text_stays_latin():
    assert (
        charsets.decode_bytes("Café au lait".encode("latin-1"), "iso-8859-1").text == "Café au lait"
    )


def test_undecodable_bytes_are_replaced_not_fatal():
    decoded = charsets.decode_bytes("研究室".encode("gbk") + b"\xff\xfe\xfd", "gbk")
    assert decoded.text.startswith("研究室")
    assert "\ufffd" in decoded.text
    assert "replaced" in decoded.note


def test_an_encoded_word_split_inside_a_character_is_joined_before_decoding():
    data = mail.TITLE.encode("gbk")
    cut = 7  # inside the fourth character
    subject = (
        f"=?GBK?B?{base64.b64encode(data[:cut]).decode()}?=\r\n "
        f"=?GBK?B?{base64.b64encode(data[cut:]).decode()}?="
    )
    assert charsets.decode_header_value(subject) == mail.TITLE


def test_broken_rfc2047_forms_are_decoded():
    # Quoted encoded words, missing base64 padding, Q encoding with underscores, lower case.
    word = base64.b64encode("王博".encode("gbk")).decode().rstrip("=")
    assert charsets.decode_header_value(f'"=?gbk?b?{word}?="') == '"王博"'
    assert charsets.decode_header_value("=?utf-8?q?=E6=8A=95=E7=A8=BF_2026?=") == "投稿 2026"
    assert (
        charsets.decode_header_value(
            "=?x-unknown?B?" + base64.b64encode("投稿".encode()).decode() + "?="
        )
        == "投稿"
    )


def test_raw_8bit_headers_are_decoded_with_the_body_charset():
    raw = (
        "From: 王博 <bob@example.org>\r\nSubject: 投稿：学习体会\r\n"
        "Content-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: 8bit\r\n\r\n学习体会全文。\r\n"
    ).encode("gbk")
    parsed = parsing.parse(raw)
    assert (parsed.from_name, parsed.from_address, parsed.subject, parsed.title) == (
        "王博",
        "bob@example.org",
        "投稿：学习体会",
        "学习体会",
    )
    assert parsed.text == "学习体会全文。"


def test_a_whole_from_header_in_one_encoded_word_still_gives_the_address():
    raw = (
        "From: "
        + mail.encoded_word("王博 <bob@example.org>", "utf-8")
        + "\r\nSubject: x\r\n\r\n正文\r\n"
    ).encode()
    parsed = parsing.parse(raw)
    assert (parsed.from_name, parsed.from_address) == ("王博", "bob@example.org")


def test_rfc2231_file_names_in_gbk():
    msg = MIMEMultipart()
    msg["From"] = "bob@example.org"
    msg.attach(mail.text_part("见附件。", "utf-8"))
    image = MIMEImage(mail.png_bytes(), "png")
    image.add_header(
        "Content-Disposition", "attachment", filename=("gbk", "", "活动照片（一）.png")
    )
    msg.attach(image)
    parsed = parsing.parse(msg.as_bytes())
    assert [a.filename for a in parsed.attachments] == ["活动照片（一）.png"]


# --- Titles ---


@pytest.mark.parametrize(
    "subject, title",
    [
        ("投稿：支部工作经验", "支部工作经验"),
        ("Fwd: 投稿：支部工作经验", "支部工作经验"),
        ("RE: Fw: 转发：【投稿】支部工作经验", "支部工作经验"),
        ("回复：来稿：学习体会", "学习体会"),
        ("关于投稿的说明", "关于投稿的说明"),
        ("", ""),
    ],
)
def test_reply_forward_and_contribution_prefixes_are_removed(subject, title):
    assert parsing.clean_subject(subject) == title


def test_without_a_subject_the_docx_title_is_the_title():
    docx = mail.docx_bytes(title="党建引领业务的实践")
    parsed = parsing.parse(mail.contribution(subject="", docx=docx, jpeg=None))
    assert parsed.title == "党建引领业务的实践"
    assert "党建引领业务的实践" not in html_of(parsed)  # not twice


# --- HTML mail ---


def test_html_mail_is_reduced_to_safe_paragraphs_with_inline_images_in_place():
    from email.mime.text import MIMEText

    html = (
        "<html><head><title>不要</title><style>p{color:red}</style></head><body>"
        "<p>第一段，<b>加粗</b>文字。</p><script>alert('x')</script>"
        '<div><img src="cid:photo1@local" alt="照片"></div>'
        '<p onclick="steal()">第二段<br>换行</p><img src="https://tracker.example/p.gif"></body></html>'
    )
    related = MIMEMultipart("related")
    related.attach(MIMEText(html, "html", "utf-8"))
    image = MIMEImage(mail.png_bytes(), "png")
    image["Content-ID"] = "<photo1@local>"
    related.attach(image)
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText("第一段，加粗文字。\n第二段\n换行", "plain", "utf-8"))
    alternative.attach(related)
    alternative["From"] = "bob@example.org"
    alternative["Subject"] = "HTML"

    parsed = parsing.parse(alternative.as_bytes())
    assert [b.kind for b in parsed.blocks] == ["html", "image", "html"]
    assert parsed.blocks[0].html == "<p>第一段，加粗文字。</p>"
    assert parsed.blocks[2].html == "<p>第二段<br/>换行</p>"
    everything = html_of(parsed)
    for bad in ("alert", "script", "color:red", "不要", "onclick", "tracker"):
        assert bad not in everything


def test_plain_text_is_preferred_when_the_html_places_no_images():
    from email.mime.text import MIMEText

    alternative = MIMEMultipart("alternative")
    alternative["From"] = "bob@example.org"
    alternative.attach(MIMEText("纯文本版本", "plain", "utf-8"))
    alternative.attach(MIMEText("<p>网页版本</p>", "html", "utf-8"))
    assert parsing.parse(alternative.as_bytes()).text == "纯文本版本"


def test_a_signature_and_format_flowed_are_handled():
    raw = (
        "From: bob@example.org\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n"
        "第一行接着 \r\n第二行。\r\n\r\n第二段。\r\n-- \r\n王博 研究室\r\n"
    ).encode()
    parsed = parsing.parse(raw)
    assert parsed.text == "第一行接着 第二行。\n\n第二段。"


# --- .docx ---


def test_a_docx_with_a_picture_keeps_the_picture_in_place():
    document = word.convert(mail.docx_bytes(picture=mail.png_bytes()))
    kinds = [kind for kind, _value in document.items]
    assert kinds[-2:] == ["image", "html"]  # the picture, then its caption
    picture = document.items[-2][1]
    assert picture.content_type == "image/png"
    assert document.items[-1][1] == '<p class="caption">图为支部集体学习现场</p>'


def test_a_damaged_docx_is_kept_as_a_document():
    parsed = parsing.parse(mail.contribution(docx=b"PK\x03\x04 not really a zip", jpeg=None))
    [attachment] = parsed.attachments
    assert attachment.kind == "document"
    assert "could not be read as a Word document" in attachment.note
    assert [b.kind for b in parsed.blocks] == ["html", "document"]


# --- Broken messages ---


@pytest.mark.parametrize(
    "raw, code",
    [
        (b"", "not_mail"),
        (bytes(range(256)) * 20, "not_mail"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR binary junk", "not_mail"),
        (b"Subject: no sender\r\n\r\ntext\r\n", "no_sender"),
        (b"From: not an address\r\nSubject: x\r\n\r\ntext\r\n", "no_sender"),
    ],
)
def test_what_is_not_mail_or_has_no_sender_is_malformed(raw, code):
    with pytest.raises(parsing.MalformedMessage) as caught:
        parsing.parse(raw)
    assert caught.value.code == code


def test_a_message_cut_off_inside_a_part_is_malformed_with_its_reason():
    raw = mail.contribution()
    cut = raw[: raw.rindex(b"--==") - 200]  # the JPEG part and the closing boundary are gone
    with pytest.raises(parsing.MalformedMessage) as caught:
        parsing.parse(cut)
    assert caught.value.code == "broken_mime"
    assert caught.value.params["detail_code"] == "close_boundary"
    assert caught.value.partial.subject == mail.TITLE  # who sent what is still known


# --- Machines ---


@pytest.mark.parametrize(
    "headers, address, envelope, automated",
    [
        ({}, "bob@example.org", None, False),
        ({"Auto-Submitted": "no"}, "bob@example.org", None, False),
        ({"Auto-Submitted": "auto-replied"}, "bob@example.org", None, True),
        ({"Precedence": "bulk"}, "bob@example.org", None, True),
        ({"List-Id": "<branch.lists.example.org>"}, "bob@example.org", None, True),
        ({}, "MAILER-DAEMON@mail.example.org", None, True),
        ({}, "noreply@service.example.com", None, True),
        ({}, "no-reply+abc@service.example.com", None, True),
        ({}, "bob@example.org", "", True),  # null envelope sender: a bounce
        ({"Return-Path": "<>"}, "bob@example.org", None, True),  # the same, as the MTA wrote it
    ],
)
def test_machine_sent_mail_is_recognized(headers, address, envelope, automated):
    raw = mail.contribution(address=address, docx=None, jpeg=None, extra_headers=headers)
    parsed = parsing.parse(raw, envelope_from=envelope)
    assert bool(parsed.automated) is automated, parsed.automated


def test_a_docx_that_would_unpack_to_too_much_is_not_opened(monkeypatch):
    monkeypatch.setattr(word, "MAX_UNPACKED", 10_000)
    with pytest.raises(word.NotADocx, match="when unpacked"):
        word.convert(mail.docx_bytes())


def _without_numbering(data: bytes) -> bytes:
    """The same .docx without its numbering part (as some editors write a document with no
    lists): the part, its relationship and its content type removed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename == "word/numbering.xml":
                continue
            content = source.read(info.filename)
            if info.filename in ("word/_rels/document.xml.rels", "[Content_Types].xml"):
                content = re.sub(rb"<(Relationship|Override)[^>]*numbering[^>]*/>", b"", content)
            target.writestr(info, content)
    return out.getvalue()


def test_a_docx_without_a_numbering_part_keeps_its_paragraphs_and_styled_lists():
    data = _without_numbering(mail.docx_bytes())
    assert not any("numbering" in name for name in zipfile.ZipFile(io.BytesIO(data)).namelist())
    html = "".join(str(value) for kind, value in word.convert(data).items if kind == "html")
    assert "<h2>一、基本做法</h2>" in html
    # Without numbering definitions, the paragraphs' "List Number" style still makes the list.
    assert "<ol><li>加强理论学习</li><li>规范组织生活</li></ol>" in html


def _docx_with_control_and_revision() -> bytes:
    """A paragraph inside a content control (w:sdt) and one with a tracked insertion (w:ins):
    Word writes both from templates and with track changes on."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_paragraph("普通段落。")
    inside = document.add_paragraph("内容控件里的段落。")
    control, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    inside._p.addprevious(control)
    content.append(inside._p)
    control.append(content)
    revised = document.add_paragraph("修订前")
    insertion = OxmlElement("w:ins")
    insertion.set(qn("w:id"), "1")
    insertion.set(qn("w:author"), "李婧")
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "，修订插入的文字"
    run.append(text)
    insertion.append(run)
    revised._p.append(insertion)
    document.add_paragraph("链接<b>不是标签</b> & 符号\t制表符")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_keeps_text_in_content_controls_and_tracked_insertions():
    document = word.convert(_docx_with_control_and_revision())
    assert [value for _kind, value in document.items] == [
        "<p>普通段落。</p>",
        "<p>内容控件里的段落。</p>",
        "<p>修订前，修订插入的文字</p>",
        "<p>链接&lt;b&gt;不是标签&lt;/b&gt; &amp; 符号 制表符</p>",
    ]
