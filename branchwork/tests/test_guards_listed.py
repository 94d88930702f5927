"""Every guard that `make guards` removes is still where its entry says, once, with its tests
(bench/guard_list.py, read by bench/guards.py): code moved or rewritten must take its entry along."""

import importlib.util
import sys
from pathlib import Path

import pytest

GUARDS = Path(__file__).resolve().parents[2] / "bench" / "guards.py"


@pytest.mark.skipif(not GUARDS.is_file(), reason="bench/ is not in this copy")
def test_every_guard_is_in_place_with_its_tests():
    spec = importlib.util.spec_from_file_location("bench_guards", GUARDS)
    guards = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = guards  # its dataclasses look their module up there
    try:
        spec.loader.exec_module(guards)
    finally:
        del sys.modules[spec.name]
    assert len(guards.GUARDS) > 40
    assert guards.stale() == []
