"""One bad file must not take anything down (RELIABILITY.md): damaged run folders and absurd checkpoints."""

import json
import logging
import os
import subprocess
import sys

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from jobs import folder as rundir
from jobs import queue as jobs
from jobs.folder import RunState
from model import nets, store
from model.nets import CNNConfig, ConvBlock, MLPConfig, build
from model.paths import REPO
from train import catalog
from train import run as train_run

# each damages one field of a finished run's model.json or status.json
DAMAGE = {
    "architecture-null": ("model.json", lambda info: {**info, "architecture": None}),
    "architecture-string": ("model.json", lambda info: {**info, "architecture": "mlp"}),
    "metrics-list": ("model.json", lambda info: {**info, "metrics": [0.9]}),
    "test-acc-string": ("model.json", lambda info: {**info, "metrics": {"test_acc": "99%"}}),
    "status-list": ("status.json", lambda status: [status]),
}


@pytest.fixture
def damaged_runs(runs):
    """The `runs` folder with one good finished run and one run per kind of damage."""
    root = runs
    cfg = MLPConfig(hidden=(8,))
    model = build(cfg)
    for name in ["good", *DAMAGE]:
        folder = root / name
        store.save(folder, model, cfg, name=f"run-{name}", metrics={"test_acc": 0.5})
        store.write_json(folder / "config.json", {"name": f"run-{name}", "preset": "custom", "device": "cpu"})
        rundir.write_status(folder, RunState.DONE, metrics={"test_acc": 0.5})
        if name in DAMAGE:
            file, damage = DAMAGE[name]
            (folder / file).write_text(json.dumps(damage(json.loads((folder / file).read_text()))))
    return root


def test_list_models_skips_each_broken_run_with_a_note_naming_it(damaged_runs, caplog):
    with caplog.at_level(logging.WARNING):
        entries = catalog.list_models(damaged_runs)
    assert [e.name for e in entries if e.source == "run"] == ["run-good"]
    assert {e.name for e in entries if e.source == "shipped"} == {"mlp", "cnn"}
    notes = [r.getMessage() for r in caplog.records]
    for name in DAMAGE:
        assert sum(f"/{name}" in n for n in notes) == 1, (name, notes)  # one line that names it
    assert all("\n" not in n for n in notes)


def test_list_runs_shows_every_run_and_marks_the_damaged_status(damaged_runs, caplog):
    with caplog.at_level(logging.WARNING):
        listed = {r.folder.name: r for r in train_run.list_runs(damaged_runs)}
    assert set(listed) == {"good", *DAMAGE}
    assert listed["status-list"].state == RunState.UNKNOWN and "damaged" in listed["status-list"].note
    assert listed["good"].state == RunState.DONE
    assert any("status-list" in r.getMessage() for r in caplog.records)


def test_a_damaged_config_json_is_an_unknown_run_not_a_crash(damaged_runs):
    (damaged_runs / "good" / "config.json").write_text("[1, 2")
    (damaged_runs / "metrics-list" / "config.json").write_text('"a string"')
    listed = {r.folder.name: r for r in train_run.list_runs(damaged_runs)}
    assert listed["good"].state == RunState.UNKNOWN and "config.json" in listed["good"].note
    assert listed["metrics-list"].state == RunState.UNKNOWN
    assert jobs.tick(damaged_runs) == []  # the scheduler lists them too, and starts nothing


def test_predict_cli_needs_only_the_shipped_models(damaged_runs, tmp_path):
    img = tmp_path / "x.png"
    Image.new("L", (40, 40), 255).save(img)
    r = subprocess.run([sys.executable, "-m", "model.predict", "--json", str(img)], cwd=REPO, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr  # one file, nothing to read in it
    assert json.loads(r.stdout.splitlines()[0])["error"].startswith("nothing to read")


def test_the_draw_page_survives_broken_runs(damaged_runs):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    options = at.selectbox[0].options
    assert any("run-good" in o for o in options) and not any("metrics-list" in o for o in options)


# ---------------------------------------------------------------- absurd architectures


def _huge_checkpoint(tmp_path, arch):
    cfg = MLPConfig(hidden=(8,))
    folder = store.save(tmp_path / "huge", build(cfg), cfg)
    info = json.loads((folder / "model.json").read_text())
    (folder / "model.json").write_text(json.dumps({**info, "architecture": arch}))
    return folder


@pytest.mark.parametrize("arch, msg", [
    ({"kind": "mlp", "hidden": [100_000] * 3}, "parameters"),
    ({"kind": "cnn", "blocks": [{"filters": 1_000_000}], "dense": []}, "filters must be"),
    ({"kind": "cnn", "blocks": [{"filters": 4096}, {"filters": 4096}], "dense": [4096]}, "parameters"),
    ({"kind": "mlp", "hidden": [64] * 500}, "at most"),
])
def test_a_checkpoint_claiming_a_huge_architecture_is_refused_before_allocating(tmp_path, monkeypatch, arch, msg):
    folder = _huge_checkpoint(tmp_path, arch)

    def no_allocation(*a, **k):
        raise AssertionError("a layer was allocated")

    monkeypatch.setattr(torch.nn.Linear, "__init__", no_allocation)
    monkeypatch.setattr(torch.nn.Conv2d, "__init__", no_allocation)
    with pytest.raises(store.CheckpointError, match=msg):
        store.load(folder)


def test_size_bound_counts_exactly_what_build_allocates():
    cfgs = [MLPConfig(hidden=(300, 20), batch_norm=True),
            CNNConfig(blocks=(ConvBlock(6, kernel=5, convs=2, batch_norm=True, pad_before=2), ConvBlock(16)),
                      dense=(50,))]
    for cfg in cfgs:
        assert nets.count_params(cfg) == nets.n_params(build(cfg))


JSON = st.recursive(st.none() | st.booleans() | st.integers(-10**7, 10**7) | st.floats() | st.text(max_size=6),
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=4),
                    max_leaves=12)
ARCH_KEYS = st.sampled_from(["kind", "hidden", "dense", "blocks", "activation", "dropout", "batch_norm", "input",
                             "dense_dropout", "filters", "kernel", "convs", "padding", "pool", "pad_before"])


@given(st.dictionaries(ARCH_KEYS, JSON | st.sampled_from(["mlp", "cnn", "relu", "same"]), max_size=6))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_architecture_json_is_a_valid_config_or_a_value_error(d):
    try:
        cfg = nets.config_from_dict(d)
    except ValueError as e:
        assert str(e)
        return
    assert nets.count_params(cfg) <= nets.MAX_PARAMS
    assert nets.config_from_dict(json.loads(json.dumps(nets.config_to_dict(cfg)))) == cfg


@given(st.sampled_from(["architecture", "metrics", "name", "preset", "format_version"]), JSON)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
def test_any_model_json_field_gives_an_entry_or_a_checkpoint_error(tmp_path, key, value):
    cfg = MLPConfig(hidden=(4,))
    folder = tmp_path / "m"
    if not folder.exists():
        store.save(folder, build(cfg), cfg, name="m", metrics={"test_acc": 0.5})
    info = json.loads((folder / "model.json").read_text())
    good = dict(info)
    try:
        (folder / "model.json").write_text(json.dumps({**info, key: value}))
        try:
            e = store.entry(folder, "run")
        except store.CheckpointError as err:
            assert str(folder) in str(err)
        else:
            assert isinstance(e.name, str) and (e.test_acc is None or isinstance(e.test_acc, float))
    finally:
        (folder / "model.json").write_text(json.dumps(good))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
@pytest.mark.parametrize("as_csv", [False, True], ids=["image", "csv"])
def test_predict_refuses_a_fifo_at_once_instead_of_waiting_for_a_writer(tmp_path, as_csv):
    fifo = tmp_path / "digit.png"
    os.mkfifo(fifo)
    args = ["--csv", str(fifo), "--out", str(tmp_path / "s.csv")] if as_csv else [str(fifo)]
    r = subprocess.run([sys.executable, "-m", "model.predict", *args], cwd=REPO, capture_output=True, text=True,
                       timeout=120)  # the old code blocked in open() until killed here
    assert r.returncode in (1, 2) and "not a regular file" in r.stderr and "Traceback" not in r.stderr


def test_a_folder_or_device_is_not_read_as_an_image_or_csv(tmp_path):
    from model.image_file import ImageError, load_image
    from model.kaggle import read_kaggle_csv
    from model.regular_file import NotRegularFile
    with pytest.raises(ImageError, match="not a regular file"):
        load_image(tmp_path)
    if os.path.exists("/dev/zero"):  # never ends: the old reader would read it until MAX_LINE, forever
        with pytest.raises(NotRegularFile):
            read_kaggle_csv("/dev/zero")
