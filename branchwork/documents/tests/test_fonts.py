"""Fonts in their fallback order, and font packages found by naming them."""

from branchwork.documents import fonts


def test_fallback_order_is_chinese_then_other_scripts_then_typst_own():
    serif = fonts.serif()
    assert serif[0] == "Noto Serif CJK SC"
    assert serif.index("Noto Sans CJK SC") < serif.index("Noto Naskh Arabic")
    scripts = [next(f for f in serif if script in f) for script in ("Arabic", "Devanagari", "Thai", "Khmer")]
    assert [serif.index(f) for f in scripts] == sorted(serif.index(f) for f in scripts)
    assert serif[-1] == "Libertinus Serif" and fonts.sans()[-1] == "New Computer Modern"


def test_a_font_package_is_one_name_away(tmp_path, monkeypatch, settings):
    package = tmp_path / "fake_noto_fonts"
    (package / "fonts").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "fonts" / "NotoSansThai-Regular.ttf").write_bytes(b"\0")
    monkeypatch.syspath_prepend(str(tmp_path))
    settings.TYPST_FONT_DIRS = [str(tmp_path / "missing"), str(tmp_path)]
    monkeypatch.setattr(fonts, "FONT_PACKAGES", ("fake_noto_fonts", "no_such_package"))
    assert fonts.font_dirs() == [str(tmp_path), str(package / "fonts")]
