"""The command lines: python -m train and python -m model.predict, as a user runs them."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from model import store
from model.paths import REPO


def run(*args, **kw):
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=300, **kw)


def test_train_dry_run_writes_a_loadable_run(tmp_path):
    out = tmp_path / "run"
    r = run("train", "--preset", "seed001-cnn", "--dry-run", "--device", "cpu", "--out", str(out), "--name", "t")
    assert r.returncode == 0, r.stderr
    assert "test" in r.stdout and "checkpoint:" in r.stdout
    assert json.loads((out / "status.json").read_text())["state"] == "done"
    events = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert events[0]["kind"] == "start" and events[-1]["kind"] == "end"
    model, info = store.load(out)
    assert info["name"] == "t" and info["preset"] == "seed001-cnn"
    assert "--preset seed001-cnn" in info["command"]


def test_train_from_a_config_file_again_needs_force_and_keeps_one_history(tmp_path):
    out = tmp_path / "run"
    first = run("train", "--preset", "seed004-mlp", "--k", "2", "--m", "20", "--dry-run", "--out", str(out))
    assert first.returncode == 0, first.stderr
    refused = run("train", "--config", str(out / "config.json"), "--quiet")
    assert refused.returncode == 2 and "already trained" in refused.stderr and "Traceback" not in refused.stderr
    again = run("train", "--config", str(out / "config.json"), "--quiet", "--force")
    assert again.returncode == 0, again.stderr
    _, info = store.load(out)
    assert info["architecture"]["hidden"] == [20, 20]
    events = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [e["kind"] for e in events].count("start") == 1  # the second run's history only, not both mixed


@pytest.mark.parametrize("args, msg", [
    (["--preset", "cnn", "--epochs", "0"], "epochs must be between"),
    (["--preset", "cnn", "--lr", "1e6"], "learning rate"),
    (["--preset", "cnn", "--hidden", "10"], "MLP presets only"),
    (["--config", "/nonexistent/config.json"], "does not exist"),
    (["--preset", "cnn", "--device", "cuda:7", "--dry-run"], "CUDA"),
    (["--preset", "cnn", "--device", "tpu", "--dry-run"], "device must be auto, cpu, cuda, cuda:N or mps, got 'tpu'"),
    (["--preset", "nope"], "invalid choice"),
])
def test_train_bad_arguments_exit_nonzero_with_one_line(args, msg, tmp_path, capsys):
    """In this process (a real `python -m train` refuses its arguments in the test above): an exception
    other than the refusal's SystemExit would fail the test, as a traceback on stderr would."""
    import train.__main__ as cli
    try:
        code = cli.main([*args, "--out", str(tmp_path / "x")])
    except SystemExit as e:  # argparse's own refusals
        code = e.code
    err = capsys.readouterr().err
    assert code != 0
    assert msg in err
    assert "Traceback" not in err
    assert not (tmp_path / "x").exists()  # a refused command leaves no run directory behind


def write_digit(path: Path, label_img: np.ndarray, mode: str):
    big = np.asarray(Image.fromarray(label_img).resize((140, 140), Image.BILINEAR))
    if mode == "dark-on-light":
        Image.fromarray(255 - big).save(path)
    elif mode == "alpha":
        rgba = np.zeros((140, 140, 4), np.uint8)
        rgba[..., 3] = big
        Image.fromarray(rgba).save(path)
    else:
        Image.fromarray(big).convert("RGB").save(path, quality=95)


def test_predict_json_on_images_with_a_bad_file_among_them(tmp_path, mnist):
    files = []
    for i, mode in enumerate(("dark-on-light", "alpha", "light-on-dark")):
        p = tmp_path / f"d{i}.{'jpg' if mode == 'light-on-dark' else 'png'}"
        write_digit(p, mnist.x_test[i], mode)
        files.append(p)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    blank = tmp_path / "blank.png"
    Image.new("L", (50, 50), 255).save(blank)
    r = run("model.predict", "--json", *map(str, files), str(bad), str(blank))
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    answers = [x for x in lines if "digit" in x]
    errors = [x for x in lines if "error" in x]
    assert len(answers) == 6 and {a["model"] for a in answers} == {"mlp", "cnn"}
    assert [a["digit"] for a in answers if a["model"] == "cnn"] == mnist.y_test[:3].tolist()
    assert [a["not_digit"] for a in answers] == [False] * 6  # the shared judge: these are digits
    assert all(abs(sum(a["probabilities"]) - 1) < 1e-4 and len(a["probabilities"]) == 10 for a in answers)
    assert {e["file"] for e in errors} == {str(bad), str(blank)}


def test_predict_kaggle_csv_writes_a_submission(tmp_path, mnist):
    rows = [",".join(f"pixel{i}" for i in range(784))]  # Kaggle's test.csv has no label column
    rows += [",".join(map(str, mnist.x_test[i].reshape(-1))) for i in range(20)]
    test_csv = tmp_path / "test.csv"
    test_csv.write_text("\n".join(rows) + "\n")
    out = tmp_path / "submission.csv"
    r = run("model.predict", "--model", "cnn", "--csv", str(test_csv), "--out", str(out))
    assert r.returncode == 0, r.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "ImageId,Label" and lines[1].startswith("1,") and len(lines) == 21
    labels = [int(line.split(",")[1]) for line in lines[1:]]
    assert np.mean(np.array(labels) == mnist.y_test[:20]) >= 0.95


def test_predict_unknown_model_is_one_clear_line(tmp_path):
    img = tmp_path / "x.png"
    Image.new("L", (10, 10)).save(img)
    r = run("model.predict", "--model", "no-such-model", str(img))
    assert r.returncode == 2 and "no model called 'no-such-model'" in r.stderr and "Traceback" not in r.stderr


def test_dry_run_of_a_config_runs_a_few_batches_elsewhere_and_leaves_the_run_as_it_is(tmp_path, tiny_cfg):
    from train.run import prepare
    run_dir, out = tmp_path / "run", tmp_path / "dry"
    prepare(run_dir, tiny_cfg(epochs=3), name="lesson")  # 72 steps in full
    before = {p.name: p.read_bytes() for p in run_dir.iterdir()}
    r = run("train", "--config", str(run_dir / "config.json"), "--dry-run", "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr
    end = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()][-1]
    assert end["kind"] == "end" and end["steps"] == 5 and end["stop_reason"] == "max_steps"
    assert store.read_info(out)["name"] == "lesson (dry run)"
    assert {p.name: p.read_bytes() for p in run_dir.iterdir()} == before  # still queued, never trained
