"""Peak memory of one upload: decode a file and preprocess it, in a fresh process per file.

    python bench/upload_memory.py

Prints, per file, what happened (read, or the refusal) and the peak resident memory above the process's
state after its imports (VmHWM from /proc, so Linux only). The files are the cases of issue 10: a 92 KB-
class 16-bit PNG of 6300 × 6300, a 35 Mpx JPEG photo and a 4K RGBA screenshot. The same script runs on
commits before model/image_file.py existed (it then imports load_image from model/preprocess.py).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
CHILD = """
import sys
try:
    from model.image_file import ImageError, load_image
except ImportError:  # before model/image_file.py
    from model.preprocess import ImageError, load_image
from model.preprocess import preprocess
def hwm():  # peak resident set, kB; ru_maxrss would include the parent's peak (Linux keeps it over exec)
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
data = open(sys.argv[1], "rb").read()
base = hwm()
try:
    img = load_image(data)
    what = f"read as {img.shape}, {'empty' if preprocess(img).empty else 'a digit found'}"
except ImageError as e:
    what = f"refused: {e}"
print(f"{(hwm() - base) / 1024:.0f}|{what}")
"""
CASES = {  # name: (array, format)
    "16-bit PNG 6300x6300": ((6300, 6300), np.uint16, "PNG"),
    "JPEG 7000x5000 RGB": ((5000, 7000, 3), np.uint8, "JPEG"),
    "PNG 3840x2160 RGBA": ((2160, 3840, 4), np.uint8, "PNG"),
}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for name, (shape, dtype, fmt) in CASES.items():
            a = np.full(shape, 0 if dtype == np.uint16 else 255, dtype)
            h, w = shape[:2]
            a[h // 3: h // 2, w // 2: w // 2 + 200] = 60000 if dtype == np.uint16 else 0  # a stroke
            path = Path(tmp) / name.replace(" ", "_")
            Image.fromarray(a).save(path, fmt)
            del a
            out = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=REPO, capture_output=True,
                                 text=True, check=True).stdout.strip()
            mb, what = out.split("|", 1)
            print(f"{name:22s} {path.stat().st_size / 1024:7.0f} KB file   peak {mb:>5s} MB   {what}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
