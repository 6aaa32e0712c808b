"""The class's drawings: what one save costs at 10 and at 2,000 drawings (and their ratio, in this process),
and the worst wait of 48 saves at once, for the old `.npz` store (read from git at OLD_COMMIT and loaded
as a module) and for the SQLite store of `classroom/drawings.py`.

    .venv/bin/python -m bench.drawings                      # the real figures (2,000 drawings, 48 at once)
    .venv/bin/python -m bench.drawings --big 400 --concurrent 12   # a quick look

Each store is filled by one import of a generated file (drawings with `--canvas-kb` of canvas each; 30 KB
gives the 60 MB of issue 17 at 2,000), then timed on saves of a real 280×280 canvas. The 48 concurrent
saves are threads, as forty browsers are sessions of one Streamlit server.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from classroom import drawings as new_store
from model.paths import REPO

OLD_COMMIT = "d703650"  # the last commit with the .npz store


def old_store():
    """The old classroom/drawings.py as a module, or None where git or the commit is not at hand."""
    try:
        src = subprocess.run(["git", "show", f"{OLD_COMMIT}:classroom/drawings.py"], cwd=REPO, check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "old_drawings.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("old_drawings", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def filler(n: int, canvas_kb: int, seed: int) -> bytes:
    """An export file of n drawings with random canvas bytes (neither store decodes them)."""
    rng = np.random.default_rng(seed)
    size = canvas_kb * 1000
    buf = io.BytesIO()
    np.savez(buf, ids=np.arange(1, n + 1, dtype=np.int64) + seed * 10**6,
             labels=rng.integers(0, 10, n).astype(np.uint8),
             images=rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), created=time.time() - np.arange(n)[::-1],
             canvas_offsets=np.arange(n + 1, dtype=np.int64) * size,
             canvas_bytes=rng.integers(0, 256, n * size, dtype=np.uint8))
    return buf.getvalue()


def canvas() -> tuple[np.ndarray, np.ndarray]:
    img = np.zeros((280, 280, 4), np.uint8)
    img[60:80, 70:210] = (17, 17, 17, 255)
    img[80:230, 120:140] = (17, 17, 17, 255)
    return np.random.default_rng(0).random((28, 28)), img


def filled(store, root: Path, n: int, canvas_kb: int) -> Path:
    folder = Path(tempfile.mkdtemp(dir=root))
    if n:
        store.import_bytes(filler(n, canvas_kb, seed=n), folder=folder)
    return folder


def save_time(store, root: Path, at: int, saves: int, canvas_kb: int) -> float:
    """Median seconds of one save, the store holding about `at` drawings."""
    folder = filled(store, root, at - saves, canvas_kb)
    image28, img = canvas()
    times = []
    for i in range(saves):
        t0 = time.perf_counter()
        store.add(image28, i % 10, img, folder=folder)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def at_once(store, root: Path, at: int, n: int, canvas_kb: int) -> tuple[float, int]:
    """n threads save at the same moment into a store of `at` - n drawings: (worst wait s, refused)."""
    folder = filled(store, root, at - n, canvas_kb)
    image28, img = canvas()
    start, waits, refused = threading.Barrier(n), [], []

    def save(i):
        start.wait()
        t0 = time.perf_counter()
        try:
            store.add(image28, i % 10, img, folder=folder)
        except ValueError as e:  # CollectionError, in both stores
            refused.append(getattr(e, "kind", str(e)))
        waits.append(time.perf_counter() - t0)
    threads = [threading.Thread(target=save, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return max(waits), len(refused)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--small", type=int, default=10, help="drawings in the small store")
    p.add_argument("--big", type=int, default=2000, help="drawings in the big store (the cap is 2,000)")
    p.add_argument("--saves", type=int, default=5, help="saves timed per size (median)")
    p.add_argument("--concurrent", type=int, default=48, help="saves at once")
    p.add_argument("--canvas-kb", type=int, default=30, help="canvas bytes per filler drawing, in KB")
    a = p.parse_args()
    stores = [("sqlite (now)", new_store)]
    old = old_store()
    if old is None:
        print(f"old .npz store: not available (needs git and commit {OLD_COMMIT})")
    else:
        stores.insert(0, (f"old .npz ({OLD_COMMIT})", old))
    load1 = os.getloadavg()[0]
    print(f"{os.cpu_count()} CPUs, 1-min load average {load1:.1f}; filler canvases {a.canvas_kb} KB; "
          f"{a.saves} timed saves per size")
    print(f"| store | save at {a.small} | save at {a.big:,} | ratio | {a.concurrent} at once: worst wait | refused |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, store in stores:
            root = Path(tempfile.mkdtemp(dir=tmp))
            small = save_time(store, root, a.small, a.saves, a.canvas_kb)
            big = save_time(store, root, a.big, a.saves, a.canvas_kb)
            worst, refused = at_once(store, root, a.big, a.concurrent, a.canvas_kb)
            print(f"| {name} | {small * 1000:.1f} ms | {big * 1000:.1f} ms | {big / small:.1f}× | {worst:.2f} s | "
                  f"{refused} of {a.concurrent} |", flush=True)
    print(f"1-min load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    sys.exit(main())
