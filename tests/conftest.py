"""Shared fixtures: the real MNIST (fetched once by the setup script) and tiny training configs."""

import dataclasses
import os
import pickle
import shutil

import numpy as np
import pytest
from filelock import FileLock
from streamlit.testing.v1 import AppTest

from jobs import background, standby
from model.paths import REPO
from model.presets import get
from train.data import load_mnist
from ui.draw import ink_canvas

# Every job starts cold in tests (and in the servers they start, which inherit this): a warm standby per
# opened Train page would be a torch-loading process per test. tests/test_standby.py turns it on.
os.environ[standby.SWITCH] = "0"


@pytest.fixture(autouse=True)
def serving_env_taken_back():
    """app.py, which AppTest runs in this process, marks the environment as serving (jobs/background.py): put back
    after each test, or a later in-process `python -m train` would lower this process's priority and torch threads
    for every test after it."""
    before = {name: os.environ.get(name) for name in (background.NICE, background.THREADS)}
    yield
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def mnist():
    return load_mnist()


def made_once(tmp_path_factory, name: str, make):
    """`make()`, made once for the whole run: ./test.sh's parallel workers (pytest-xdist) share one temporary
    root, and the first worker to ask makes it while the others wait on the lock, then read its file."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # pytest-N/, above each worker's popen-gwK/
    path = root / f"{name}.pickle"
    with FileLock(f"{path}.lock"):
        if path.exists():
            return pickle.loads(path.read_bytes())
        made = make()
        path.write_bytes(pickle.dumps(made))
        return made


@pytest.fixture(scope="session")
def shipped_answers(tmp_path_factory):
    """{"cnn": digits, "mlp": digits}: the shipped models' answers on MNIST's 10,000 test images, computed once."""
    def make():
        from model.infer import probabilities
        from model.predict import load
        x = load_mnist().x_test / np.float32(255)
        return {n: probabilities(load(n)[0], x).argmax(1) for n in ("cnn", "mlp")}
    return made_once(tmp_path_factory, "shipped_answers", make)


@pytest.fixture(scope="session")
def quality_test_sets(tmp_path_factory):
    """bench/quality.py's TEST sets (drawn, stray-marked, photographed and typed digits; seeded), made once:
    the shipped models' targets (tests/test_accuracy.py) and the judge's (tests/test_not_digit.py) use them."""
    from bench import quality
    return made_once(tmp_path_factory, "quality_test_sets", lambda: quality.make_sets("test", 600))


@pytest.fixture
def tiny_cfg():
    """A small MLP run on 3,000 images: trains in about a second on the CPU."""
    def make(preset="seed001-mlp", **changes):
        base = get(preset).train
        return dataclasses.replace(base, **{"epochs": 1, "subset": 3000, "device": "cpu", **changes})
    return make


@pytest.fixture
def canvas(monkeypatch):
    """{canvas key: RGBA image}: what the Draw page's drawing surfaces return on the next AppTest run
    (AppTest has no browser: the page's own drawing component is swapped out, the page knows nothing)."""
    drawn = {}
    monkeypatch.setattr(ink_canvas, "drawing", lambda key, width, height, brush: drawn.get(key))
    return drawn


@pytest.fixture
def app(canvas):
    """The Draw page (app.py's first page) under AppTest, run once on an empty `canvas`."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    return at


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """One Streamlit server for the browser tests that draw, upload and score but neither save a drawing nor
    train (those start their own, with their own folders): its runs and drawings folders are its own."""
    from tests.browser import streamlit_server
    tmp = tmp_path_factory.mktemp("server")
    with streamlit_server({"DIGITLAB_RUNS": str(tmp / "runs"), "DIGITLAB_DRAWINGS": str(tmp / "drawings")}) as url:
        yield url


@pytest.fixture(scope="session")
def speeds(tmp_path_factory):
    """One throughput cache (train/estimate.py) for the session: each model is measured once, for real."""
    return tmp_path_factory.mktemp("speeds") / ".speed.json"


@pytest.fixture
def runs(tmp_path, monkeypatch, speeds):
    """An empty runs folder ($DIGITLAB_RUNS) for job tests, with the measured speeds so far, and no teacher key
    (this computer's one user is the teacher); afterwards no run or sweep is left running."""
    from jobs import queue as jobs
    root = tmp_path / "runs"
    root.mkdir()
    if speeds.exists():
        shutil.copy(speeds, root / ".speed.json")
    monkeypatch.setenv("DIGITLAB_RUNS", str(root))
    monkeypatch.delenv("DIGITLAB_TEACHER_KEY", raising=False)
    yield root
    for job in jobs.snapshot(root).jobs:
        if job.active:
            jobs.stop(job.folder)
            jobs.wait(job.folder, 120)
    if (root / ".speed.json").exists():
        shutil.copy(root / ".speed.json", speeds)


@pytest.fixture
def sweep_root(runs):
    """Where the sweeps of `runs` live (runs/sweeps)."""
    return runs / "sweeps"
