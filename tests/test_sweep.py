"""The batched sweep equals training each shape alone; the CLI, the page's job path and Ray agree."""

import json
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from sweep.core import BatchedMLP, SweepConfig, loss_fn, parse_ms, pieces, sweep, train_piece

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
        "k must be 1-3", "m must be whole numbers from 1 to 4096", "the NumPy twin has sigmoid layers only"]


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


def test_the_cli_refuses_bad_grids():
    bad = subprocess.run([sys.executable, "-m", "sweep", "--k", "5"], capture_output=True, text=True)
    assert bad.returncode == 2 and "k must be 1-3" in bad.stderr
    bad = subprocess.run([sys.executable, "-m", "sweep", "--m", "10:x"], capture_output=True, text=True)
    assert bad.returncode == 2 and "error" in bad.stderr and "Traceback" not in bad.stderr


def test_ray_gives_the_local_numbers(mnist):
    import ray
    cfg = SweepConfig(ks=(1, 2), ms=(8, 16, 24), epochs=1, lr=0.5, subset=500, device="cpu", max_units=24)
    local = sweep(cfg, data=mnist)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        events = []
        remote = sweep(cfg, on_event=events.append, ray="auto")
    finally:
        ray.shutdown()
    assert len(pieces(cfg)) == 4 and len(remote) == 6
    assert strip(remote) == strip(local)
    assert [e["kind"] for e in events].count("row") == 6 and events[0]["where"] == "ray auto"
