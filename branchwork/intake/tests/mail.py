"""Building test messages the way Chinese mail clients write them, byte for byte.

Headers and bodies are encoded by hand (not by the email package's defaults), so that a test
says exactly which encoding it sends: GBK in RFC 2047 base64, a GBK quoted-printable body, Big5,
raw 8-bit headers…
"""

from __future__ import annotations

import base64
import contextlib
import io
import quopri
import socket
from email import message_from_bytes, policy
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart

from django.test import override_settings

CONTRIBUTION_EMAIL = "tougao@branchwork.example"
TITLE = "支部工作经验交流：以高质量党建引领研究工作"
BODY = "编辑同志：\n\n附件是我的投稿，请审阅。\n\n王博"
DOCX_PARAGRAPHS = [
    "近年来，研究室党支部坚持把理论学习作为首要任务。",
    "一是坚持“三会一课”制度，做到学习有计划、有记录、有检查。",
    "二是把党建工作与研究工作同谋划、同部署、同落实。",
]
LONG_BODY = (
    "近年来，我们支部围绕中心工作，坚持抓党建促业务，在理论武装、组织建设、作风建设等方面做了一些探索。"
    "现将主要做法报告如下，供各支部参考交流。\n\n"
    "一、坚持理论学习常态化。支部每月组织一次集体学习，每季度安排一次专题研讨，学习内容与研究课题紧密结合。\n\n"
    "二、坚持组织生活规范化。严格落实“三会一课”制度，认真开展主题党日活动，组织生活有计划、有记录、有总结。"
)


def encoded_word(text: str, charset: str, encoding: str = "B") -> str:
    data = text.encode(charset)
    if encoding == "B":
        return f"=?{charset.upper()}?B?{base64.b64encode(data).decode()}?="
    q = "".join(
        chr(b) if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122) else f"={b:02X}" for b in data
    )
    return f"=?{charset.upper()}?Q?{q}?="


def text_part(
    text: str, charset: str, transfer: str = "quoted-printable", subtype: str = "plain"
) -> MIMEBase:
    part = MIMEBase("text", subtype)
    part.set_param("charset", charset)
    data = text.encode(charset)
    if transfer == "quoted-printable":
        part.set_payload(quopri.encodestring(data).decode("ascii"))
    elif transfer == "base64":
        part.set_payload(base64.encodebytes(data).decode("ascii"))
    else:
        part.set_payload(data.decode("ascii", "surrogateescape"))
    part["Content-Transfer-Encoding"] = transfer
    return part


def jpeg_bytes(size=(64, 48), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def png_bytes(size=(20, 10), color=(0, 90, 200)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def docx_bytes(
    paragraphs=DOCX_PARAGRAPHS,
    *,
    heading: str = "一、基本做法",
    title: str = "",
    picture: bytes | None = None,
) -> bytes:
    import docx

    document = docx.Document()
    if title:
        document.add_heading(title, level=0)
    document.add_heading(heading, level=1)
    first, *rest = paragraphs
    p = document.add_paragraph()
    p.add_run(first[:4]).bold = True
    p.add_run(first[4:])
    for text in rest:
        document.add_paragraph(text)
    document.add_paragraph("加强理论学习", style="List Number")
    document.add_paragraph("规范组织生活", style="List Number")
    if picture is not None:
        document.add_picture(io.BytesIO(picture))
        document.add_paragraph("图为支部集体学习现场", style="Caption")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def attachment(
    data: bytes, filename: str, maintype: str, subtype: str, *, charset: str = "gbk"
) -> MIMEBase:
    """An attachment whose file name is RFC 2047-encoded in `charset` (as Outlook and Foxmail do)."""
    part = MIMEImage(data, subtype) if maintype == "image" else MIMEApplication(data, subtype)
    name = encoded_word(filename, charset)
    part.set_param("name", name)
    part["Content-Disposition"] = f'attachment; filename="{name}"'
    return part


def contribution(
    *,
    sender: str = "王博",
    address: str = "Bob@Example.ORG",
    subject: str = TITLE,
    body: str = BODY,
    charset: str = "gbk",
    transfer: str = "quoted-printable",
    docx: bytes | None = b"",
    jpeg: bytes | None = b"",
    extra_headers: dict | None = None,
    image_name: str = "集体学习照片.jpg",
    docx_name: str = "支部经验材料.docx",
) -> bytes:
    """A contribution as a Chinese mail client sends it: the subject in RFC 2047 base64, the body
    in `charset` and `transfer` encoding, a .docx and a JPEG attached (b"" = a default one,
    None = none)."""
    msg = MIMEMultipart("mixed")
    msg["From"] = f"{encoded_word(sender, charset)} <{address}>"
    msg["To"] = CONTRIBUTION_EMAIL
    msg["Subject"] = encoded_word(subject, charset)
    msg["Message-ID"] = f"<{abs(hash((sender, address, subject, body)))}@mail.example.org>"
    msg["Date"] = "Mon, 11 May 2026 09:30:00 +0800"
    for key, value in (extra_headers or {}).items():
        msg[key] = value
    msg.attach(text_part(body, charset, transfer))
    if docx is not None:
        msg.attach(
            attachment(
                docx or docx_bytes(),
                docx_name,
                "application",
                "vnd.openxmlformats-officedocument.wordprocessingml.document",
                charset=charset,
            )
        )
    if jpeg is not None:
        msg.attach(attachment(jpeg or jpeg_bytes(), image_name, "image", "jpeg", charset=charset))
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))  # as on the wire


# --- A real SMTP server to read receipts from ---


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping what arrived."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default
        )
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for rcpt, m in self.messages if address in rcpt]


@contextlib.contextmanager
def receipt_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=controller.port,
            EMAIL_TIMEOUT=5,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
        ):
            yield inbox
    finally:
        controller.stop()


def body_text(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


# --- What a draft made from `contribution()` holds ---


def body_blocks(article) -> list[tuple[str, object]]:
    return [(block["type"], block["value"]) for block in article.body.raw_data]


def assert_docx_then_image(article, image) -> None:
    """The draft's body: the .docx's text, then the photo (no caption), nothing of the note."""
    blocks = body_blocks(article)
    text = "".join(str(value) for kind, value in blocks if kind == "paragraph")
    for paragraph in DOCX_PARAGRAPHS[1:]:
        assert paragraph in text
    assert "附件是我的投稿" not in text
    assert blocks[-1] == ("image", {"image": image.pk, "caption": "", "alt": "集体学习照片"})
    assert all(kind == "paragraph" for kind, _value in blocks[:-1])
