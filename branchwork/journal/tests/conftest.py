import re
import subprocess
from pathlib import Path

import pytest

from branchwork.journal.testing import make_journal


@pytest.fixture
def journal(personas):
    """《研究室党建通讯》 of branch A."""
    return make_journal(personas.branch_a, slug="yjs-tongxun")


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_text(path: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-f", str(page), "-l", str(page),
                           str(path), "-"], capture_output=True, text=True, check=True).stdout


def squash(text: str) -> str:
    return "".join(text.split())


# --- A real SMTP server on loopback ---


class Inbox:
    """aiosmtpd handler keeping what arrived: (envelope recipients, parsed message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        raw = envelope.original_content or envelope.content
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(raw, policy=policy.default)))
        return "250 OK"

    def recipients(self) -> list[str]:
        return sorted(r for rcpt, _m in self.messages for r in rcpt)


@pytest.fixture
def smtp():
    import socket

    from aiosmtpd.controller import Controller
    from django.test import override_settings

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                               EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_TIMEOUT=5,
                               EMAIL_USE_TLS=False, EMAIL_USE_SSL=False):
            yield inbox
    finally:
        controller.stop()
