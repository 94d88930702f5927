"""What the Typst child process runs (`branchwork.documents.typst.compile_pdf`): only `typst`
imported, so a fresh child starts quickly. A Typst error comes back as its fields (the binding's
exception loses them when pickled) and is raised again in the parent as `typst.TypstError`."""

from __future__ import annotations

import os


class Failed(Exception):
    """A `typst.TypstError` in the child, as plain fields."""

    def __init__(self, message: str, diagnostic: str, hints: list[str], trace: list[str]):
        super().__init__(message, diagnostic, hints, trace)
        self.message, self.diagnostic, self.hints, self.trace = message, diagnostic, hints, trace


def run(source: str | bytes, kwargs: dict) -> tuple[bytes, int]:
    """The PDF and the id of the process that compiled it."""
    import typst

    try:
        return typst.compile(source, **kwargs), os.getpid()
    except typst.TypstError as exc:
        raise Failed(str(getattr(exc, "message", "") or exc), str(getattr(exc, "diagnostic", "")),
                     list(getattr(exc, "hints", []) or []),
                     list(getattr(exc, "trace", []) or [])) from None
