"""Image files: what is decoded, what is refused (and how it is said), and what one upload costs in memory."""

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import EpsImagePlugin, Image

from bench import synth
from model import image_file as imf
from model import preprocess as pp
from model.paths import REPO


def _ink(digit=2, seed=0, size=280):
    strokes = synth.digit_strokes(digit, np.random.default_rng(seed), variant=0)
    return synth.render(strokes, (size, size), 180.0, (size / 2, size / 2), 14.0, ())


def _encode(arr, fmt="PNG", **kw):
    buf = io.BytesIO()
    (arr if isinstance(arr, Image.Image) else Image.fromarray(arr)).save(buf, fmt, **kw)
    return buf.getvalue()


def test_load_image_round_trips_common_modes(tmp_path):
    ink = _ink(6)
    rgb = synth.encode(ink, "dark-on-light")
    rgba = synth.encode(ink, "alpha")
    assert np.array_equal(imf.load_image(_encode(rgb)), rgb)
    assert np.array_equal(imf.load_image(_encode(rgba)), rgba)
    assert np.array_equal(imf.load_image(_encode(rgb[..., 0])), rgb[..., 0])
    jpeg = imf.load_image(_encode(rgb, "JPEG", quality=95))
    assert jpeg.shape == rgb.shape and np.abs(jpeg.astype(int) - rgb).mean() < 3
    palette = Image.fromarray(rgb).convert("P", palette=Image.ADAPTIVE, colors=16)
    path = tmp_path / "p.png"
    palette.save(path)
    assert imf.load_image(path).shape == rgb.shape and imf.load_image(str(path)).dtype == np.uint8
    la = Image.fromarray(rgba[..., 3]).convert("LA")
    la.putalpha(Image.fromarray(rgba[..., 3]))
    assert imf.load_image(_encode(la)).shape == rgba.shape
    sixteen = imf.load_image(_encode(rgb[..., 0].astype(np.uint16) * 257))  # a 16-bit grey PNG
    assert np.array_equal(sixteen, rgb[..., 0])
    for img in (imf.load_image(_encode(rgb)), imf.load_image(_encode(rgba))):
        assert not pp.preprocess(img).empty


@given(st.integers(1, 300), st.integers(1, 300), st.integers(0, 65535), st.integers(0, 65535))
@settings(max_examples=40, deadline=None)
def test_a_16_bit_png_is_scaled_to_8_bits_rounded(h, w, a, b):
    grey = np.linspace(a, b, h * w).reshape(h, w).astype(np.uint16)
    out = imf.load_image(_encode(grey))
    assert out.dtype == np.uint8 and out.shape == (h, w)
    assert np.array_equal(out, np.rint(grey / 257.0).astype(np.uint8))


def test_load_image_applies_exif_rotation():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees: the upright picture is 30 tall and 10 wide
    assert imf.load_image(_encode(np.zeros((10, 30), np.uint8), "JPEG", exif=exif)).shape == (30, 10)


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40])
def test_load_image_rejects_garbage(data):
    with pytest.raises(imf.ImageError, match="not a (readable image|PNG or JPEG)") as e:
        imf.load_image(data)
    assert e.value.kind == "unreadable"


def test_load_image_rejects_truncated_png():
    data = _encode(synth.encode(_ink(9), "dark-on-light"))
    with pytest.raises(imf.ImageError, match="damaged or cut short"):
        imf.load_image(data[: len(data) // 2])


def test_load_image_rejects_a_missing_file_and_a_folder(tmp_path):
    with pytest.raises(imf.ImageError, match="No such file") as e:
        imf.load_image(tmp_path / "nope.png")
    assert e.value.kind == "missing"
    with pytest.raises(imf.ImageError, match="cannot be read"):
        imf.load_image(tmp_path)


@pytest.mark.parametrize("fmt", ["BMP", "GIF", "TIFF", "WEBP", "PPM", "ICO"])
def test_formats_we_do_not_mean_are_refused_whatever_their_name(fmt, tmp_path):
    """Pillow decodes all of these; we decode PNG and JPEG only, chosen from the bytes, not the name."""
    data = _encode(synth.encode(_ink(3, size=64), "dark-on-light"), fmt)
    named_png = tmp_path / "digit.png"
    named_png.write_bytes(data)
    for src in (data, named_png):
        with pytest.raises(imf.ImageError, match="not a PNG or JPEG") as e:
            imf.load_image(src)
        assert e.value.kind == "unreadable"


EPS = (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 28 28\n%%EndComments\n"
       b"0 setgray 4 4 moveto 24 24 lineto stroke showpage\n%%EOF\n")


def test_an_eps_file_named_png_never_reaches_ghostscript(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", lambda *a, **k: calls.append(a) or Image.new("L", (1, 1)))
    monkeypatch.setattr(EpsImagePlugin, "gs_windows_binary", None)
    path = tmp_path / "digit.png"
    path.write_bytes(EPS)
    with pytest.raises(imf.ImageError, match="not a PNG or JPEG"):
        imf.load_image(path)
    assert calls == []  # the EPS decoder was never even asked


def test_too_many_pixels_are_refused_from_the_header_with_the_real_size(monkeypatch):
    one_bit = _encode(Image.new("1", (7000, 7000)))  # 49 Mpx in a few kB
    with pytest.raises(imf.ImageError, match="7000 × 7000 pixels") as e:
        imf.load_image(one_bit)
    assert e.value.details == {"w": 7000, "h": 7000, "limit": imf.MAX_PIXELS}
    # past Pillow's own bomb limit (2 × 89 Mpx) the size is still the real one, never "0 × 0"
    bomb = _encode(Image.new("1", (20_000, 20_000)))
    with pytest.raises(imf.ImageError, match="20000 × 20000 pixels") as e:
        imf.load_image(bomb)
    assert e.value.kind == "too_large" and e.value.details["w"] == 20_000
    monkeypatch.setattr(imf, "MAX_PIXELS", 1000)
    with pytest.raises(imf.ImageError, match="most we accept is 1,000"):
        imf.load_image(_encode(np.zeros((40, 40), np.uint8)))


def test_a_png_that_would_cost_too_much_memory_is_refused_with_its_size():
    grey16 = _encode(np.zeros((5000, 6300), np.uint16))  # 31.5 Mpx, but 2 + 1 bytes a pixel to convert
    limit = imf.MAX_BYTES // 3
    assert 5000 * 6300 * 3 > imf.MAX_BYTES and 5000 * 6300 < imf.MAX_PIXELS
    with pytest.raises(imf.ImageError, match=f"6300 × 5000 pixels; the most we accept is {limit:,}") as e:
        imf.load_image(grey16)
    assert e.value.details == {"w": 6300, "h": 5000, "limit": limit}


def test_a_large_jpeg_is_decoded_reduced_and_still_read():
    ink = _ink(7, size=280)
    big = np.asarray(Image.fromarray(synth.encode(ink, "dark-on-light")).resize((5600, 5600)))
    data = _encode(big, "JPEG", quality=90)
    assert 5600 * 5600 * 6 > imf.MAX_BYTES
    img = imf.load_image(data)
    assert img.shape == (2800, 2800, 3)  # DCT-scaled by 1/2: the smallest reduction that fits
    assert not pp.preprocess(img).empty


@given(st.binary(max_size=200), st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b""]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_bytes_give_an_array_or_an_image_error(tail, head):
    try:
        img = imf.load_image(head + tail)
    except imf.ImageError as e:
        assert str(e) and e.kind in ("unreadable", "too_large")
    else:
        assert img.dtype == np.uint8 and img.ndim in (2, 3)


@given(st.integers(0, 4), st.binary(min_size=1, max_size=8), st.integers(0, 10_000))
@settings(max_examples=60, deadline=None)
def test_a_damaged_real_image_gives_an_array_or_an_image_error(which, junk, at):
    mode = ["dark-on-light", "alpha", "light-on-dark", "alpha", "dark-on-light"][which]
    arr = synth.encode(_ink(which, size=48), mode)
    data = bytearray(_encode(arr, "JPEG" if which == 2 else "PNG"))
    at %= len(data)
    data[at:at + len(junk)] = junk
    try:
        img = imf.load_image(bytes(data))
    except imf.ImageError:
        return
    assert img.dtype == np.uint8 and img.shape[:2] == arr.shape[:2]


# ---------------------------------------------------------------- memory, measured in a fresh process

MEASURE = """
import sys
from model.image_file import ImageError, load_image
from model.preprocess import preprocess
def hwm():  # peak resident set of this process, kB (Linux); ru_maxrss would include the parent's
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
data = open(sys.argv[1], "rb").read()
base = hwm()
try:
    preprocess(load_image(data))
    what = "read"
except ImageError as e:
    what = e.kind
print(what, (hwm() - base) / 1024)
"""


def peak_mb(path: Path) -> tuple[str, float]:
    r = subprocess.run([sys.executable, "-c", MEASURE, str(path)], cwd=REPO, capture_output=True, text=True,
                       timeout=120, check=True)
    what, mb = r.stdout.split()
    return what, float(mb)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc (Linux)")
def test_one_upload_costs_at_most_about_100_mb(tmp_path):
    """The issue's 92 KB 16-bit PNG of 6300 × 6300 took 1 GB; a 35 Mpx JPEG and a 4K screenshot were 470
    and 128 MB. Each is now refused from its header or decoded within the budget."""
    files = {"png16": (np.zeros((6300, 6300), np.uint16), "PNG"),
             "jpeg": (np.full((5000, 7000, 3), 255, np.uint8), "JPEG"),
             "png4k": (np.full((2160, 3840, 4), 255, np.uint8), "PNG")}
    expected = {"png16": "too_large", "jpeg": "read", "png4k": "read"}
    for name, (arr, fmt) in files.items():
        h, w = arr.shape[:2]
        arr[h // 3: h // 2, w // 2: w // 2 + 200] = 0 if fmt == "JPEG" else 9  # a stroke to read
        (tmp_path / name).write_bytes(_encode(arr, fmt))
    del files, arr
    for name, want in expected.items():
        what, mb = peak_mb(tmp_path / name)
        print(f"{name}: {what}, peak {mb:.0f} MB above the imports")
        assert what == want and mb <= 100, (name, what, mb)
