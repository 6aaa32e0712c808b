"""AppTest of the Explore page: class balance, samples, mean images and pixel spread, a model's test images
(mistakes only on demand), and the class's drawings (grid, delete with confirmation, import)."""

import re
from pathlib import Path

import numpy as np
import torch
from streamlit.testing.v1 import AppTest

from classroom import drawings as collection
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


def explore(monkeypatch, folder) -> AppTest:
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(folder))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/explore.py").run()
    assert not at.exception
    return at


def test_explore_shows_data_and_a_models_mistakes(mnist, monkeypatch, tmp_path):
    # the shipped CNN's answers on the test set, computed here without the page's code
    model, _ = store.load(store.PRETRAINED / "cnn")
    x = torch.from_numpy(mnist.x_test.copy()).float().div(255).unsqueeze(1)
    with torch.inference_mode():
        pred = torch.cat([model.eval()(x[i:i + 2000]).argmax(1) for i in range(0, len(x), 2000)]).numpy()
    y = mnist.y_test
    wrong = np.flatnonzero(pred != y)

    at = explore(monkeypatch, tmp_path)
    assert at.title[0].value == "Explore MNIST"
    assert tiles(at) == [(i + 1, y[i], pred[i]) for i in range(24)]  # the first 24 test images, as seed 001
    caption = next(c.value for c in at.caption if "test images wrong" in c.value)
    assert caption.startswith(f"{1 - len(wrong) / len(y):.2%} right: {len(wrong)} of 10,000 test images wrong")
    subheads = [s.value for s in at.subheader]
    assert "The average image of each digit" in subheads and "How dark the pixels are" in subheads
    means = [img for img in at.image if img.captions and img.captions[0] in "0123456789"]
    assert len(means) >= 10
    at.toggle(key="explore_wrong").set_value(True).run()
    assert tiles(at) == [(i + 1, y[i], pred[i]) for i in wrong[:24]]  # its first mistakes, in order


def test_the_class_drawings_grid_delete_with_confirmation_and_import(monkeypatch, tmp_path, mnist):
    for i in range(3):
        collection.add(mnist.x_test[i] / 255, int(mnist.y_test[i]), folder=tmp_path)
    exported = collection.export_bytes(tmp_path)
    at = explore(monkeypatch, tmp_path)
    assert any(c.value.startswith("Drawings saved from the Draw page: 3") for c in at.caption)
    first = int(collection.load(tmp_path).ids[0])
    at.checkbox(key=f"coll_pick_{first}").check().run()
    at.button(key="coll_delete").click().run()
    assert len(collection.load(tmp_path)) == 3  # nothing goes before the confirmation
    at.button(key="coll_delete_yes").click().run()
    c = collection.load(tmp_path)
    assert len(c) == 2 and first not in c.ids.tolist()
    assert any(c.value.startswith("Drawings saved from the Draw page: 2") for c in at.caption)
    assert collection.import_bytes(exported, folder=tmp_path) == 1  # the deleted one comes back from the export
