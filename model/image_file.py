"""Image files in: PNG or JPEG bytes (or a path) -> a uint8 array, at a bounded cost in memory.

An upload is untrusted. So the format is decided from the file's first bytes, never its name, and only
the two decoders we mean are ever run (Pillow knows dozens, EPS among them, which calls Ghostscript).
The decoded size is known from the header before any pixel is decoded, and bounded:

- more than MAX_PIXELS pixels: refused, with the real size;
- a JPEG that would cost more than MAX_BYTES (its decoded pixels plus the uint8 array made from them)
  is decoded reduced (libjpeg's DCT scaling, `draft`: 1/2, 1/4 or 1/8 per side), which never holds
  the full-size image;
- a PNG has no reduced decoding, so one over MAX_BYTES is refused with its real size (a 92 KB 16-bit
  PNG of 6300 x 6300 is 240 MB by that count, and took 1 GB when converted through float64).

The conversion to uint8 goes a strip of rows at a time in integers, so the result is the only second
full-size buffer (tests/test_image_file.py measures the peak in a fresh process).
"""

from __future__ import annotations

import io
import math
import os

import numpy as np
from PIL import Image, ImageOps, JpegImagePlugin, PngImagePlugin

from model.regular_file import open_regular

MAX_PIXELS = 40_000_000       # pixels in the header; more is refused before anything is decoded
MAX_BYTES = 80 << 20  # decoded pixels + the array made from them; a JPEG is decoded reduced, a PNG refused
# The only decoders we run, chosen from the file's first bytes.
MAGIC = {b"\x89PNG\r\n\x1a\n": ("PNG", PngImagePlugin.PngImageFile),
         b"\xff\xd8\xff": ("JPEG", JpegImagePlugin.jpeg_factory)}
_BYTES_PER_BAND = {"I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2, "I": 4, "F": 4}


class ImageError(ValueError):
    """A file that is not a readable image, or too large; the message is for a person.

    `kind` ("unreadable", "too_large", "missing") lets the app say it in the reader's language; `details`
    fills the app's sentence (w, h and limit for "too_large").
    """

    def __init__(self, message: str, kind: str = "unreadable", **details):
        super().__init__(message)
        self.kind, self.details = kind, details


def _out_mode(im: Image.Image) -> str:
    """The mode of the array we return: L, RGB or RGBA (palette and grey+alpha images keep their alpha)."""
    if im.mode in ("L", "RGB", "RGBA") or im.mode in _BYTES_PER_BAND:
        return "L" if im.mode in _BYTES_PER_BAND else im.mode
    if im.mode in ("PA", "LA", "La", "RGBa") or (im.mode == "P" and "transparency" in im.info):
        return "RGBA"
    return "RGB"


def cost(im: Image.Image) -> int:
    """Bytes held at the peak of load_image: the decoded pixels plus the uint8 array made from them."""
    w, h = im.size
    decoded = Image.getmodebands(im.mode) * _BYTES_PER_BAND.get(im.mode, 1)
    return w * h * (decoded + len(_out_mode(im)))


def _too_large(w: int, h: int, limit: int) -> ImageError:
    return ImageError(f"This image is {w} × {h} pixels; the most we accept is {limit:,} pixels.",
                      "too_large", w=w, h=h, limit=limit)


def _open(f, formats: tuple[str, ...]) -> Image.Image:
    """Open with the decoder the first bytes name, if it is one of `formats`; Pillow's own format
    guessing never runs."""
    head = f.read(16)
    f.seek(0)
    for magic, (name, opener) in MAGIC.items():
        if head.startswith(magic) and name in formats:
            return opener(f)
    raise ImageError(f"This file is not a {' or '.join(formats)} image.")


def _bounded(im: Image.Image, max_size: tuple[int, int] | None = None) -> Image.Image:
    """Refuse or reduce, from the header alone, an image that would cost more than MAX_BYTES, or is
    larger than `max_size` (width, height) on either side."""
    w, h = im.size
    if max_size is not None and (w > max_size[0] or h > max_size[1]):
        raise ImageError(f"This image is {w} × {h} pixels; the most we accept is {max_size[0]} × {max_size[1]}.",
                         "too_large", w=w, h=h, limit=max_size[0] * max_size[1])
    if w * h > MAX_PIXELS:
        raise _too_large(w, h, MAX_PIXELS)
    need = cost(im)
    if need <= MAX_BYTES:
        return im
    if im.format in ("JPEG", "MPO"):
        # libjpeg's DCT scaling by 1/2, 1/4 or 1/8 per side: the least reduction that fits
        s = min(8, 2 ** math.ceil(math.log2(math.sqrt(need / MAX_BYTES))))
        im.draft(im.mode, (math.ceil(w / s), math.ceil(h / s)))
        if cost(im) <= MAX_BYTES:
            return im
    raise _too_large(w, h, MAX_BYTES // (need // (w * h)))


def _to_uint8(im: Image.Image) -> np.ndarray:
    """(H, W), (H, W, 3) or (H, W, 4) uint8, converted a strip of rows at a time, so the only full-size
    allocation is the result (no float copies, no second full image)."""
    mode, (w, h) = _out_mode(im), im.size
    # 16-bit grey, or 32-bit grey beyond 255, is scaled from 0..65535; smaller 32-bit grey is taken as is
    wide = im.mode.startswith("I;16") or (im.mode in ("I", "F") and float(im.getextrema()[1]) > 255)
    out = np.empty((h, w) if mode == "L" else (h, w, len(mode)), np.uint8)
    rows = max(1, (1 << 22) // (w * 4))  # about 4 MB a strip
    for y in range(0, h, rows):
        strip = im.crop((0, y, w, min(h, y + rows)))
        if im.mode in _BYTES_PER_BAND:  # 16-bit or 32-bit grey
            a = np.asarray(strip)
            if wide and a.dtype.kind in "iu":  # x / 257 rounded is (x + 128) // 257: no float copy
                out[y:y + rows] = np.clip((a.astype(np.int64) + 128) // 257, 0, 255)
            elif wide:
                out[y:y + rows] = np.clip(np.rint(a / 257.0), 0, 255)
            else:
                out[y:y + rows] = np.clip(np.rint(a), 0, 255)
        else:
            out[y:y + rows] = np.asarray(strip if strip.mode == mode else strip.convert(mode))
    return out


def load_image(data: bytes | str | os.PathLike, formats: tuple[str, ...] = ("PNG", "JPEG"),
               max_size: tuple[int, int] | None = None) -> np.ndarray:
    """Decode a PNG or JPEG file to uint8 (H, W), (H, W, 3) or (H, W, 4), upright per its EXIF tag.

    Raises ImageError, with a message for a person, for other formats (or one not in `formats`), damaged
    files and images over the limits above or over `max_size` (width, height), all checked from the
    header, before any pixel is decoded. The drawing canvas asks for a PNG of at most its own size.
    """
    try:
        f = io.BytesIO(bytes(data)) if isinstance(data, (bytes, bytearray, memoryview)) else open_regular(data)
    except FileNotFoundError as e:
        raise ImageError(f"No such file: {data}", "missing") from e
    except OSError as e:
        raise ImageError(f"{data} cannot be read ({e.strerror or e}).") from e
    with f:
        try:
            with _open(f, formats) as im:
                im = _bounded(im, max_size)
                im.load()
                ImageOps.exif_transpose(im, in_place=True)
                return _to_uint8(im)
        except ImageError:
            raise
        except Exception as e:  # Pillow signals bad data with many types (OSError, SyntaxError, ...)
            raise ImageError("This file is not a readable image (PNG or JPEG), or it is damaged or cut short.") from e
