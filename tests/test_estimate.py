"""train/memory.py and train/estimate.py: memory against what a run really takes, the refusal of one that
cannot fit (the CLI's too), the work a run does, the advice before Start, and the throughput cached per model."""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from model.nets import CNNConfig, ConvBlock, MLPConfig
from model.paths import REPO
from model.presets import PRESETS, TrainConfig
from train import estimate, memory
from train.run import prepare

# issue 17's "My CNN": 256 filters, 3 blocks of 7×7, a 4096-unit dense layer, batch 60,000 (the form's blocks)
HUGE = TrainConfig(CNNConfig(blocks=tuple(ConvBlock(256 * 2**i, kernel=7, batch_norm=True, dropout=0.25)
                                          for i in range(3)), dense=(4096,)), batch_size=60_000, device="cpu")


def test_the_issue_config_is_refused_with_the_estimate_and_the_limit():
    m = memory.memory(HUGE)
    assert not m.fits and m.need > 100 * 2**30  # hundreds of GB: the activations of 60,000 images at once
    with pytest.raises(ValueError) as e:
        memory.check_memory(HUGE)
    sentence = str(e.value)
    assert f"needs about {memory.size_text(m.need)}" in sentence and "60,000 images at a time" in sentence
    assert "this computer has" in sentence and "free" in sentence and "smaller batch" in sentence
    memory.check_memory(PRESETS["quick"].train)  # an ordinary run passes


def test_a_teacher_adds_its_weights_and_one_pass_over_a_batch():
    """`python -m train --teacher cnn`: the shipped CNN runs on every batch as well; a name that is no shipped
    model adds nothing here (the run refuses it before it starts)."""
    from model import store
    from model.nets import n_params
    from model.paths import PRETRAINED
    cfg = PRESETS["mlp"].train
    alone = memory.memory(cfg).need
    weights = 4 * n_params(store.load(PRETRAINED / "cnn")[0])
    taught = memory.memory(replace(cfg, teacher="cnn")).need
    assert taught - alone >= weights + 4 * cfg.batch_size * 32 * 28 * 28  # its first block's output on a batch
    assert memory.memory(replace(cfg, teacher="nobody")).need == alone


PEAK = """import sys
from model.nets import CNNConfig, ConvBlock, MLPConfig
from model.presets import TrainConfig
from train.data import load_mnist
from train.engine import train
cfg = TrainConfig({model}, batch_size={batch}, epochs=1, max_steps=2, subset={batch} * 2, device="cpu")
train(cfg, data=load_mnist())
# this process's own peak (VmHWM, kB): ru_maxrss would report the parent's peak, kept by Linux over exec,
# which late in a full test run is pytest's 2 GB
print(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) * 1024)
"""


@pytest.mark.parametrize("model, batch", [
    ("CNNConfig(blocks=(ConvBlock(12, batch_norm=True), ConvBlock(24, batch_norm=True)), dense=())", 4096),
    ("MLPConfig(hidden=(2048, 2048))", 4096),
])
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="a process's own peak is read from Linux's /proc")
def test_the_memory_estimate_is_near_what_a_run_takes(model, batch):
    """A fresh process trains two steps; its peak resident memory is what the estimate must be near."""
    done = subprocess.run([sys.executable, "-c", PEAK.format(model=model, batch=batch)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    peak = int(done.stdout.split()[-1])
    need = memory.memory(TrainConfig(eval(model), batch_size=batch, device="cpu")).need
    assert 0.8 <= need / peak <= 1.6, (need / 2**20, peak / 2**20)


def test_the_cli_refuses_a_run_that_cannot_fit_with_a_sentence(tmp_path):
    folder = tmp_path / "huge"
    prepare(folder, HUGE, name="huge")
    done = subprocess.run([sys.executable, "-m", "train", "--config", str(folder / "config.json"), "--quiet"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip()
    assert line.startswith("python -m train: error: this run needs about") and "free" in line, line
    assert "Traceback" not in done.stderr and not (folder / "metrics.jsonl").exists()


def test_a_plan_counts_images_steps_and_scoring():
    first_try = replace(PRESETS["seed004-mlp"].train, epochs=1, subset=2000)  # the issue's: 19.26%
    p = estimate.plan(first_try)
    assert (p.n_train, p.epochs, p.steps, p.images, p.scored) == (2000, 1, 200, 2000, 20_000)
    p = estimate.plan(PRESETS["quick"].train, drawings=300)
    assert p.n_train == 60_300 and p.steps == 2 * 472 and p.scored == 10_000
    p = estimate.plan(replace(PRESETS["quick"].train, max_steps=5))
    assert p.steps == 5 and p.images == 5 * 128 and p.epochs == 1
    s = estimate.Speed(train_per_s=1000, eval_per_s=4000, startup_s=3, threads=1, batch=128)
    assert estimate.seconds(estimate.plan(PRESETS["quick"].train), s) == pytest.approx(3 + 120 + 2 * 2.5)


def test_the_first_try_is_told_why_it_cannot_learn():
    first_try = replace(PRESETS["seed004-mlp"].train, epochs=1, subset=2000)
    kinds = {w.kind: w for w in estimate.advice(first_try, estimate.plan(first_try), 20)}
    assert set(kinds) == {"few_steps", "few_images", "short_of_article"}
    assert kinds["few_steps"].details["steps"] == 200
    assert kinds["short_of_article"].details == {"epochs": 30, "n": 50_000, "our_epochs": 1, "our_n": 2000}
    quick = PRESETS["quick"].train
    assert estimate.advice(quick, estimate.plan(quick), 40) == []
    (long,) = estimate.advice(quick, estimate.plan(quick), 900)
    assert long.kind == "too_long" and long.details["minutes"] == 15


def test_a_measured_speed_is_cached_per_model_not_per_epoch_count(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITLAB_RUNS", str(tmp_path))
    monkeypatch.setenv("DIGITLAB_TRAIN_THREADS", "1")
    cfg = TrainConfig(MLPConfig(hidden=(32,)), batch_size=64, epochs=3, device="cpu")
    assert estimate.cached(cfg) is None
    s = estimate.measure(cfg)
    assert s.threads == 1 and s.batch == 64 and s.train_per_s > 100 and s.eval_per_s > 100 and s.startup_s > 0
    assert estimate.cached(replace(cfg, epochs=30, lr=0.1)) == s  # the same steps: the same speed
    assert estimate.cached(replace(cfg, batch_size=65)) is None  # another batch: measured anew
    assert json.loads((tmp_path / ".speed.json").read_text())  # kept on disk for every session
    (tmp_path / ".speed.json").write_text("{not json")
    assert estimate.cached(cfg) is None  # a damaged cache is measured again, never a crash


def test_a_teachers_forward_pass_is_measured_with_its_run(tmp_path, monkeypatch, capsys):
    """A run taught by a shipped model does the teacher's forward pass on every batch: it is timed with the
    run, under a key of its own, and a teacher that cannot load is said in one line."""
    monkeypatch.setenv("DIGITLAB_RUNS", str(tmp_path))
    monkeypatch.setenv("DIGITLAB_TRAIN_THREADS", "1")
    cfg = TrainConfig(MLPConfig(hidden=(32,)), batch_size=64, epochs=3, device="cpu")
    taught = replace(cfg, teacher="cnn")
    assert estimate.speed_key(taught) != estimate.speed_key(cfg)
    assert "teacher" not in estimate.speed_key(cfg)  # the keys measured before teachers stay valid
    s = estimate.measure(taught)
    assert estimate.cached(taught) == s and estimate.cached(cfg) is None
    with pytest.raises(RuntimeError, match="the teacher 'nosuchmodel' cannot be loaded"):
        estimate.measure(replace(cfg, teacher="nosuchmodel"))
    assert estimate.main(["--preset", "quick", "--teacher", "nosuchmodel", "--epochs", "1"]) == 1
    assert estimate.main(["--preset", "quick", "--teacher", "../x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("python -m train.estimate: cannot measure: ") and "nosuchmodel" in err[0]
    assert err[1].startswith("python -m train.estimate: refused: teacher must be the name of a shipped model")
