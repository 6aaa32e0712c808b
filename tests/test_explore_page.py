"""AppTest of the Explore page: class balance, samples, and a model's test images, mistakes only on demand."""

import re
from pathlib import Path

import numpy as np
import torch
from streamlit.testing.v1 import AppTest

from model import store

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def tiles(at) -> list[tuple[int, int, int]]:
    """(n, label, prediction) of every test tile shown, read from the captions '#n: label → pred (p%)'."""
    out = []
    for img in at.image:
        for caption in img.captions:
            if m := re.match(r"#(\d+): (\d) → (\d)", caption):
                out.append((int(m[1]), int(m[2]), int(m[3])))
    return out


def test_explore_shows_data_and_a_models_mistakes(mnist):
    # the shipped CNN's answers on the test set, computed here without the page's code
    model, _ = store.load(store.PRETRAINED / "cnn")
    x = torch.from_numpy(mnist.x_test.copy()).float().div(255).unsqueeze(1)
    with torch.inference_mode():
        pred = torch.cat([model.eval()(x[i:i + 2000]).argmax(1) for i in range(0, len(x), 2000)]).numpy()
    y = mnist.y_test
    wrong = np.flatnonzero(pred != y)

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/explore.py").run()
    assert not at.exception
    assert at.title[0].value == "Explore MNIST"
    assert tiles(at) == [(i + 1, y[i], pred[i]) for i in range(24)]  # the first 24 test images, as seed 001
    caption = next(c.value for c in at.caption if "test images wrong" in c.value)
    assert caption.startswith(f"{1 - len(wrong) / len(y):.2%} right: {len(wrong)} of 10,000 test images wrong")
    at.toggle(key="explore_wrong").set_value(True).run()
    assert tiles(at) == [(i + 1, y[i], pred[i]) for i in wrong[:24]]  # its first mistakes, in order
