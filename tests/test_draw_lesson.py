"""AppTest of the Draw page's sections under the answers: Explain (computed only when open) and the
"Wrong? It was a …" row that saves the drawing to the class's collection."""

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from classroom import drawings as collection

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def seven() -> np.ndarray:
    img = np.zeros((280, 280, 4), np.uint8)
    img[60:80, 70:210] = (17, 17, 17, 255)   # the bar
    for y in range(80, 230):                  # the stem, leaning left as it goes down
        x = 200 - (y - 80) * 80 // 150
        img[y, x - 9:x + 9] = (17, 17, 17, 255)
    return img


def explain_texts(at) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith(("Red pixels", "The CNN's", "These are the"))]


def test_explain_is_computed_only_when_open_and_names_the_answer(canvas, monkeypatch, tmp_path):
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=120)
    canvas["draw_canvas"] = seven()
    at.run()
    assert not at.exception and at.expander[0].label == "Why? Look inside the models"
    assert explain_texts(at) == []  # closed: nothing computed
    at.session_state["draw_explain"] = True
    at.run()
    texts = explain_texts(at)
    assert any(t.startswith("Red pixels pushed cnn towards 7") for t in texts)
    assert any(t.startswith("The CNN's first layer slides 32") for t in texts)
    assert any(t.startswith("These are the 6 first-layer units of the MLP") for t in texts)
    at.session_state["lang"] = "zh"
    at.run()
    assert any("红色像素把 cnn 推向 7" in c.value for c in at.caption)


def test_one_click_saves_the_drawing_with_its_label_and_a_second_click_corrects_it(canvas, monkeypatch, tmp_path):
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=120)
    canvas["draw_canvas"] = seven()
    at.run()
    at.button(key="coll_label_1").click().run()
    assert at.success[0].value == "Saved as a 1. Drawings saved by the class: 1."
    at.button(key="coll_label_7").click().run()
    assert at.success[0].value == "Saved as a 7. Drawings saved by the class: 1."
    c = collection.load(tmp_path)
    assert c.labels.tolist() == [7] and c.images[0].max() == 255 and c.canvas_png(0)[:4] == b"\x89PNG"
    (tmp_path / collection.FILE).write_bytes(b"damaged")
    at.button(key="coll_label_3").click().run()
    assert "cannot be read" in at.error[0].value and (tmp_path / collection.FILE).read_bytes() == b"damaged"
