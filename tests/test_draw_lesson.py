"""AppTest of the Draw page's sections under the answers: Explain (computed only when open) and the
"Wrong? It was a …" row that saves the drawing to the class's collection."""

from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect
from streamlit.testing.v1 import AppTest

from classroom import drawings as collection
from ui import roles

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
    monkeypatch.setenv(roles.KEY_ENV, "the-teachers-key")  # a student's session: saving stays open to students
    at = AppTest.from_file(APP, default_timeout=120)
    canvas["draw_canvas"] = seven()
    at.run()
    at.text_input(key="coll_nickname_box").input("  Ana\n").run()
    at.button_group(key="coll_pick").set_value(1).run()
    assert at.success[0].value == "Saved as a 1. Drawings saved by the class: 1."
    at.button_group(key="coll_pick").set_value(7).run()
    assert at.success[0].value == "Saved as a 7. Drawings saved by the class: 1."
    c = collection.load(tmp_path)
    assert c.labels.tolist() == [7] and c.images[0].max() == 255 and c.canvas_png(0)[:4] == b"\x89PNG"
    assert c.nicknames.tolist() == ["Ana"] and c.sessions[0] == at.session_state["coll_session"]
    (tmp_path / collection.FILE).write_bytes(b"damaged")
    at.button_group(key="coll_pick").set_value(3).run()
    assert "cannot be read" in at.error[0].value and (tmp_path / collection.FILE).read_bytes() == b"damaged"


def test_wrong_is_one_widget_of_ten_digits_and_the_nickname_stays_out_of_the_strokes(canvas, monkeypatch, tmp_path):
    """Ten digits as one pills widget (not ten buttons: sixteen messages to the browser at every stroke), and
    the nickname box on the page, outside the fragment a stroke reruns; a pick lets go at once, so the
    same digit can be picked again for the next drawing."""
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=120)
    canvas["draw_canvas"] = seven()
    at.run()
    row = at.container("coll-row")
    assert [p.key for p in row.button_group] == ["coll_pick"] and not row.button and not row.text_input
    assert at.button_group(key="coll_pick").options == [str(d) for d in range(10)]
    assert not [b for b in at.button if b.key and b.key.startswith("coll_label_")]
    assert [box.key for box in at.text_input] == ["coll_nickname_box"]
    at.button_group(key="coll_pick").set_value(7).run()
    assert at.button_group(key="coll_pick").value is None and collection.count(tmp_path) == 1


def test_a_flood_from_one_browser_gets_a_sentence_not_a_save(canvas, monkeypatch, tmp_path):
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path))
    monkeypatch.setattr(collection, "SAVES_PER_WINDOW", 2)
    at = AppTest.from_file(APP, default_timeout=120)
    for shift in range(3):  # three different drawings, one save each
        img = seven()
        img[60:80, 70:70 + 25 * shift] = 0  # a shorter bar: another drawing (a shift alone is centred away)
        canvas["draw_canvas"] = img
        at.run()
        at.button_group(key="coll_pick").set_value(7).run()
    assert at.error[0].value == "You saved 2 drawings in the last minute: wait a moment, then save again."
    assert collection.count(tmp_path) == 2
    at.session_state["lang"] = "zh"
    at.button_group(key="coll_pick").set_value(7).run()
    assert at.error[0].value.startswith("你在一分钟内已经保存了 2 幅笔迹")


@pytest.mark.browser
def test_the_wrong_grid_fits_a_390_px_phone_in_two_rows(tmp_path):
    from tests.browser import chromium, phone_page, ready_canvas, settled, streamlit_server, touch_stroke
    with streamlit_server(env={"DIGITLAB_DRAWINGS": str(tmp_path)}) as url, chromium() as browser:
        page = phone_page(browser)
        page.goto(url)
        canvas = ready_canvas(page, 60_000)
        touch_stroke(page, canvas, [(0.25, 0.2), (0.7, 0.2), (0.42, 0.85)], steps=6)
        digits = page.locator(".st-key-coll_pick button[role=radio]")
        expect(digits).to_have_count(10, timeout=60_000)
        boxes = [digits.nth(d).bounding_box() for d in range(10)]
        assert [digits.nth(d).inner_text() for d in range(10)] == [str(d) for d in range(10)]
        rows = sorted({round(b["y"]) for b in boxes})
        assert len(rows) == 2, boxes  # 5 × 2, not ten stacked full-width buttons
        assert all(b["x"] >= 0 and b["x"] + b["width"] <= 390 for b in boxes), boxes
        assert all(b["width"] < 390 / 4 and b["height"] >= 32 for b in boxes), boxes  # small, still a finger's size
        settled(page)  # a tap while the answer's rerun still runs can land on a button about to be replaced
        digits.nth(7).tap()
        page.locator(".st-key-coll-count").get_by_text("Saved as a 7.").wait_for(timeout=60_000)
    assert collection.load(tmp_path).labels.tolist() == [7]
