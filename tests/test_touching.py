"""Numbers whose digits touch (model/segment.py): the splitter on drawings made for the purpose, the
whole-number figure on bench/touching.py's test seed, and the Draw page's number mode digit by digit."""

from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from bench import synth, synth_numbers, touching
from classroom import drawings as collection
from model import segment
from model.predict import load, probabilities
from model.preprocess import split_digits

APP = str(Path(__file__).resolve().parent.parent / "app.py")
W, H = synth_numbers.SIZE


@pytest.fixture(scope="module")
def score():
    torch.set_num_threads(1)
    return touching.scorer([load(n)[0] for n in touching.NAMES])


def ten() -> np.ndarray:
    """A seeded "10" of bench/synth_numbers.py whose 1 runs into the 0 (RGBA, ink in alpha)."""
    return synth.encode(synth_numbers.touching_number("10", np.random.default_rng(5)), "alpha")


def read_by(score, img) -> list[str]:
    r = segment.read(img, score)
    return ["".join(map(str, p.argmax(1))) for p in r.probs]


def test_a_ten_whose_one_touches_the_zero_reads_ten(score):
    img = ten()
    assert len(split_digits(img)) == 1  # the quick reading sees one digit: the old "0 · 100%"
    r = segment.read(img, score)
    assert read_by(score, img) == ["10", "10"] and r.touching and r.split == [True, True]


def test_three_touching_digits_are_cut_into_three(score):
    img, text = None, "386"
    rng = np.random.default_rng(3)
    while img is None:  # a seeded drawing that fits the canvas
        img = synth_numbers.touching_number(text, rng)
    rgba = synth.encode(img, "alpha")
    assert len(segment.read(rgba, score).parts) == 3


def test_a_number_written_apart_is_not_cut(score):
    rgba = synth.encode(synth.draw_number("2026", np.random.default_rng(0), (W, H)), "alpha")
    r = segment.read(rgba, score)
    assert read_by(score, rgba) == ["2026", "2026"] and not r.touching and not r.unsure
    assert [p.box for p in r.parts] == [p.box for p in split_digits(rgba)]  # the same pieces as before


def test_nothing_drawn_is_no_digits(score):
    r = segment.read(np.zeros((H, W, 4), np.uint8), score)
    assert r.parts == [] and r.probs == [] and not r.touching


@pytest.mark.slow
def test_whole_numbers_on_the_test_seed(score):
    """bench/touching.py's test seed, never tuned on. 300 touching numbers: one standard error at 50% is
    2.9 points; the target, fixed before the test seed was first scored, sits 2.5 SE under the tuning
    seed's 52.3% (the test seed read 46.7% / 47.0%: the issue's 95% is not reached, see BENCHMARKS.md).
    bench/quality.py's test numbers, with gaps, must hold the 92.67% / 93.33% they read before
    model/segment.py (150 of them: one SE is 2 points)."""
    images, texts = synth_numbers.touching_numbers(300, touching.SEEDS["test"])
    acc, _, _ = touching.whole_numbers(images, texts, score)
    assert acc.min() >= TARGET_TOUCHING, acc
    images, texts = synth.number_drawings(150, 7919)
    acc, _, _ = touching.whole_numbers(images, texts, score)
    assert acc.min() >= 0.92, acc


TARGET_TOUCHING = 0.45


# ---------------------------------------------------------------- the Draw page's number mode


def test_number_mode_reads_a_touching_ten_and_saves_the_picked_digit(canvas, monkeypatch, tmp_path):
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=120)
    canvas["draw_number"] = ten()
    at.run()
    at.segmented_control(key="draw_mode").set_value("number").run()
    assert not at.exception
    numbers = [m.value.split("data-number='")[1].split("'")[0] for m in at.markdown if "data-number=" in m.value]
    assert numbers == ["10", "10"]
    assert any("These digits touch" in w.value for w in at.warning)
    assert sum("class='dl-bars'" in m.value for m in at.markdown) == 2  # one digit's bars per model, not every digit's
    at.segmented_control(key="draw_number_digit").set_value(1).run()
    assert any("data-top='0'" in m.value for m in at.markdown)
    at.button_group(key="coll_pick-number").set_value(6).run()  # the student says the second digit is a 6
    assert at.success[0].value.startswith("Saved as a 6.")
    c = collection.load(tmp_path)
    assert c.labels.tolist() == [6]
    assert probabilities(load("cnn")[0], c.images[:1] / 255).argmax() == 0  # the 0's 28x28, not the 1's
    at.session_state["number_explain"] = True
    at.run()
    assert not at.exception and at.container("number-explain-cnn")
