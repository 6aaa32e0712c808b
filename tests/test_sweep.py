"""The batched sweep equals training each shape alone; the CLI, the page's job path and Ray agree."""

import dataclasses
import json
import subprocess
import sys
import time
import tracemalloc

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from sweep import cluster, estimate
from sweep.__main__ import main as sweep_cli
from sweep.config import SweepConfig, parse_ks, parse_ms
from sweep.core import BatchedMLP, loss_fn, pieces, sweep, train_piece

TINY = SweepConfig(ks=(1, 2), ms=(8, 16), epochs=2, lr=0.5, subset=600, device="cpu")


def separate_nets(model: BatchedMLP) -> list[nn.Sequential]:
    """The models inside a BatchedMLP, copied out as ordinary nn.Linear stacks."""
    nets = []
    for j in range(len(model.widths)):
        layers = []
        for layer, (w, b) in enumerate(model.model_params(j)):
            lin = nn.Linear(*w.shape)
            with torch.no_grad():
                lin.weight.copy_(w.T)
                lin.bias.copy_(b)
            layers += [lin] + ([nn.Sigmoid()] if layer < model.k else [])
        nets.append(nn.Sequential(*layers))
    return nets


def test_one_sgd_step_of_the_batch_equals_separate_steps():
    torch.manual_seed(0)
    model = BatchedMLP([5, 9, 3], k=2)
    nets = separate_nets(model)
    x, y = torch.rand(10, 784), torch.randint(0, 10, (10,))
    out = model(x)
    for j, net in enumerate(nets):
        torch.testing.assert_close(out[:, j], net(x))
    opt = torch.optim.SGD(model.parameters(), lr=0.5, weight_decay=1e-4)
    loss_fn(model(x), y).backward()
    opt.step()
    for net in nets:
        o = torch.optim.SGD(net.parameters(), lr=0.5, weight_decay=1e-4)
        F.cross_entropy(net(x), y).backward()
        o.step()
    after = model(x)
    for j, net in enumerate(nets):
        torch.testing.assert_close(after[:, j], net(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh"])
def test_padding_stays_zero_and_out_of_the_answers(activation):
    """Models narrower than the widest of their piece are padded; after steps with weight decay the
    padding is still exactly 0, and each model answers as it does alone."""
    model = BatchedMLP([3, 7, 5], k=3, activation=activation, seed=1)
    opt = torch.optim.SGD(model.parameters(), lr=0.5, weight_decay=1e-2)
    g = torch.Generator().manual_seed(0)
    for _ in range(5):
        x, y = torch.rand(10, 784, generator=g), torch.randint(0, 10, (10,), generator=g)
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    own = torch.zeros_like(model.weights[1], dtype=torch.bool)
    for j, m in enumerate(model.widths):
        own[j, :m, :m] = True
        assert not model.weights[3][j, m:].any() and not model.biases[1][j, 0, m:].any()
    assert not model.weights[1][~own].any() and not model.weights[2][~own].any()
    for j, m in enumerate(model.widths):
        alone = BatchedMLP([m], k=3, activation=activation)
        with torch.no_grad():
            for (w, b), (wa, ba) in zip(model.model_params(j), alone.model_params(0)):
                wa.copy_(w), ba.copy_(b)
        torch.testing.assert_close(model(x)[:, j], alone(x)[:, 0], rtol=1e-5, atol=1e-6)


def test_a_seeded_model_starts_the_same_alone_or_beside_others():
    alone = BatchedMLP([16], k=2, seed=3)
    batch = BatchedMLP([8, 16, 4], k=2, seed=3)
    for a, b in zip(separate_nets(alone)[0], separate_nets(batch)[1]):
        if isinstance(a, nn.Linear):
            assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)


def test_widths_and_pieces():
    assert parse_ms("10:20:5") == (10, 15, 20) and parse_ms("10:12") == (10, 11, 12) and parse_ms("7,3") == (7, 3)
    with pytest.raises(ValueError):
        parse_ms("10:20:0")
    cfg = SweepConfig(ks=(1, 3), ms=tuple(range(10, 785)), max_units=4096)
    cut = pieces(cfg)
    assert all(sum(w) <= 4096 for _, w in cut)
    for k in (1, 3):  # every width of every depth exactly once, in order
        assert [m for kk, w in cut if kk == k for m in w] == list(range(10, 785))
    assert SweepConfig(ks=(4,), ms=(0,), backend="numpy", activation="relu").problems() == [
        "k must be 1-3", "m must be at most 4096 whole numbers from 1 to 4096",
        "the NumPy twin has sigmoid layers only"]
    assert parse_ks("2,1,2") == (1, 2)


@pytest.mark.parametrize("text", ["1:1000000000", "1:60000000", "0:10", "10:5", "1:4096:0", ",".join(["5"] * 5000),
                                  "1" * 5000, "8,-3", "8,,9", "x:9"])
def test_widths_are_checked_before_anything_is_built(text):
    """Issue 17.1: "1:60000000" built its whole range (2.7 GB in the server) before the 1-4096 check."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError):
            parse_ms(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200_000, f"{text[:20]!r}: {peak:,} bytes before the refusal"


def strip(rows):
    return sorted(({k: v for k, v in r.items() if k != "seconds"} for r in rows), key=lambda r: (r["k"], r["m"]))


def test_the_cli_and_the_page_job_give_each_cells_own_numbers(mnist, tmp_path, monkeypatch):
    """A tiny grid through the CLI and through the page's job path (sweep_jobs.start), against each
    (k, m) trained alone: the same figures (batched sums may differ in float rounding: ±2 images)."""
    from sweep import job as sweep_jobs
    monkeypatch.setenv("DIGITLAB_RUNS", str(tmp_path / "runs"))
    out = tmp_path / "cli.json"
    r = subprocess.run([sys.executable, "-m", "sweep", "--k", "1,2", "--m", "8,16", "--epochs", "2",
                        "--lr", "0.5", "--subset", "600", "--device", "cpu", "--out", str(tmp_path / "cli"),
                        "--json", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    cli = json.loads(out.read_text())
    best = max(cli, key=lambda r: r["val_acc"])
    assert r.stdout.count(": val ") == 4 and f"best: k={best['k']}, m={best['m']} at" in r.stdout
    folder = sweep_jobs.start(TINY)
    info = sweep_jobs.wait(folder, 600)
    assert info.state == "done", info.status
    assert strip(sweep_jobs.rows(folder)) == strip(cli)  # the page's job and the CLI: identical
    for row in cli:
        alone = train_piece(TINY, row["k"], (row["m"],), mnist)[0]
        for key in ("val_acc", "test_acc"):
            assert abs(alone[key] - row[key]) <= 2e-4, (row, alone)
    assert max(r["val_acc"] for r in cli) > 0.5  # they learnt something: equal numbers are not chance


@pytest.mark.parametrize("args, says", [
    (["--seed", "-1"], "the seed must be a whole number from 0"),
    (["--subset", "-5"], "the subset must be 0"),
    (["--max-units", "-5"], "the units per piece must be"),
    (["--device", "cuda:99"], "GPU"),
    (["--out", "FILE"], "is a file; name a new folder"),
    (["--json", "MISSING/rows.json"], "--json: there is no folder"),
    (["--json", "."], "is a folder; name a file"),
    (["--m", "1:60000000"], "widths must be from 1 to 4096"),
    (["--k", "1,x"], "k must be 1-3"),
])
def test_the_cli_refuses_bad_arguments_in_one_line_before_any_work(args, says, tmp_path, capsys, monkeypatch):
    """Issue 17.10: tracebacks for --seed -1, --out at a file, --device cuda:99, --json into a missing folder
    (after the whole sweep ran); --subset -5 and --max-units -5 accepted silently."""
    trained = []
    monkeypatch.setattr("sweep.job.sweep", lambda *a, **k: trained.append(a) or [])  # any work at all shows here
    (tmp_path / "FILE").write_text("keep me")
    args = [str(tmp_path / a) if a in ("FILE", "MISSING/rows.json") else a for a in args]
    tracemalloc.start()
    try:
        code = sweep_cli(["--epochs", "1", "--m", "8", "--out", str(tmp_path / "new"), *args])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    err = capsys.readouterr().err
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1, err
    assert not trained and (tmp_path / "FILE").read_text() == "keep me"
    assert not (tmp_path / "new").exists() or "--out" in args
    assert peak < 5_000_000, f"{peak:,} bytes allocated before the refusal"


def cli_refusal(args, capsys) -> tuple[int, str]:
    """`python -m sweep ARGS` in this process (the real command runs in the test above): its exit code and
    stderr. An exception other than argparse's SystemExit fails the test, as a traceback would."""
    try:
        code = sweep_cli(args)
    except SystemExit as e:
        code = e.code
    return code, capsys.readouterr().err


def test_the_cli_refuses_bad_grids(capsys):
    code, err = cli_refusal(["--k", "5"], capsys)
    assert code == 2 and "k must be 1-3" in err
    code, err = cli_refusal(["--m", "10:x"], capsys)
    assert code == 2 and "error" in err and "Traceback" not in err


def test_ray_gives_the_local_numbers(mnist):
    import ray
    cfg = SweepConfig(ks=(1, 2), ms=(8, 16, 24), epochs=1, lr=0.5, subset=500, device="cpu", max_units=24)
    local = sweep(cfg, data=mnist)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        events = []
        remote = sweep(cfg, on_event=events.append, runner=cluster.runner("auto"))
    finally:
        ray.shutdown()
    assert len(pieces(cfg)) == 4 and len(remote) == 6
    assert strip(remote) == strip(local)
    assert [e["kind"] for e in events].count("row") == 6 and events[0]["where"] == "ray auto"


@pytest.mark.alone
def test_the_projected_time_is_measured_here_cached_and_scales_with_the_work():
    """Issue 17.8 / 15: a sweep's time is projected from a few timed steps on this machine, before it starts."""
    cfg = SweepConfig(ks=(1, 2), ms=(8, 16, 300), epochs=2, subset=2000, device="cpu", max_units=24)
    first = estimate.projected_seconds(cfg)
    t0 = time.perf_counter()
    again = estimate.projected_seconds(cfg)
    assert time.perf_counter() - t0 < 0.05 and again == first > 0  # cached: nothing measured twice
    assert estimate.projected_seconds(dataclasses.replace(cfg, epochs=4)) == pytest.approx(2 * first)
    more = estimate.projected_seconds(dataclasses.replace(cfg, subset=8000))
    assert more > 2 * first  # 4× the steps, the same scoring
    if not torch.cuda.is_available():
        assert estimate.projected_seconds(dataclasses.replace(cfg, device="cuda")) is None
