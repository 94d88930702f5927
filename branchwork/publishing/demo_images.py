"""Pictures for the demo portal, drawn with Pillow when the demo loads (no files in the repository).

Each is a simple flat illustration — a meeting room, books, a street, a globe, hills, a chart,
young trees, a lecture — in the portal's palette, with a title strip in Chinese when a CJK font is
installed (Noto CJK, Source Han, WenQuanYi…), else in English.
"""

from __future__ import annotations

import io
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 750
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/source-han-sans/SourceHanSansSC-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


def _cjk_font(size: int):
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            try:
                return ImageFont.truetype(candidate, size)
            except OSError:
                continue
    return None


def _gradient(top, bottom) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), top)
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT):
        t = y / (HEIGHT - 1)
        draw.line([(0, y), (WIDTH, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    return image


def _person(draw, x, y, scale, colour):
    r = 22 * scale
    draw.ellipse([x - r, y - r, x + r, y + r], fill=(247, 222, 196))
    draw.rounded_rectangle([x - 36 * scale, y + r + 4, x + 36 * scale, y + r + 90 * scale],
                           radius=int(18 * scale), fill=colour)


def _meeting(draw, rng):
    draw.rectangle([0, 520, WIDTH, HEIGHT], fill=(201, 168, 124))
    draw.rounded_rectangle([180, 430, 1020, 560], radius=30, fill=(128, 76, 44))
    draw.rectangle([520, 90, 680, 200], fill=(163, 22, 27))
    for star in range(5):
        angle = star * 2 * math.pi / 5 - math.pi / 2
        cx, cy = 600 + 40 * math.cos(angle), 145 + 40 * math.sin(angle)
        draw.ellipse([cx - 6, cy - 6, cx + 6, cy + 6], fill=(250, 204, 21))
    colours = [(31, 41, 55), (55, 65, 81), (30, 64, 175), (75, 85, 99)]
    for i, x in enumerate(range(240, 1000, 110)):
        _person(draw, x, 330 + rng.randint(-8, 8), 1.0, colours[i % len(colours)])


def _books(draw, rng):
    x = 170
    for i in range(9):
        w = rng.randint(70, 110)
        h = rng.randint(300, 430)
        colour = [(163, 22, 27), (30, 64, 175), (22, 101, 52), (146, 64, 14), (76, 29, 149)][i % 5]
        draw.rectangle([x, 620 - h, x + w, 620], fill=colour)
        draw.rectangle([x + 10, 640 - h, x + w - 10, 650 - h], fill=(250, 240, 220))
        x += w + 8
    draw.rectangle([120, 620, 1080, 650], fill=(92, 56, 32))
    draw.polygon([(900, 620), (1080, 470), (1110, 500), (950, 620)], fill=(250, 240, 220))


def _street(draw, rng):
    draw.rectangle([0, 560, WIDTH, HEIGHT], fill=(107, 114, 128))
    for lane in range(0, WIDTH, 120):
        draw.rectangle([lane, 650, lane + 60, 660], fill=(243, 244, 246))
    x = 40
    while x < WIDTH - 60:
        w, h = rng.randint(110, 190), rng.randint(220, 430)
        draw.rectangle([x, 560 - h, x + w, 560], fill=rng.choice([(229, 231, 235), (254, 243, 199), (219, 234, 254)]))
        for wy in range(560 - h + 24, 540, 46):
            for wx in range(x + 16, x + w - 24, 36):
                draw.rectangle([wx, wy, wx + 20, wy + 26], fill=(96, 165, 250) if rng.random() > .3 else (253, 224, 71))
        x += w + rng.randint(10, 30)
    for px in (300, 520, 760):
        _person(draw, px, 560, .8, (163, 22, 27))


def _globe(draw, rng):
    cx, cy, r = 600, 360, 250
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(37, 99, 235))
    for k in range(-2, 3):
        w = r * math.cos(k * math.pi / 6)
        draw.ellipse([cx - w, cy - r, cx + w, cy + r], outline=(191, 219, 254), width=3)
        y = cy + r * math.sin(k * math.pi / 6)
        half = math.sqrt(max(r * r - (y - cy) ** 2, 0))
        draw.line([(cx - half, y), (cx + half, y)], fill=(191, 219, 254), width=3)
    for _ in range(7):
        ax, ay = cx + rng.randint(-170, 150), cy + rng.randint(-170, 150)
        draw.ellipse([ax, ay, ax + rng.randint(50, 110), ay + rng.randint(30, 80)], fill=(34, 197, 94))


def _hills(draw, rng):
    draw.ellipse([850, 80, 990, 220], fill=(253, 186, 116))
    draw.polygon([(0, 560), (280, 260), (560, 560)], fill=(21, 128, 61))
    draw.polygon([(380, 560), (720, 200), (1060, 560)], fill=(22, 101, 52))
    draw.polygon([(820, 560), (1050, 330), (1200, 480), (1200, 560)], fill=(21, 128, 61))
    draw.rectangle([0, 560, WIDTH, HEIGHT], fill=(134, 239, 172))
    draw.rectangle([560, 380, 640, 560], fill=(229, 231, 235))
    draw.polygon([(540, 380), (600, 300), (660, 380)], fill=(163, 22, 27))


def _chart(draw, rng):
    draw.rectangle([150, 120, 1050, 620], fill=(255, 255, 255))
    draw.line([(200, 580), (1010, 580)], fill=(31, 41, 55), width=4)
    draw.line([(200, 580), (200, 150)], fill=(31, 41, 55), width=4)
    values = [rng.randint(120, 380) for _ in range(7)]
    for i, v in enumerate(values):
        x = 250 + i * 110
        draw.rectangle([x, 580 - v, x + 60, 580], fill=(163, 22, 27) if i % 2 else (30, 64, 175))
    points = [(280 + i * 110, 560 - v * .8) for i, v in enumerate(values)]
    draw.line(points, fill=(234, 179, 8), width=6)


def _trees(draw, rng):
    draw.rectangle([0, 540, WIDTH, HEIGHT], fill=(161, 98, 7))
    for x in range(140, 1100, 170):
        h = rng.randint(120, 220)
        draw.rectangle([x - 8, 540 - h, x + 8, 540], fill=(120, 53, 15))
        draw.ellipse([x - 70, 540 - h - 110, x + 70, 540 - h + 40], fill=(34, 197, 94))
    for px in (230, 570, 910):
        _person(draw, px + 60, 470, .8, (163, 22, 27))


def _lecture(draw, rng):
    draw.rectangle([0, 560, WIDTH, HEIGHT], fill=(209, 213, 219))
    draw.rectangle([200, 90, 1000, 380], fill=(255, 255, 255), outline=(31, 41, 55), width=6)
    for i in range(5):
        draw.rectangle([260, 140 + i * 44, 260 + rng.randint(300, 640), 160 + i * 44], fill=(156, 163, 175))
    draw.rectangle([520, 420, 680, 560], fill=(128, 76, 44))
    _person(draw, 600, 350, .9, (31, 41, 55))
    for x in range(150, 1100, 120):
        _person(draw, x, 650, .7, (75, 85, 99))


SCENES = {
    "meeting": ((254, 243, 199), (253, 230, 138), _meeting),
    "books": ((239, 246, 255), (219, 234, 254), _books),
    "street": ((224, 242, 254), (186, 230, 253), _street),
    "globe": ((15, 23, 42), (30, 58, 138), _globe),
    "hills": ((186, 230, 253), (224, 242, 254), _hills),
    "chart": ((243, 244, 246), (229, 231, 235), _chart),
    "trees": ((220, 252, 231), (187, 247, 208), _trees),
    "lecture": ((254, 249, 195), (254, 240, 138), _lecture),
}


def draw_picture(scene: str, title_zh: str, title_en: str, seed: int = 0) -> bytes:
    """A PNG of `scene` with a title strip; the same input always gives the same picture."""
    top, bottom, painter = SCENES[scene]
    image = _gradient(top, bottom)
    draw = ImageDraw.Draw(image)
    painter(draw, random.Random(seed))
    draw.rectangle([0, HEIGHT - 86, WIDTH, HEIGHT], fill=(127, 16, 20))
    font = _cjk_font(40)
    if font is not None:
        draw.text((40, HEIGHT - 68), title_zh, font=font, fill=(255, 255, 255))
    else:
        draw.text((40, HEIGHT - 60), title_en, font=ImageFont.load_default(size=36), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
