"""The colours of site.css meet WCAG 2.1 AA contrast (4.5:1 for text) in the pairs the pages use."""

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "static" / "branchwork" / "site.css").read_text()
VARS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS))


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def ratio(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize(
    "foreground, background",
    [
        ("ink", "paper"), ("muted", "paper"), ("red", "paper"), ("red-dark", "paper"),
        ("paper", "red"), ("paper", "red-dark"), ("ink", "tint"), ("muted", "tint"), ("red", "tint"),
        ("ok", "paper"),
    ],
)
def test_text_colours_meet_aa(foreground, background):
    assert ratio(VARS[foreground], VARS[background]) >= 4.5


def test_the_focus_ring_is_visible_against_the_page():
    assert ratio(VARS["focus"], VARS["paper"]) >= 3
