"""Nothing lost, nothing silently replaced; bad configs get a sentence (RELIABILITY.md)."""

import argparse
import dataclasses
import errno
import json
import math
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import train.__main__ as cli
from jobs import folder as rundir
from jobs.folder import RunState
from model import presets, store
from model.paths import PRETRAINED, REPO
from train import engine
from train import run as train_run
from train.run import execute


def run(*args, **kw):
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=300, **kw)


def digest(folder):
    """The checkpoint in `folder` by content: a model's, or the not-a-digit judge's."""
    files = [folder / n for n in ("model.safetensors", "model.json", "judge.safetensors", "judge.json")]
    return {f.name: store._sha256(f) for f in files if f.exists()}


# ---------------------------------------------------------------- --out, --force, --ship


def test_out_at_an_existing_run_is_refused_unless_forced(tmp_path, capsys):
    """`python -m train` in this process (the real command is tests/test_cli.py's): an exception would fail
    the test, as a traceback on stderr would."""
    out = tmp_path / "run"
    dry = ["--preset", "seed004-mlp", "--dry-run", "--device", "cpu", "--out", str(out)]
    assert cli.main(dry) == 0
    before = digest(out)
    capsys.readouterr()
    code = cli.main([*dry, "--seed", "3"])
    err = capsys.readouterr().err
    assert code == 2 and "already holds a run" in err and "--force" in err
    assert "Traceback" not in err and digest(out) == before
    code = cli.main([*dry, "--seed", "3", "--force"])
    assert code == 0, capsys.readouterr().err
    assert digest(out) != before
    events = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [e["kind"] for e in events].count("start") == 1  # one run's history, not two mixed


def test_nothing_is_written_into_model_pretrained_without_ship(tmp_path, capsys):
    before = {p.name: digest(p) for p in PRETRAINED.iterdir()}
    new = PRETRAINED / "not-a-shipped-model"
    code = cli.main(["--preset", "seed004-mlp", "--dry-run", "--out", str(new), "--force"])  # in this process
    err = capsys.readouterr().err
    assert code == 2 and "model/pretrained" in err and "--ship" in err
    assert not new.exists()
    # the real shipped folders are checked without running anything that could write into them
    for name in ("cnn", "mlp"):
        a = argparse.Namespace(out=PRETRAINED / name, force=True)
        with pytest.raises(ValueError, match="--ship NAME"):
            cli.run_folder(a, presets.get("cnn").train)
        a = argparse.Namespace(out=tmp_path / "link", force=True)
        (tmp_path / "link").unlink(missing_ok=True)
        (tmp_path / "link").symlink_to(PRETRAINED / name)  # a way round through a symlink is refused too
        with pytest.raises(ValueError, match="--ship NAME"):
            cli.run_folder(a, presets.get("cnn").train)
    assert {p.name: digest(p) for p in PRETRAINED.iterdir()} == before


def test_ship_copies_a_finished_run_into_model_pretrained(tmp_path, monkeypatch, capsys):
    shipped = tmp_path / "pretrained"
    monkeypatch.setattr(cli, "PRETRAINED", shipped)
    out = tmp_path / "run"
    assert cli.main(["--preset", "seed004-mlp", "--dry-run", "--device", "cpu", "--quiet", "--out", str(out),
                     "--ship", "tiny"]) == 0
    assert sorted(p.name for p in (shipped / "tiny").iterdir()) == ["model.json", "model.safetensors"]
    _, info = store.load(shipped / "tiny")
    assert info["name"] == "tiny" and digest(shipped / "tiny") == digest(out)
    assert cli.main(["--preset", "seed004-mlp", "--ship", "../evil"]) == 2
    assert "short lowercase name" in capsys.readouterr().err


# ---------------------------------------------------------------- predict --out


@pytest.fixture
def test_csv(tmp_path, mnist):
    rows = [",".join(f"pixel{i}" for i in range(784))]
    rows += [",".join(map(str, mnist.x_test[i].reshape(-1))) for i in range(5)]
    path = tmp_path / "test.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def predict_csv(csv, out, capsys=None):
    """`python -m model.predict --csv` as a real command, or (with capsys) in this process, where an exception
    would fail the test as a traceback on stderr would: (exit code, stderr)."""
    args = ["--model", "cnn", "--csv", str(csv), "--out", str(out)]
    if capsys is None:
        r = run("model.predict", *args)
        return r.returncode, r.stderr
    from model import predict
    code = predict.main(args)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("where, msg", [("folder", "is a folder"), ("missing/parent/sub.csv", "does not exist"),
                                        ("fifo", "not a regular file")])
def test_predict_out_that_cannot_be_written_is_one_clear_line(tmp_path, test_csv, where, msg, capsys):
    out = tmp_path / where
    if where == "folder":
        out.mkdir()
    if where == "fifo":
        os.mkfifo(out)
    # a real command for the fifo: opened for writing by mistake, it would wait for a reader (its timeout ends it)
    code, err = predict_csv(test_csv, out, None if where == "fifo" else capsys)
    assert code == 2 and msg in err and "Traceback" not in err, err
    assert not list(tmp_path.rglob("*.part"))
    assert out.is_dir() if where == "folder" else True
    assert not out.exists() or not out.is_file()  # a fifo stays a fifo, never replaced by a regular file


def test_predict_out_through_a_symlink_writes_its_target(tmp_path, test_csv, capsys):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    code, err = predict_csv(test_csv, link, capsys)
    assert code == 0, err
    assert link.is_symlink() and target.read_text().startswith("ImageId,Label\n")


# ---------------------------------------------------------------- disk full


def enospc(*a, **k):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_disk_full_while_saving_ends_failed_with_the_last_checkpoint_intact(tmp_path, tiny_cfg, mnist, monkeypatch):
    folder = tmp_path / "run"
    train_run.prepare(folder, tiny_cfg(max_steps=5))
    assert execute(folder, data=mnist)["state"] == RunState.DONE
    before = digest(folder)

    def half_then_full(state, path, *a, **k):  # the weights file is cut off by a full disk
        with open(path, "wb") as f:
            f.write(b"\0" * 1000)
        enospc()

    monkeypatch.setattr(store, "save_file", half_then_full)
    train_run.prepare(folder, tiny_cfg(max_steps=5, seed=1))
    status = execute(folder, data=mnist)
    assert status["state"] == RunState.FAILED and status["error"].startswith("disk full")
    assert digest(folder) == before
    store.load(folder)  # still a whole, loadable checkpoint
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_disk_full_while_logging_events_ends_failed_not_running(tmp_path, tiny_cfg, mnist, monkeypatch):
    folder = tmp_path / "run"
    train_run.prepare(folder, tiny_cfg(max_steps=5))
    real_train = train_run.train

    def train_then_full(cfg, on_event, **kw):
        return real_train(cfg, on_event=lambda e: enospc() if e["kind"] == "epoch" else on_event(e), **kw)

    monkeypatch.setattr(train_run, "train", train_then_full)
    status = execute(folder, data=mnist)
    assert status["state"] == RunState.FAILED and "disk full" in status["error"]
    assert rundir.read_status(folder)["state"] == "failed"  # on disk too: the page never says "killed"


def test_disk_full_while_a_sweep_saves_its_rows_ends_failed_not_a_crash(tmp_path, mnist, monkeypatch):
    from sweep import job as sweep_jobs
    from sweep.core import SweepConfig
    monkeypatch.setenv("DIGITLAB_RUNS", str(tmp_path / "runs"))
    folder = sweep_jobs.create(SweepConfig(ks=(1,), ms=(8,), epochs=1, subset=500, device="cpu"))
    real = rundir.write_json

    def full_for_results(path, obj):
        if path.name == "results.json":
            enospc()
        real(path, obj)

    monkeypatch.setattr(rundir, "write_json", full_for_results)
    status = sweep_jobs.execute(folder, data=mnist)  # today: OSError raised, the sweep left "running"
    assert status["state"] == RunState.FAILED and status["error"].startswith("disk full"), status
    assert rundir.read_status(folder)["state"] == "failed"


def test_the_cli_says_failed_disk_full(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(store, "save_file", enospc)
    code = cli.main(["--preset", "seed004-mlp", "--dry-run", "--device", "cpu", "--quiet",
                     "--out", str(tmp_path / "run")])
    assert code == 1 and "failed: disk full" in capsys.readouterr().err


# ---------------------------------------------------------------- a stop on an epoch boundary


def test_a_stop_asked_at_an_epoch_end_records_no_empty_epoch(tiny_cfg, mnist):
    seen = []

    def stop_after_first_epoch():
        return any(e["kind"] == "epoch" for e in seen)

    cfg = tiny_cfg(epochs=3, subset=1000)
    result = engine.train(cfg, on_event=seen.append, should_stop=stop_after_first_epoch, data=mnist)
    assert [e["epoch"] for e in result.history] == [1]
    assert result.stopped and result.metrics["epochs_run"] == 1
    assert all(e["train_acc"] > 0.1 for e in result.history)


def test_a_stop_mid_epoch_counts_the_steps_it_ran(tiny_cfg, mnist):
    calls = []

    def stop_in_epoch_2():  # asked once per step (20 in epoch 1), and once as epoch 2 begins
        calls.append(1)
        return len(calls) > 25

    cfg = tiny_cfg(epochs=2, subset=1000, batch_size=50)  # 20 steps an epoch
    result = engine.train(cfg, should_stop=stop_in_epoch_2, data=mnist)
    assert [e["epoch"] for e in result.history] == [1, 2] and result.stopped
    assert result.metrics["steps"] == 25 and result.history[-1]["train_acc"] > 0.1


# ---------------------------------------------------------------- training configs


@pytest.mark.parametrize("change, msg", [
    ({"epochs": "5"}, "epochs must be a whole number, got '5'"),
    ({"epochs": 2.5}, "epochs must be a whole number"),
    ({"val_size": 0.5}, "val_size must be a whole number"),
    ({"seed": -5}, "seed must be between 0"),
    ({"weight_decay": float("nan")}, "weight_decay must be a finite number"),
    ({"weight_decay": 5}, "weight decay must be between 0 and 1"),
    ({"lr": True}, "lr must be a finite number"),
    ({"augment": "yes"}, "augment must be true or false"),
    ({"device": "gpu"}, "device must be"),
    ({"model": {"kind": "mlp", "hidden": "512"}}, "hidden must be a list of whole numbers"),
    ({"model": None}, "architecture must be a JSON object"),
])
def test_bad_config_values_are_refused_up_front_with_the_right_advice(change, msg):
    d = {**presets.train_config_to_dict(presets.get("mlp").train), **change}
    with pytest.raises(ValueError, match=msg) as e:
        presets.train_config_from_dict(json.loads(json.dumps(d)))
    assert "learning rate" not in str(e.value) or "lr" in change


@pytest.mark.parametrize("change, msg", [({"epochs": "5"}, "epochs must be a whole number"),
                                         ({"weight_decay": float("nan")}, "finite number"),
                                         ({"seed": -5}, "seed must be between")])
def test_the_cli_refuses_a_bad_config_json_in_one_line(tmp_path, change, msg, capsys):
    """`python -m train --config` in this process (a real one refuses a run folder above): an exception
    would fail the test, as a traceback on stderr would."""
    folder = tmp_path / "run"
    train_run.prepare(folder, dataclasses.replace(presets.get("seed004-mlp").train, subset=500, max_steps=2))
    raw = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**raw, **change}))
    code = cli.main(["--config", str(folder / "config.json")])
    err = capsys.readouterr().err
    assert code == 2 and msg in err and "Traceback" not in err, err
    assert not (folder / "metrics.jsonl").exists()


FIELDS = [f.name for f in dataclasses.fields(presets.TrainConfig) if f.name != "model"]
VALUES = (st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats() | st.text(max_size=8)
          | st.lists(st.integers(0, 10), max_size=3) | st.sampled_from(["sgd", "ce", "cpu", "val", "exp"]))


@given(st.dictionaries(st.sampled_from(FIELDS), VALUES, min_size=1, max_size=4), st.sampled_from(list(presets.PRESETS)))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_config_json_is_valid_or_a_value_error(changes, preset):
    d = {**presets.train_config_to_dict(presets.get(preset).train), **changes}
    text = json.dumps(d)  # NaN and Infinity are written as Python's json writes them
    try:
        cfg = presets.train_config_from_dict(json.loads(text))
    except ValueError as e:
        assert str(e)
        return
    # what passes can be trained: whole numbers where the engine needs them, finite floats, known names
    assert isinstance(cfg.epochs, int) and isinstance(cfg.seed, int) and cfg.seed >= 0
    assert all(math.isfinite(v) for v in (cfg.lr, cfg.weight_decay, cfg.momentum, cfg.rho, cfg.gamma))
    assert presets.train_config_from_dict(json.loads(json.dumps(presets.train_config_to_dict(cfg)))) == cfg
