"""Undeclared or wrongly declared mail charsets are detected with charset-normalizer; declared
ones are believed; control characters in a body are cleaned out, not refused. No database."""

import base64
from email.mime.multipart import MIMEMultipart

import pytest

from branchwork.intake import charsets, parsing
from branchwork.intake.tests import mail

BIG5_TEXT = "編輯同志：\n\n本支部堅持理論學習常態化，每月組織一次集體學習，效果顯著。\n\n陳可樂"
GB18030_TEXT = "编辑同志：\n\n本支部坚持理论学习常态化，每月组织一次集体学习。𫐄字也能读。\n\n王博"


def message(text: str, codec: str, label: str | None) -> bytes:
    msg = MIMEMultipart()
    msg["From"] = "bob@example.org"
    msg["Subject"] = "=?utf-8?B?" + base64.b64encode("投稿".encode()).decode() + "?="
    part = mail.text_part(text, codec, "base64")
    if label is None:
        del part["Content-Type"]
        part["Content-Type"] = "text/plain"
    else:
        part.set_param("charset", label)
    msg.attach(part)
    return msg.as_bytes()


@pytest.mark.parametrize("label", [None, "iso-8859-1", "x-unknown"])
@pytest.mark.parametrize("text, codec, detected", [
    (BIG5_TEXT, "big5", "big5hkscs"), (GB18030_TEXT, "gb18030", "gb18030")])
def test_a_message_without_a_usable_label_is_detected(label, text, codec, detected):
    parsed = parsing.parse(message(text, codec, label))
    assert parsed.text.startswith(text.split("\n")[0])
    assert "每月" in parsed.text
    assert any(f"decoded as {detected}" in note for note in parsed.notes), parsed.notes


def test_guess_uses_charset_normalizer(monkeypatch):
    import charset_normalizer

    calls = []
    real = charset_normalizer.from_bytes

    def spy(data, **kwargs):
        calls.append(kwargs.get("cp_isolation"))
        return real(data, **kwargs)

    monkeypatch.setattr(charset_normalizer, "from_bytes", spy)
    assert charsets.guess(BIG5_TEXT.encode("big5")).charset == "big5hkscs"
    assert calls == [["gb18030", "big5hkscs"]]


@pytest.mark.parametrize("text, codec", [(BIG5_TEXT, "big5"), (GB18030_TEXT, "gb18030")])
def test_a_declared_charset_is_believed(text, codec):
    decoded = charsets.decode_bytes(text.encode(codec), codec)
    assert decoded.text == text
    assert decoded.note == ""


def test_control_characters_in_a_body_are_cleaned_and_noted():
    parsed = parsing.parse(message("第一段\x00文字\x1b[0m。\n\n第二段。", "utf-8", "utf-8"))
    assert parsed.text == "第一段文字[0m。\n\n第二段。"
    assert any("2 control characters removed" in note for note in parsed.notes)


def test_control_characters_in_a_subject_are_cleaned():
    assert charsets.decode_header_value("=?utf-8?B?" + base64.b64encode(
        "标题\x00\x7f".encode()).decode() + "?=") == "标题"
