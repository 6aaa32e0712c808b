"""Explanations on tiny models whose answers are known: signs, shapes, and the completeness of the map."""

import numpy as np
import torch
from torch import nn

from model import explain
from model.nets import CNN, MLP, CNNConfig, ConvBlock, MLPConfig


class Net(nn.Module):
    def __init__(self, *layers):
        super().__init__()
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def left_vs_right() -> Net:
    """Class 0's logit = ink on the left half − ink on the right half; class 1 the opposite."""
    lin = nn.Linear(784, 2, bias=False)
    w = np.zeros((28, 28), np.float32)
    w[:, :14], w[:, 14:] = 1, -1
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(np.stack([w.ravel(), -w.ravel()])))
    return Net(nn.Flatten(), lin).eval()


def test_saliency_signs_follow_what_pushes_the_answer_up_or_down():
    img = np.zeros((28, 28), np.float32)
    img[5:20, 3:8] = 1.0      # left: pushes class 0 up
    img[5:10, 20:24] = 0.5    # right: pulls class 0 down
    sal, target = explain.integrated_gradients(left_vs_right(), img)
    assert target == 0 and sal.shape == (28, 28)
    assert (sal[5:20, 3:8] > 0.99).all() and np.allclose(sal[5:10, 20:24], -0.5)
    assert np.all(sal[img == 0] == 0)  # blank pixels carry nothing
    sal1, _ = explain.integrated_gradients(left_vs_right(), img, target=1)
    assert np.allclose(sal1, -sal)


def test_saliency_adds_up_to_the_change_in_logit():
    torch.manual_seed(0)
    model = MLP(MLPConfig(hidden=(32,), activation="tanh")).eval()
    img = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    sal, target = explain.integrated_gradients(model, img, steps=64)
    with torch.no_grad():
        gain = model(torch.tensor(img)[None, None])[0, target] - model(torch.zeros(1, 1, 28, 28))[0, target]
    assert abs(sal.sum() - float(gain)) < 0.02 * max(1.0, abs(float(gain)))


def test_feature_maps_of_the_first_conv_layers():
    model = CNN(CNNConfig(blocks=(ConvBlock(4, kernel=3, pool=2), ConvBlock(6, kernel=3)), dense=(8,))).eval()
    maps = explain.feature_maps(model, np.ones((28, 28), np.float32))
    assert [m.shape for m in maps] == [(4, 28, 28), (6, 14, 14)]
    assert all((m >= 0).all() for m in maps)  # after ReLU
    assert explain.feature_maps(MLP(MLPConfig()).eval(), np.ones((28, 28))) == []


def test_top_units_are_those_that_carry_the_answer():
    model = Net(nn.Flatten(), nn.Linear(784, 3), nn.ReLU(), nn.Linear(3, 2)).eval()
    with torch.no_grad():
        model.net[1].weight.zero_()
        model.net[1].bias.copy_(torch.tensor([1.0, 2.0, 3.0]))
        model.net[1].weight[1, 0] = 5.0  # a recognisable weight image for unit 1
        model.net[3].weight.copy_(torch.tensor([[1.0, 3.0, -1.0], [0.0, 0.0, 0.0]]))
    w, score, target = explain.top_units(model, np.zeros((28, 28)), target=0, k=2)
    assert target == 0 and w.shape == (2, 28, 28)
    assert score.tolist() == [6.0, 1.0]  # unit 1 (2 × 3), then unit 0 (1 × 1); unit 2 pulls it down
    assert w[0, 0, 0] == 5.0
    cnn = CNN(CNNConfig(blocks=(ConvBlock(4),), dense=())).eval()
    assert explain.top_units(cnn, np.zeros((28, 28)))[0].shape == (0, 28, 28)
