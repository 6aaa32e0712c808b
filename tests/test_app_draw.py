"""AppTest of the Draw page: a drawing gets both models' answers; bad input gets words; names stay text.

AppTest has no browser, so there is no canvas to draw on: the `canvas` fixture replaces the drawing
surface (`ui.draw.ink_canvas.drawing`) with a function that returns the image a test sets. The page itself
knows nothing about tests.
"""

import base64
import html
import io
import re

import numpy as np
import pytest
import torch
from PIL import Image, ImageFile
from streamlit.testing.v1 import AppTest

from model import store
from model.nets import config_from_dict
from model.store import PRETRAINED
from ui.draw import ink_canvas

APP = str(__import__("pathlib").Path(__file__).resolve().parent.parent / "app.py")
MARKUP = "<img src=x onerror=alert(1)><b>bold</b> **star** [link](http://e.x) :red[red] $x^2$"


def canvas_of(digit28: np.ndarray, size: int = 280) -> np.ndarray:
    """An MNIST digit as the canvas sends it: RGBA, transparent background, ink in alpha, off-centre."""
    big = np.asarray(Image.fromarray(digit28).resize((size // 2, size // 2), Image.BILINEAR))
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[20:20 + size // 2, 100:100 + size // 2, 3] = big
    return rgba


def digits_shown(at) -> list[str]:
    return [m.value.split("data-digit='")[1][0] for m in at.markdown if "data-digit=" in m.value]


def test_empty_canvas_says_nothing_to_read(app):
    assert any("Nothing to read" in i.value for i in app.info)
    assert digits_shown(app) == []


def test_a_drawing_gets_both_answers(app, canvas, mnist):
    for i in range(3):
        canvas["draw_canvas"] = canvas_of(mnist.x_test[i])
        app.run()
        assert not app.exception
        assert digits_shown(app) == [str(mnist.y_test[i])] * 2
    assert any(m.value == f"Both say {mnist.y_test[2]}" for m in app.markdown)


def test_default_pickers_are_the_shipped_mlp_and_cnn(app):
    boxes = {s.key: s.value for s in app.selectbox}
    assert boxes["draw_model_mlp"].name == "mlp" and boxes["draw_model_cnn"].name == "cnn"
    assert boxes["draw_model_mlp"].source == boxes["draw_model_cnn"].source == "shipped"


def test_specks_only_are_not_read(app, canvas):
    img = np.zeros((280, 280, 4), np.uint8)
    img[40:42, 40:42, 3] = 255
    img[200:202, 230:232, 3] = 255
    canvas["draw_canvas"] = img
    app.run()
    assert digits_shown(app) == []
    assert app.info  # a message instead of a prediction


def test_chinese_switch_translates_the_page(app, canvas, mnist):
    app.sidebar.radio(key="lang").set_value("zh").run()
    assert app.title[0].value == "写一个数字"
    canvas["draw_canvas"] = canvas_of(mnist.x_test[0])
    app.run()
    assert any("两个模型都认为是" in m.value for m in app.markdown)


def test_number_mode_reads_a_number(app, canvas, mnist):
    idx = [int(np.flatnonzero(mnist.y_test == d)[0]) for d in (2, 0, 2, 6)]
    row = np.concatenate([np.pad(mnist.x_test[i], ((0, 0), (6, 6))) for i in idx], axis=1)  # (28, 160)
    big = np.asarray(Image.fromarray(row).resize((640, 112), Image.BILINEAR))
    rgba = np.zeros((220, 640, 4), np.uint8)
    rgba[50:162, :, 3] = big
    canvas["draw_number"] = rgba
    app.segmented_control(key="draw_mode").set_value("number").run()
    assert not app.exception
    numbers = [m.value.split("data-number='")[1].split("'")[0] for m in app.markdown if "data-number=" in m.value]
    assert "2026" in numbers


def png_bytes(arr) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def test_the_crop_box_can_be_shown_on_the_drawing(app, canvas, mnist):
    canvas["draw_canvas"] = canvas_of(mnist.x_test[0])
    app.run()
    n = len(app.image)
    app.toggle(key="draw_show_crop").set_value(True).run()
    assert not app.exception
    assert len(app.image) == n + 1


def test_the_language_comes_from_the_url_and_goes_back_into_it(canvas):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "zh"
    at.run()
    assert at.title[0].value == "写一个数字"
    at.sidebar.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "Draw a digit" and at.query_params["lang"] in ("en", ["en"])


def test_a_run_name_full_of_markup_is_shown_as_text(canvas, mnist, tmp_path, monkeypatch):
    # a run named by a mischievous user, whose MLP always says 3, so that the verdict names it
    model, info = store.load(PRETRAINED / "mlp")
    last_bias = [p for name, p in model.named_parameters() if name.endswith("bias")][-1]  # (10,)
    with torch.no_grad():
        last_bias[3] += 1000
    store.save(tmp_path / "runs" / "20260101-markup", model, config_from_dict(info["architecture"]), name=MARKUP)
    monkeypatch.setenv("DIGITLAB_RUNS", str(tmp_path / "runs"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    picker = at.selectbox(key="draw_model_mlp")
    picker.select_index(next(i for i, o in enumerate(picker.options) if o.startswith(MARKUP)))
    canvas["draw_canvas"] = canvas_of(mnist.x_test[0])  # a 7
    at.run()
    assert not at.exception
    shown = [m for m in at.markdown if "onerror" in m.value]
    assert len(shown) == 2  # the answer panel's name and the verdict "They disagree: <name> says …"
    panel, = [m for m in shown if "dl-name" in m.value]
    verdict, = [m for m in shown if m.value.startswith("They disagree")]
    # beside the digit the name is in our HTML, escaped as HTML: one line of HTML, which Markdown leaves alone
    name = re.search(r"<div class='dl-name'>(.*?)</div>", panel.value).group(1)
    assert name.startswith(html.escape(MARKUP, quote=True) + " (")
    assert "<img" not in name and "\n" not in panel.value
    assert not verdict.proto.allow_html
    # every character that Markdown, HTML, Streamlit's :color[] or LaTeX could act on is escaped
    assert not re.findall(r"(?<!\\)[<>*\[\]():$]", verdict.value), verdict.value
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\>" in verdict.value


def test_overlapping_predictions_restore_the_servers_thread_count():
    """Two sessions predicting at once: torch's count is the process's, so the last one out restores it."""
    from ui.models import one_thread
    before = torch.get_num_threads()
    first, second = one_thread(), one_thread()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first session finishes while the second still predicts
    assert torch.get_num_threads() == 1
    second.__exit__(None, None, None)
    assert torch.get_num_threads() == before


# The canvas's value comes over the websocket: anyone can send anything (issue 17, item 3).

def data_url(image: Image.Image, fmt: str = "PNG", **kw) -> str:
    buf = io.BytesIO()
    image.save(buf, fmt, **kw)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_the_canvas_png_reads_back_exactly():
    rgba = canvas_of(np.eye(28, dtype=np.uint8) * 255)
    assert np.array_equal(ink_canvas.decode(data_url(Image.fromarray(rgba)), 280, 280), rgba)


@pytest.mark.parametrize("fmt", ["TIFF", "GIF", "WEBP", "BMP", "JPEG"])
def test_a_forged_canvas_value_in_another_format_is_ignored_with_a_log_line(fmt, caplog):
    forged = data_url(Image.new("RGB", (280, 280), "black"), fmt)
    assert ink_canvas.decode(forged, 280, 280) is None
    assert "canvas value ignored" in caplog.text and "not a PNG" in caplog.text


def test_a_forged_png_larger_than_the_canvas_is_refused_from_its_header(caplog, monkeypatch):
    big = data_url(Image.new("1", (12000, 12000)), optimize=True)  # a few kB; 576 MB once decoded as RGBA
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("pixels were decoded"))
    assert ink_canvas.decode(big, 280, 280) is None
    assert "12000 × 12000" in caplog.text


@pytest.mark.parametrize("value", ["hello", "data:image/png;base64,hello", "data:image/png;base64,", None, 5,
                                   "data:image/png;base64," + "A" * 2_000_000])
def test_garbage_canvas_values_are_ignored_without_a_traceback(value, caplog):
    assert ink_canvas.decode(value, 280, 280) is None
    assert "canvas value ignored" in caplog.text


@pytest.mark.parametrize("value", [{"drawing": {"png": "hello", "strokes": 1}}, {"drawing": "hello"}])
def test_the_draw_page_survives_a_forged_canvas_value(value, monkeypatch):
    monkeypatch.setattr(ink_canvas, "_component", lambda **kw: value)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert not digits_shown(at) and any("Nothing to read" in i.value for i in at.info)

def _ask_for_strokes():  # an AppTest script: one canvas, and its strokes only when the session asks
    import streamlit as st

    from ui.draw import ink_canvas
    ink_canvas.drawing("k", 280, 280, 18)
    if st.session_state.get("ask"):
        st.write(f"strokes: {ink_canvas.strokes('k')!r}")


def test_a_canvas_checks_its_strokes_only_when_they_are_asked_for(monkeypatch, caplog):
    """The single-digit canvas sends its strokes too, but only number mode reads them: they are checked then,
    once per drawing, and a forged list is None with one log line."""
    png = data_url(Image.fromarray(canvas_of(np.eye(28, dtype=np.uint8) * 255)))
    monkeypatch.setattr(ink_canvas, "_component", lambda **kw: {"drawing": {"png": png, "strokes": [[1e9, 1, 2]]}})
    checked = []
    real = ink_canvas.pen.parse
    monkeypatch.setattr(ink_canvas.pen, "parse", lambda *a: checked.append(a) or real(*a))
    at = AppTest.from_function(_ask_for_strokes, default_timeout=30)
    at.run()
    at.run()
    assert not at.exception and checked == [] and "strokes ignored" not in caplog.text
    at.session_state["ask"] = True
    at.run()
    at.run()
    assert [m.value for m in at.markdown] == ["strokes: None"] and len(checked) == 1
    assert caplog.text.count("canvas strokes ignored") == 1


def test_each_picker_lists_its_own_kind_first_by_name_accuracy_and_date(canvas, tmp_path, monkeypatch):
    """Issue 15: a run shows as its name, accuracy and date, never its folder id; the MLP slot offers MLPs first."""
    runs = tmp_path / "runs"
    for kind, folder in (("mlp", "20260101-0900-mlp"), ("cnn", "20260101-0930-cnn")):
        model, info = store.load(PRETRAINED / kind)
        store.save(runs / folder, model, config_from_dict(info["architecture"]), name=f"my {kind}",
                   metrics={"test_acc": 0.9})
    monkeypatch.setenv("DIGITLAB_RUNS", str(runs))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    for slot in ("mlp", "cnn"):
        options = at.selectbox(key=f"draw_model_{slot}").options
        assert options[0].startswith(f"{slot} · "), options  # the shipped model of its own kind on top
        mine = [o for o in options if o.startswith(f"my {slot}")]
        other = [o for o in options if o.startswith(f"my {'cnn' if slot == 'mlp' else 'mlp'}")]
        assert options.index(mine[0]) < options.index(other[0]), options  # its own kind's run before the other's
        assert re.fullmatch(rf"my {slot} · 90\.00% · \d{{4}}-\d\d-\d\d \d\d:\d\d", mine[0]), mine
        assert not any("20260101" in o for o in options), options  # no run ids


def test_a_stroke_is_answered_only_when_no_other_session_is_answering(app, canvas, mnist):
    """Sessions answer one after another (ui.models.one_answer_at_a_time): while the lock is held, as by
    another student's answer, this stroke waits; once let go, it is answered."""
    import threading

    from ui import models
    canvas["draw_canvas"] = canvas_of(mnist.x_test[0])
    done = threading.Event()
    with models.one_answer_at_a_time():
        runner = threading.Thread(target=lambda: (app.run(timeout=60), done.set()), daemon=True)
        runner.start()
        assert not done.wait(3), "answered while another session held the lock"
    runner.join(60)
    assert done.is_set() and not app.exception
    assert [m.value for m in app.markdown if "data-digit='7'" in m.value]
