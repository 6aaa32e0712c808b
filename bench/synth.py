"""Seeded generators of realistic digit pictures for tests and benchmarks (never for training).

Digits are drawn as a person would: each of 0-9 has a few stroke templates (control points in a
unit box, x right, y down), jittered, smoothed, slanted, rotated and rendered with round brushes.
They come out as canvas drawings (three encodings), drawings with stray marks, photos of paper,
typed digits in the installed fonts and multi-digit numbers. Only numpy and Pillow (the stroke
renderer is train/strokes.py, shared with the world-styles training set); nothing here knows about
MNIST or the models.

    python bench/synth.py /tmp/sheet.png   # contact sheet of each set, and of their 28x28 inputs
"""

from __future__ import annotations

import glob
import io
import math
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, it still finds train/

from train.strokes import ENCODINGS, encode, render, shape  # noqa: E402
from train.strokes import arc as _arc  # noqa: E402
from train.strokes import place as _place  # noqa: E402

# Each digit: variants; each variant: strokes; each stroke: control points in the unit box.
TEMPLATES: dict[int, list[list[list[tuple[float, float]]]]] = {
    0: [[_arc(0.5, 0.5, 0.28, 0.48, -90, 275, 12)], [_arc(0.5, 0.5, 0.3, 0.47, -60, 290, 12)]],
    1: [[[(0.5, 0.0), (0.5, 1.0)]],
        [[(0.3, 0.22), (0.52, 0.0), (0.5, 1.0)]],
        [[(0.32, 0.2), (0.52, 0.0), (0.5, 1.0)], [(0.3, 1.0), (0.7, 1.0)]]],
    2: [[_arc(0.5, 0.28, 0.28, 0.27, 200, 330, 5) + [(0.2, 1.0), (0.82, 1.0)]],
        [_arc(0.48, 0.3, 0.28, 0.3, 190, 350, 5) + [(0.35, 0.8), (0.2, 0.98), (0.45, 0.93), (0.8, 1.0)]]],
    3: [[_arc(0.48, 0.27, 0.27, 0.26, 200, 450, 7) + _arc(0.48, 0.74, 0.3, 0.26, -90, 155, 7)[1:]],
        [[(0.2, 0.0), (0.78, 0.0), (0.45, 0.42)] + _arc(0.5, 0.71, 0.3, 0.29, -80, 160, 7)]],
    4: [[[(0.65, 0.0), (0.15, 0.68), (0.88, 0.68)], [(0.65, 0.0), (0.65, 1.0)]],
        [[(0.25, 0.0), (0.2, 0.6), (0.85, 0.6)], [(0.66, 0.18), (0.66, 1.0)]]],
    5: [[[(0.78, 0.0), (0.3, 0.0), (0.25, 0.45)] + _arc(0.5, 0.7, 0.3, 0.29, -125, 150, 7)],
        [[(0.3, 0.02), (0.25, 0.45)] + _arc(0.5, 0.7, 0.3, 0.29, -125, 150, 7), [(0.3, 0.02), (0.8, 0.0)]]],
    6: [[[(0.72, 0.02), (0.45, 0.15), (0.27, 0.5)] + _arc(0.5, 0.72, 0.25, 0.27, 180, -170, 9)],
        [[(0.65, 0.0), (0.3, 0.4)] + _arc(0.5, 0.7, 0.24, 0.29, 200, -150, 9)]],
    7: [[[(0.2, 0.0), (0.8, 0.0), (0.4, 1.0)]],
        [[(0.2, 0.0), (0.8, 0.0), (0.4, 1.0)], [(0.33, 0.52), (0.76, 0.52)]],
        [[(0.18, 0.08), (0.8, 0.0), (0.55, 0.5), (0.45, 1.0)]]],
    8: [[_arc(0.5, 0.25, 0.22, 0.24, 90, 450, 9), _arc(0.5, 0.73, 0.28, 0.27, -90, 270, 10)],
        [[(0.5 - 0.27 * math.sin(2 * t), 0.5 + 0.48 * math.cos(t)) for t in np.linspace(0, 2 * math.pi, 17)]]],
    9: [[_arc(0.5, 0.3, 0.26, 0.28, 0, 365, 10) + [(0.75, 0.6), (0.72, 1.0)]],
        [_arc(0.5, 0.3, 0.26, 0.28, -10, 360, 10) + [(0.72, 0.7), (0.5, 1.0), (0.3, 0.95)]]],
}


def digit_strokes(digit: int, rng: np.random.Generator, variant: int | None = None,
                  jitter: float = 0.025, slant: float = 0.0, angle: float = 0.0) -> list[np.ndarray]:
    """Polylines of a handwritten digit, centred on (0, 0), height about 1 (slant in shear units)."""
    variants = TEMPLATES[digit]
    strokes = variants[rng.integers(len(variants)) if variant is None else variant % len(variants)]
    return shape(strokes, rng, jitter, slant, angle)


def canvas_drawing(digit: int, rng: np.random.Generator, size: int = 280) -> tuple[np.ndarray, tuple]:
    """One digit as drawn on the app's canvas: (H, W) ink and its bounding box (x0, y0, x1, y1)."""
    height = rng.uniform(0.3, 0.9) * size
    brush = min(rng.uniform(3, 40), 0.25 * height)  # a thick brush on a tiny digit stays legible
    strokes = digit_strokes(digit, rng, slant=rng.uniform(-0.3, 0.3), angle=rng.uniform(-12, 12))
    centre, (lo, hi) = _place(rng, strokes, (size, size), height * 0.92, brush / 2 + 1)
    dots = []
    if rng.random() < 0.2:  # a stray touch of the brush somewhere away from the digit
        for _ in range(20):
            p = rng.uniform(brush, size - brush, 2)
            if np.all((p < lo - 0.15 * size) | (p > hi + 0.15 * size)) or _far(p, lo, hi, 0.2 * size):
                dots.append(tuple(p))
                break
    return render(strokes, (size, size), height * 0.92, centre, brush, dots), (*lo, *hi)


def _far(p, lo, hi, dist):
    gap = np.maximum(np.maximum(lo - p, p - hi), 0)
    return float(gap.max()) > dist


def canvas_drawings(n: int, seed: int = 0) -> tuple[list[np.ndarray], np.ndarray]:
    """n canvas drawings (280x280, the three encodings in turn) and their labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    images = [encode(canvas_drawing(int(d), rng)[0], ENCODINGS[i % 3], rng) for i, d in enumerate(labels)]
    return images, labels


SLANT = math.tan(math.radians(25))  # the stray-marks set slants up to ±25°


def stray_mark_drawing(digit: int, rng: np.random.Generator, size: int = 280) -> tuple[np.ndarray, tuple]:
    """A digit on the canvas with 1-3 marks clearly apart from it: a dot, two dots close together
    (a pen put down twice) or a short tick, at least max(0.3 x digit height, 2 brush widths) away
    from the digit's box. Half of them with a thin brush (3-12 px), half with a heavy one (25-40 px).
    Returns (H, W) ink and the digit's box (x0, y0, x1, y1)."""
    while True:
        height = rng.uniform(0.3, 0.7) * size
        brush = rng.uniform(3, 12) if rng.random() < 0.5 else rng.uniform(25, 40)
        brush = min(brush, 0.25 * height)  # as on the canvas set: a heavy brush needs a big digit
        strokes = digit_strokes(digit, rng, slant=rng.uniform(-SLANT, SLANT), angle=rng.uniform(-8, 8))
        centre, (lo, hi) = _place(rng, strokes, (size, size), height * 0.92, brush / 2 + 1)
        away = max(0.3 * height, 2 * brush) + brush / 2  # from the digit's box to a mark's centre
        marks, dots = [], []
        for _ in range(int(rng.integers(1, 4))):
            kind = rng.choice(["dot", "pair", "tick"])
            for _ in range(30):
                p = rng.uniform(brush, size - brush, 2)
                if kind == "dot":
                    pts = [p]
                elif kind == "pair":  # centres 0.8-2.5 brushes apart: touching or just apart
                    a = rng.uniform(0, 2 * math.pi)
                    pts = [p, p + rng.uniform(0.8, 2.5) * max(brush, 4) * np.array([math.cos(a), math.sin(a)])]
                else:
                    a = rng.uniform(0, 2 * math.pi)
                    pts = [p, p + rng.uniform(0.05, 0.2) * height * np.array([math.cos(a), math.sin(a)])]
                pts = np.array(pts)
                inside = np.all((pts >= brush / 2) & (pts <= size - brush / 2))
                if inside and all(_far(q, lo, hi, away) for q in pts):
                    if kind == "tick":
                        marks.append((pts - centre) / (height * 0.92))
                    else:
                        dots += [tuple(q) for q in pts]
                    break
        if marks or dots:
            ink = render(strokes + marks, (size, size), height * 0.92, centre, brush, dots)
            return ink, (*lo, *hi)


def stray_mark_drawings(n: int, seed: int = 0) -> tuple[list[np.ndarray], np.ndarray]:
    """n canvas drawings (280x280, the three encodings in turn) with stray marks, and their labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    images = [encode(stray_mark_drawing(int(d), rng)[0], ENCODINGS[i % 3], rng) for i, d in enumerate(labels)]
    return images, labels


def _smooth_noise(rng, shape, cells):
    """Low-frequency noise in [-1, 1]: a random grid bicubically upsampled."""
    g = rng.uniform(-1, 1, (cells, cells)).astype(np.float32)
    return np.asarray(Image.fromarray(g).resize(shape[::-1], Image.BICUBIC))


def paper_photos(n: int, seed: int = 0) -> tuple[list[np.ndarray], np.ndarray]:
    """n phone photos of a digit in pen on paper: uneven light, vignette, texture, blur, JPEG."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    images = []
    for d in labels:
        long = int(rng.integers(400, 1201))
        w, h = (long, int(long * 0.75)) if rng.random() < 0.5 else (int(long * 0.75), long)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        ang = rng.uniform(0, 2 * math.pi)
        ramp = ((xx / w - 0.5) * math.cos(ang) + (yy / h - 0.5) * math.sin(ang))  # -0.7..0.7
        light = 1 - rng.uniform(0.1, 0.5) * (ramp + 0.7) / 1.4
        light *= 1 - rng.uniform(0.1, 0.35) * (((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2) * 2)
        if rng.random() < 0.3:  # the shadow of a phone or hand across one side
            edge = rng.uniform(0.1, 0.4)
            light *= 1 - 0.35 / (1 + np.exp(-((ramp - edge) * 25)))
        paper = np.array([rng.uniform(215, 250), rng.uniform(210, 245), rng.uniform(195, 235)], np.float32)
        height = rng.uniform(0.3, 0.8) * h
        strokes = digit_strokes(int(d), rng, slant=rng.uniform(-0.3, 0.3), angle=rng.uniform(-10, 10))
        pen = rng.uniform(0.03, 0.08) * height
        centre, _ = _place(rng, strokes, (w, h), height * 0.92, pen)
        ink = render(strokes, (w, h), height * 0.92, centre, pen, ss=1)
        ink *= rng.uniform(0.7, 0.95) * (1 + 0.1 * _smooth_noise(rng, (h, w), 30))  # pens skip a bit
        colour = np.array([rng.uniform(20, 70), rng.uniform(30, 70), rng.uniform(60, 120)], np.float32)
        img = paper * (1 - ink[..., None]) + colour * ink[..., None]
        img = img * light[..., None] * (1 + 0.03 * _smooth_noise(rng, (h, w), 60)[..., None])
        img += rng.normal(0, rng.uniform(2, 6), img.shape)
        pic = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
        pic = pic.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.5)))  # focus and camera shake
        buf = io.BytesIO()
        pic.save(buf, "JPEG", quality=int(rng.integers(60, 92)))
        images.append(np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB")))
    return images, labels


def fonts_with_digits() -> list[str]:
    """Installed font files that draw ten distinct digit glyphs (symbol and math fonts do not)."""
    found = []
    for path in sorted(set(glob.glob("/usr/share/fonts/**/*.[ot]t[fc]", recursive=True))):
        try:
            font = ImageFont.truetype(path, 32)
            glyphs = set()
            for ch in "0123456789":
                im = Image.new("L", (48, 48))
                ImageDraw.Draw(im).text((4, 4), ch, font=font, fill=255)
                glyphs.add(im.tobytes())
            if len(glyphs) == 10 and min(font.getbbox(c)[3] - font.getbbox(c)[1] for c in "018") > 8:
                found.append(path)
        except OSError:
            continue
    return found


def typed_digits(n: int, seed: int = 0) -> tuple[list[np.ndarray], np.ndarray, list[str]]:
    """n digits typed in installed fonts: images, labels and the font file of each image.
    With no font installed that draws digits, the set is empty (no images, no labels)."""
    rng = np.random.default_rng(seed)
    fonts = fonts_with_digits()
    if not fonts:
        return [], np.zeros(0, np.int64), []
    labels = rng.integers(0, 10, n)
    images, used = [], []
    for d in labels:
        path = fonts[rng.integers(len(fonts))]
        size = int(rng.integers(40, 240))
        font = ImageFont.truetype(path, size)
        x0, y0, x1, y1 = font.getbbox(str(d))
        im = Image.new("L", (280, 280), 0)
        x = rng.uniform(-x0, max(-x0, 280 - x1))
        y = rng.uniform(-y0, max(-y0, 280 - y1))
        ImageDraw.Draw(im).text((x, y), str(d), font=font, fill=255)
        ink = np.asarray(im, np.float32) / 255
        images.append(encode(ink, ENCODINGS[rng.integers(2)], rng))
        used.append(path)
    return images, labels, used


def draw_number(text: str, rng: np.random.Generator, size: tuple[int, int] = (600, 200)) -> np.ndarray:
    """A number written left to right across a wide canvas: (H, W) ink."""
    w, h = size
    height = rng.uniform(0.45, 0.75) * h
    brush = min(rng.uniform(4, 20), 0.2 * height)
    pitch = min(w / (len(text) + 0.5), height * rng.uniform(0.75, 1.0))  # digit to digit distance
    x = (w - pitch * (len(text) - 1)) / 2 + rng.uniform(-0.2, 0.2) * pitch
    strokes = []
    for ch in text:
        for s in digit_strokes(int(ch), rng, slant=rng.uniform(-0.2, 0.2), angle=rng.uniform(-6, 6)):
            s = s * 0.9
            strokes.append(s + (x / height, rng.uniform(-0.05, 0.05)))
        x += pitch
    return render(strokes, size, height, (0, h / 2), brush)


def number_drawings(n: int, seed: int = 0) -> tuple[list[np.ndarray], list[str]]:
    """n drawings of 2-4 digit numbers on a 600x200 canvas, labels as strings."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for i in range(n):
        text = "".join(str(d) for d in rng.integers(0, 10, rng.integers(2, 5)))
        images.append(encode(draw_number(text, rng), ENCODINGS[i % 3], rng))
        labels.append(text)
    return images, labels


def _sheet(images: list[np.ndarray], cell: int, cols: int) -> Image.Image:
    """Tile pictures (flattened onto grey so transparency shows) into one RGB image."""
    rows = -(-len(images) // cols)
    sheet = Image.new("RGB", (cols * cell, rows * cell), (128, 128, 128))
    for i, a in enumerate(images):
        im = Image.fromarray(a if a.dtype == np.uint8 else np.rint(a * 255).astype(np.uint8))
        if im.mode == "RGBA":
            bg = Image.new("RGBA", im.size, (160, 200, 160, 255))
            im = Image.alpha_composite(bg, im)
        im = im.convert("RGB")
        k = (cell - 4) / max(im.size)  # big pictures shrink smoothly, 28x28 ones grow as blocks
        im = im.resize((max(1, round(im.width * k)), max(1, round(im.height * k))),
                       Image.LANCZOS if k < 1 else Image.NEAREST)
        sheet.paste(im, ((i % cols) * cell + 2, (i // cols) * cell + 2))
    return sheet


def main(path: str) -> None:
    from model.preprocess import preprocess, split_digits

    canvas, _ = canvas_drawings(12, 1)
    photos, _ = paper_photos(6, 2)
    typed, _, _ = typed_digits(6, 3)  # none when no fonts are installed
    strays, _ = stray_mark_drawings(6, 5)
    numbers, labels = number_drawings(4, 4)
    pics = canvas + strays + photos + typed
    _sheet(pics + numbers, 160, 6).save(path)
    small = [p.image if not p.empty else np.zeros((28, 28), np.float32) for p in map(preprocess, pics)]
    for img in numbers:
        small += [p.image for p in split_digits(img)] + [np.full((28, 28), 0.5, np.float32)]
    _sheet(small, 88, 10).save(path.replace(".png", "_28.png"))
    print(f"wrote {path} and its 28x28 sheet; numbers: {labels}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/sheet.png")
