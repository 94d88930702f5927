"""compile_pdf typesets in a child process that is replaced after TYPST_COMPILES_PER_CHILD
compiles, so the binding's never-evicted caches cannot grow a long-lived process without bound;
Typst's errors still reach the caller as typst.TypstError."""

import os
import time

import pytest
import typst

from branchwork.documents import typst as typst_module
from branchwork.documents import typst_child


@pytest.fixture
def pids(monkeypatch):
    """The id of the process behind each compile_pdf call."""
    seen: list[int] = []
    original = typst_module.ProcessPoolExecutor.submit

    def submit(self, fn, *args, **kwargs):
        future = original(self, fn, *args, **kwargs)
        future.add_done_callback(lambda f: f.exception() or seen.append(f.result()[1]))
        return future

    monkeypatch.setattr(typst_module.ProcessPoolExecutor, "submit", submit)
    return seen


def test_compiles_happen_in_a_child_that_is_recycled(settings, pids):
    settings.TYPST_COMPILES_PER_CHILD = 2
    if typst_module._pool is not None:  # start counting from a fresh child
        typst_module._discard(typst_module._pool, kill=False)
    for i in range(5):
        pdf = typst_module.compile_pdf(f"= Page {i}".encode())
        assert pdf.startswith(b"%PDF")
    assert len(pids) == 5
    assert os.getpid() not in pids
    # Two compiles a child: a new process for the 1st, 3rd and 5th.
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]
    assert len(set(pids)) == 3


def test_typst_errors_come_back_as_typst_errors(settings):
    settings.TYPST_COMPILES_PER_CHILD = 5
    with pytest.raises(typst.TypstError, match="expected expression") as raised:
        typst_module.compile_pdf(b"#let x = ")
    assert "error: expected expression" in raised.value.diagnostic
    # The pool is still usable after a Typst error.
    assert typst_module.compile_pdf(b"fine").startswith(b"%PDF")


def hang(source, kwargs):
    time.sleep(60)


def test_a_compile_that_takes_too_long_is_stopped(settings, monkeypatch):
    settings.TYPST_COMPILES_PER_CHILD = 5
    settings.TYPST_COMPILE_TIMEOUT = 1
    monkeypatch.setattr(typst_child, "run", hang)  # the child imports this module to run it
    with pytest.raises(typst.TypstError, match="1 seconds"):
        typst_module.compile_pdf(b"= Hi")
    monkeypatch.undo()
    assert typst_module._pool is None  # its child was killed; the next compile starts another
    settings.TYPST_COMPILE_TIMEOUT = 60
    assert typst_module.compile_pdf(b"fine").startswith(b"%PDF")


def test_zero_compiles_in_this_process(settings, monkeypatch):
    settings.TYPST_COMPILES_PER_CHILD = 0
    calls = []
    monkeypatch.setattr(typst, "compile", lambda source, **kw: calls.append(kw) or b"%PDF-x")
    assert typst_module.compile_pdf(b"x") == b"%PDF-x"
    assert calls == [{"format": "pdf"}]
