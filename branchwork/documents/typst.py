"""PDF through Typst: a compile root with the template, the shared page setup, the data and the
images; rich-text blocks as Typst markup; escaping.

A template reads its data as JSON (`json("data.json")`) and shows every text of it as a string,
never evaluated, except markup this module wrote (`blocks_to_typst`), in which every character a
user typed is literal: ASCII punctuation is backslash-escaped (Typst accepts an escape for each
of them), so no typed `#`, `$`, `*`, `_`, `[`, `]`, `<`, `@`, `//` … can start code, math,
emphasis, a label, a reference or a comment.

    with TypstRoot(TEMPLATE) as root:
        path = root.add_image(data, "photos/1")   # "" when the bytes are no usable image
        pdf = root.compile(lambda usable: {... path if path in usable else "" ...})

`compile` builds the data for the images it may use. Pillow reads only an image's header, and
an image broken further in stops Typst: the document is still owed, so when a compile fails,
each image is tried alone, and the document is built again without those Typst cannot read
(the template describes them by their captions).

Every compile runs through `compile_pdf`, in a child process: the binding memoizes what it
computed and never evicts it (the CLI evicts after each compile), so a long-lived process that
compiles many documents would grow without bound. The child is replaced after
settings.TYPST_COMPILES_PER_CHILD compiles (0: compile in this process), and a compile that takes
longer than settings.TYPST_COMPILE_TIMEOUT seconds is stopped (its child killed).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import string
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from django.conf import settings

from branchwork.core.richtext import (
    CONTROL,
    HEADING,
    IMAGE,
    LIST_ITEM,
    PARAGRAPH,
    QUOTE,
    TABLE,
    Block,
    Run,
)
from branchwork.documents import fonts, images, typst_child

COMMON = Path(__file__).resolve().parent / "typst" / "common.typ"

# --- Escaping ---

_SPECIAL = set(string.punctuation)


def typst_escape(text: str) -> str:
    """Text as Typst markup that shows exactly `text` (no markup, code, math or comment)."""
    out = []
    for ch in CONTROL.sub("", text):
        if ch in _SPECIAL:
            out.append("\\" + ch)
        elif ch in "\n\r\t":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def typst_string(text: str) -> str:
    """A Typst string literal holding `text`."""
    body = CONTROL.sub("", text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + body.replace("\n", "\\n").replace("\r", "").replace("\t", " ") + '"'


# --- Rich text ---


def inline_typst(runs: Sequence[Run]) -> str:
    parts = []
    for run in runs:
        if run.text == "\n":
            parts.append("#linebreak()")
            continue
        piece = typst_escape(run.text)
        if run.underline:
            piece = f"#underline[{piece}]"
        if run.italic:
            piece = f"#emph[{piece}]"
        if run.bold:
            piece = f"#strong[{piece}]"
        if run.href:
            piece = f"#link({typst_string(run.href)})[{piece}]"
        parts.append(piece)
    return "".join(parts)


def blocks_to_typst(
    blocks: Sequence[Block], *, heading_offset: int = 0,
    image_path: Callable[[Block], str | None] | None = None,
) -> str:
    """Blocks as Typst markup. `image_path(block)` names an image file inside the compile root
    (None: the image is described by its caption instead). Headings are not in the outline."""
    out: list[str] = []
    previous = None
    for block in blocks:
        if block.kind == PARAGRAPH:
            piece = inline_typst(block.runs)
        elif block.kind == HEADING:
            level = max(1, block.level + heading_offset)
            piece = f"#heading(level: {level}, outlined: false)[{inline_typst(block.runs)}]"
        elif block.kind == LIST_ITEM:
            indent = "  " * (block.level - 1)
            marker = f"{block.number}." if block.ordered else "-"
            piece = f"{indent}{marker} {inline_typst(block.runs)}"
        elif block.kind == QUOTE:
            piece = f"#quote(block: true)[{inline_typst(block.runs)}]"
        elif block.kind == IMAGE:
            path = image_path(block) if image_path else None
            caption = block.caption or block.alt
            if path:
                cap = f", caption: [{typst_escape(caption)}]" if caption else ""
                piece = (f"#figure(image({typst_string(path)}, width: 80%, height: 9cm, "
                         f"fit: \"contain\"){cap})")
            else:
                piece = f"#emph[\\[{typst_escape(caption or block.src)}\\]]"
        elif block.kind == TABLE:
            width = max((len(r) for r in block.rows), default=1)
            cells = []
            for i, row in enumerate(block.rows):
                for cell in row:
                    text = inline_typst(cell)
                    cells.append(f"[#strong[{text}]]" if i < block.header_rows else f"[{text}]")
            piece = f"#table(columns: {width}, {', '.join(cells)})"
        else:
            continue
        if out:
            tight = block.kind == LIST_ITEM and previous == LIST_ITEM
            out.append("\n" if tight else "\n\n")
        out.append(piece)
        previous = block.kind
    return "".join(out)


# --- Compiling ---

_pool: ProcessPoolExecutor | None = None
_pool_owner = 0  # the process that made _pool (a forked process makes its own)
_pool_lock = threading.Lock()


def _executor(per_child: int) -> ProcessPoolExecutor:
    global _pool, _pool_owner
    with _pool_lock:
        if _pool is None or _pool_owner != os.getpid():
            _pool = ProcessPoolExecutor(max_workers=1, max_tasks_per_child=per_child,
                                        mp_context=multiprocessing.get_context("spawn"))
            _pool_owner = os.getpid()
        return _pool


def _discard(pool: ProcessPoolExecutor, *, kill: bool) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    if kill:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def compile_pdf(source: str | bytes, **kwargs) -> bytes:
    """`typst.compile(source, format="pdf", **kwargs)` in the child process (see the module's
    notes); a Typst error is raised as the binding's `typst.TypstError`, with its message."""
    import typst

    kwargs.setdefault("format", "pdf")
    per_child = int(getattr(settings, "TYPST_COMPILES_PER_CHILD", 4))
    if per_child <= 0:
        return typst.compile(source, **kwargs)
    timeout = float(getattr(settings, "TYPST_COMPILE_TIMEOUT", 300)) or None
    pool = _executor(per_child)
    try:
        pdf, _pid = pool.submit(typst_child.run, source, kwargs).result(timeout=timeout)
    except typst_child.Failed as failed:
        error = typst.TypstError(failed.message)
        error.message, error.diagnostic = failed.message, failed.diagnostic
        error.hints, error.trace = failed.hints, failed.trace
        raise error from None
    except FutureTimeout:
        _discard(pool, kill=True)
        raise typst.TypstError(f"排版超过 {timeout:g} 秒，已停止。Typesetting took longer than "
                               f"{timeout:g} seconds and was stopped.") from None
    except BrokenProcessPool:
        _discard(pool, kill=False)
        raise
    return pdf


def language(english: bool) -> dict[str, str]:
    """Typst's text language and region for the document's language."""
    return {"lang": "en", "region": "us"} if english else {"lang": "zh", "region": "cn"}


class TypstRoot:
    """A temporary compile root holding one template, the shared page setup and images."""

    def __init__(self, template: Path, *, prefix: str = "typst-"):
        self.template = template
        self.prefix = prefix
        self.images: set[str] = set()
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.path = Path()

    def __enter__(self) -> TypstRoot:
        self._tmp = tempfile.TemporaryDirectory(prefix=self.prefix)
        self.path = Path(self._tmp.name)
        shutil.copyfile(self.template, self.path / self.template.name)
        shutil.copyfile(COMMON, self.path / COMMON.name)
        (self.path / "page.json").write_text(
            json.dumps({"serif": fonts.serif(), "sans": fonts.sans()}, ensure_ascii=False),
            encoding="utf-8")
        return self

    def __exit__(self, *exc) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    def add_image(self, data: bytes | None, name: str) -> str:
        """Prepare the image and write it as `name`.<ext> in the root; its path there, or ""
        when the bytes are no image a document can hold."""
        prepared = images.prepare(data)
        if prepared is None:
            return ""
        path = f"{name}.{prepared.ext}"
        target = self.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(prepared.data)
        self.images.add(path)
        return path

    def _compile(self, data: dict) -> bytes:
        (self.path / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return compile_pdf(str(self.path / self.template.name), root=str(self.path),
                           font_paths=fonts.font_dirs())

    def _reads(self, path: str) -> bool:
        probe = self.path / "probe.typ"
        probe.write_text(f"#image({typst_string(path)}, width: 1cm)", encoding="utf-8")
        try:
            compile_pdf(str(probe), root=str(self.path))
        except Exception:
            return False
        return True

    def compile(self, make_data: Callable[[frozenset[str]], dict]) -> bytes:
        """The PDF; `make_data(usable)` is the template's data using only the usable images."""
        usable = frozenset(self.images)
        try:
            return self._compile(make_data(usable))
        except Exception:
            readable = frozenset(p for p in usable if self._reads(p))
            if readable == usable:
                raise
            return self._compile(make_data(readable))
