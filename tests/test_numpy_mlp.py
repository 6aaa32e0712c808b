"""The NumPy MLP against PyTorch autograd (as micrograd tests itself), and a smoke run on MNIST."""

import numpy as np
import pytest
import torch

from model.numpy_mlp import NumpyMLP, sigmoid, train


def test_gradients_match_autograd():
    rng = np.random.default_rng(1)
    net = NumpyMLP((784, 16, 12, 10), seed=3)
    x = rng.random((7, 784), dtype=np.float32)
    y = rng.integers(0, 10, 7)
    lmbda, n = 0.1, 50
    gw, gb = net.gradients(x, y, lmbda, n)

    ws = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in net.weights]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in net.biases]
    a = torch.tensor(x, dtype=torch.float64)
    for w, b in zip(ws, bs):
        a = torch.sigmoid(a @ w.T + b.T)  # rows of images; the net keeps W as (out, in)
    target = torch.nn.functional.one_hot(torch.tensor(y), 10).double()
    ce = torch.nn.functional.binary_cross_entropy(a, target, reduction="none").sum(1).mean()
    loss = ce + lmbda / (2 * n) * sum((w ** 2).sum() for w in ws)
    loss.backward()
    assert loss.item() == pytest.approx(net.cost(x, y, lmbda, n), rel=1e-4)
    for mine, ref in zip(gw + gb, [w.grad for w in ws] + [b.grad for b in bs]):
        np.testing.assert_allclose(mine, ref.numpy(), rtol=1e-3, atol=1e-6)


def test_sigmoid_is_stable_at_the_extremes():
    z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0], dtype=np.float32)
    with np.errstate(over="raise"):
        s = sigmoid(z)
    np.testing.assert_allclose(s, [0, 1 / (1 + np.exp(30)), 0.5, 1 / (1 + np.exp(-30)), 1], atol=1e-7)


def test_one_epoch_on_a_subset_learns(mnist):
    x = mnist.x_train[:5000].reshape(-1, 784).astype(np.float32) / 255
    xv = mnist.x_test[:2000].reshape(-1, 784).astype(np.float32) / 255
    net = NumpyMLP((784, 30, 10))
    before = net.cost(x, mnist.y_train[:5000], 0.1, 5000)
    hist = train(net, x, mnist.y_train[:5000], xv, mnist.y_test[:2000], epochs=1, eta=1.3)
    assert net.cost(x, mnist.y_train[:5000], 0.1, 5000) < before
    assert hist[0]["val_acc"] > 0.8


def test_the_in_place_step_is_plain_sgd_on_the_gradients():
    """step() folds η into δ and applies L2 as weight decay, in place: still W − η·∂C/∂W exactly."""
    rng = np.random.default_rng(2)
    x = rng.random((10, 784), dtype=np.float32)
    y = rng.integers(0, 10, 10)
    net, ref = NumpyMLP((784, 20, 10), seed=5), NumpyMLP((784, 20, 10), seed=5)
    eta, lmbda, n = 1.3, 0.1, 500
    for _ in range(3):  # a few steps: buffers are reused from one step to the next
        gw, gb = ref.gradients(x, y, lmbda, n)
        ref.weights = [w - eta * g for w, g in zip(ref.weights, gw)]
        ref.biases = [b - eta * g for b, g in zip(ref.biases, gb)]
        net.step(x, np.eye(10, dtype=np.float32)[y], eta, lmbda, n)
    for mine, want in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(mine, want, rtol=1e-5, atol=1e-6)
