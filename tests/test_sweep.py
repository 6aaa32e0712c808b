"""The batched sweep equals training each shape alone, and the CLI runs on a small subset."""

import subprocess
import sys

import torch
import torch.nn.functional as F
from torch import nn

from train.sweep import BatchedMLP, loss_fn


def separate_nets(model: BatchedMLP) -> list[nn.Sequential]:
    """The models inside a BatchedMLP, copied out as ordinary nn.Linear stacks."""
    nets = []
    for j, m in enumerate(model.widths):
        sizes = [784] + [m] * model.k + [10]
        layers = []
        for layer, (w, b) in enumerate(zip(model.weights, model.biases)):
            c0 = sum(([784] + [mm] * model.k + [10])[layer + 1] for mm in model.widths[:j])
            r0 = 0 if layer == 0 else sum(([784] + [mm] * model.k + [10])[layer] for mm in model.widths[:j])
            fi, fo = sizes[layer], sizes[layer + 1]
            lin = nn.Linear(fi, fo)
            with torch.no_grad():
                lin.weight.copy_(w[r0:r0 + fi, c0:c0 + fo].T)
                lin.bias.copy_(b[c0:c0 + fo])
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


def test_sweep_cli_on_a_subset():
    r = subprocess.run([sys.executable, "-m", "train.sweep", "--k", "1,2", "--m", "8,32", "--epochs", "1",
                        "--subset", "2000", "--device", "cpu"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("val ") == 4 and "best: k=" in r.stdout
    bad = subprocess.run([sys.executable, "-m", "train.sweep", "--k", "5"], capture_output=True, text=True)
    assert bad.returncode == 2 and "k must be 1-3" in bad.stderr
