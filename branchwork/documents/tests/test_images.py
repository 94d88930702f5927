"""One image preparation for every builder: formats probed, photos turned upright, large ones
scaled down, bombs and junk refused."""

import io

from PIL import Image

from branchwork.documents import images


def _image(fmt: str, size=(40, 20), mode="RGB", exif_orientation: int | None = None) -> bytes:
    img = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    out = io.BytesIO()
    kwargs = {}
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif
    img.save(out, fmt, **kwargs)
    return out.getvalue()


def _open(prepared: images.Prepared) -> Image.Image:
    return Image.open(io.BytesIO(prepared.data))


def test_small_png_jpeg_and_gif_pass_through_untouched():
    for fmt, ext in (("PNG", "png"), ("JPEG", "jpg"), ("GIF", "gif")):
        data = _image(fmt)
        assert images.prepare(data) == images.Prepared(data, ext)


def test_other_formats_become_jpeg_or_png_with_their_transparency():
    webp = images.prepare(_image("WEBP"))
    assert webp.ext == "jpg" and _open(webp).format == "JPEG"
    bmp = images.prepare(_image("BMP"))
    assert bmp.ext == "jpg"
    transparent = images.prepare(_image("WEBP", mode="RGBA"))
    assert transparent.ext == "png" and _open(transparent).mode == "RGBA"


def test_a_photo_is_turned_upright_by_its_exif_orientation():
    # Orientation 6: the camera was turned; the picture is stored 40 wide, shown 20 wide.
    prepared = images.prepare(_image("JPEG", size=(40, 20), exif_orientation=6))
    assert _open(prepared).size == (20, 40)
    assert images.prepare(_image("JPEG", size=(40, 20), exif_orientation=1)).data == \
        _image("JPEG", size=(40, 20), exif_orientation=1)


def test_large_pictures_are_scaled_down():
    prepared = images.prepare(_image("JPEG", size=(4000, 2500)))
    with _open(prepared) as img:
        assert max(img.size) == images.MAX_SIDE and img.format == "JPEG"
    png = images.prepare(_image("PNG", size=(3000, 100)))
    assert png.ext == "png" and max(_open(png).size) == images.MAX_SIDE


def test_junk_and_decompression_bombs_are_refused(monkeypatch):
    assert images.prepare(b"not an image") is None
    assert images.prepare(b"") is None and images.prepare(None) is None
    # A picture of more pixels than allowed is refused before it is decoded.
    monkeypatch.setattr(images, "MAX_PIXELS", 100 * 100)
    assert images.prepare(_image("PNG", size=(101, 100))) is None
    assert images.prepare(_image("PNG", size=(100, 100))) is not None
