"""Numbers whose digits touch (model/segment.py): the splitter on drawings made for the purpose, the
whole-number figure on bench/touching.py's test seed, and the Draw page's number mode digit by digit."""

import json
import logging
from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from bench import synth, synth_numbers, touching
from bench.forged_strokes import scribble
from classroom import drawings as collection
from model import judge, pen, piece, segment, store
from model.predict import load, probabilities
from model.preprocess import layout, split_digits
from tests.test_not_digit import tampered_copy
from train import negatives
from train import pieces as train_pieces
from train.numbers import touching_digits
from train.strokes import encode, render

APP = str(Path(__file__).resolve().parent.parent / "app.py")
W, H = synth_numbers.SIZE


@pytest.fixture(scope="module")
def score():
    torch.set_num_threads(1)
    return touching.scorer([load(n)[0] for n in touching.NAMES])


def ten() -> np.ndarray:
    """A seeded "10" of bench/synth_numbers.py whose 1 runs into the 0 (RGBA, ink in alpha)."""
    return synth.encode(synth_numbers.touching_number("10", np.random.default_rng(5)), "alpha")


def written_apart(text: str, seed: int = 0) -> np.ndarray:
    """`text` on the number canvas with a gap after each character: digits from bench/synth.py, letters
    from train/negatives.py (RGBA, ink in alpha)."""
    rng = np.random.default_rng(seed)
    height, strokes = 0.55 * H, []
    for k, ch in enumerate(text):
        drawn = (negatives.template_strokes(negatives.LETTERS[ch], rng, 0.02) if ch.isalpha()
                 else synth.digit_strokes(int(ch), rng, variant=0))
        strokes += [s * 0.9 + ((k + 0.5) * W / len(text) / height, 0) for s in drawn]
    return encode(render(strokes, (W, H), height, (0, H / 2), 12), "alpha")


def read_by(score, img, strokes=None) -> list[str]:
    r = segment.read(img, score, strokes)
    return ["".join(map(str, p.argmax(1))) for p in r.probs]


def test_strokes_part_touching_digits_and_strokes_unlike_the_picture_are_not_used(score):
    """A seeded number whose pixels alone read wrong: its strokes part it. Strokes that leave ink uncovered
    (a forged value, another drawing's), or more than a number has (each run of them would be a piece), are not
    used: the reading is the pixels' own."""
    images, texts, pens = synth_numbers.touching_numbers(40, 11, strokes=True)
    by_pixels = [read_by(score, img) for img in images]
    wrong = [k for k, got in enumerate(by_pixels) if got != [texts[k]] * 2]
    assert wrong, "every number read right from its pixels: pick a seed where they do not"
    k = wrong[0]
    r = segment.read(images[k], score, pens[k])
    assert ["".join(map(str, p.argmax(1))) for p in r.probs] == [texts[k]] * 2 and r.touching
    centres = [(p.box[0] + p.box[2]) / 2 for p in r.parts]  # boxes in canvas px; a 7's bar may reach over a 1
    assert centres == sorted(centres) and all(0 <= p.box[0] < p.box[2] <= W for p in r.parts)
    other = pens[(k + 1) % len(pens)]
    assert ["".join(map(str, p.argmax(1))) for p in segment.read(images[k], score, other).probs] == by_pixels[k]
    many = pens[k] * (segment.MOST_STROKES // len(pens[k]) + 1)  # the same strokes over and over: a forged list
    assert ["".join(map(str, p.argmax(1))) for p in segment.read(images[k], score, many).probs] == by_pixels[k]


def test_a_ten_whose_one_touches_the_zero_reads_ten(score):
    img = ten()
    assert len(split_digits(img)) == 1  # the quick reading sees one digit: the old "0 · 100%"
    r = segment.read(img, score)
    assert read_by(score, img) == ["10", "10"] and r.touching and r.split == [True, True]


def test_a_cut_is_called_unsure_when_a_model_doubts_a_digit_or_the_models_differ(score):
    """The touching "10" that both shipped models read at over 99%: sure. The same cut with a third model that
    gives each digit 55%, or one that reads 1 and 0 the other way round: "I may have split them wrong"."""
    img = ten()
    assert not segment.read(img, score).unsure

    def with_third(change):
        return lambda x: [*(probs := score(x)), change(probs[1])]

    for third in (lambda p: 0.5 * p + 0.05, lambda p: p[:, [1, 0, *range(2, 10)]]):
        r = segment.read(img, with_third(third))
        assert r.touching and r.unsure and [int(d) for d in r.probs[0].argmax(1)] == [1, 0]


def test_three_touching_digits_are_cut_into_three(score):
    img, text = None, "386"
    rng = np.random.default_rng(3)
    while img is None:  # a seeded drawing that fits the canvas
        img = synth_numbers.touching_number(text, rng)
    rgba = synth.encode(img, "alpha")
    assert len(segment.read(rgba, score).parts) == 3


def test_the_slivers_bench_reads_the_same_both_ways_and_restores_the_cropped_labelling(score):
    """bench/touching.py --slivers-baseline: each reading timed both ways, the same readings, Layout left as it is."""
    from model.preprocess import Layout

    cropped = Layout._slivers
    drawn = synth_numbers.touching_numbers(3, touching.SEEDS["tuning"])[0]
    now, before = touching.slivers_against_baseline(drawn, score)
    assert len(now) == len(before) == 3 and (now > 0).all() and (before > 0).all()
    assert Layout._slivers is cropped


def test_dense_strokes_read_as_drawn_and_a_forged_list_goes_by_the_pixels(score):
    """bench/forged_strokes.py's sets: a number's strokes resampled 0.25 px apart (a 1000 Hz mouse) read as the
    drawn ones do; 16 strokes of 1,250 points anywhere on the canvas are refused, one just short enough kept."""
    from bench import forged_strokes

    drawn, _, pens = synth_numbers.touching_numbers(2, touching.SEEDS["tuning"], strokes=True)
    for img, strokes in zip(drawn, pens, strict=True):
        many = forged_strokes.dense(strokes)
        assert sum(len(xy) for xy, _ in many) > 5 * sum(len(xy) for xy, _ in strokes)
        assert read_by(score, img, many) == read_by(score, img, strokes)
    rng = np.random.default_rng(0)
    assert pen.parse(forged_strokes.forged(rng, kept=False), 560, 240) is None
    assert pen.parse(forged_strokes.forged(rng, kept=True), 560, 240) is not None


def test_a_number_written_apart_is_not_cut(score):
    rgba = synth.encode(synth.draw_number("2026", np.random.default_rng(0), (W, H)), "alpha")
    r = segment.read(rgba, score)
    assert read_by(score, rgba) == ["2026", "2026"] and not r.touching and not r.unsure
    assert [p.box for p in r.parts] == [p.box for p in split_digits(rgba)]  # the same pieces as before


def test_reach_finds_the_reading_among_the_cuts_in_order_and_at_its_length(score):
    """bench/touching.py --reach: a number written apart is reached as written, not backwards, shorter or longer;
    every seeded touching number both models read right is reached (its chosen pieces are candidates)."""
    rgba = synth.encode(synth.draw_number("2026", np.random.default_rng(0), (W, H)), "alpha")
    assert touching.reachable(rgba, "2026", score)
    assert not any(touching.reachable(rgba, t, score) for t in ("6202", "202", "20266", ""))
    images, texts = synth_numbers.touching_numbers(12, touching.SEEDS["tuning"])
    both = [read_by(score, img) == [t, t] for img, t in zip(images, texts, strict=True)]
    reached = [touching.reachable(img, t, score) for img, t in zip(images, texts, strict=True)]
    assert any(both) and all(r for b, r in zip(both, reached, strict=True) if b), (both, reached)


def test_a_letter_among_digits_is_kept_whole_for_the_judge(score):
    """The piece scorer (model/piece.py) does not take an A for strokes of 1s (the models alone cut it into
    them: "21016", "211116"), so the shared judge sees the whole A and flags it, and only it."""
    for seed in range(3):
        r = segment.read(written_apart("2A6", seed), score)
        assert len(r.parts) == 3 and judge.not_digit(np.stack([p.image for p in r.parts])).tolist() == [0, 1, 0]


@pytest.mark.parametrize("height", [16, 30])
def test_a_thin_scribble_across_the_canvas_is_cut_a_bounded_number_of_times(height, score, monkeypatch):
    """A wavy band 16 or 30 px tall looks to the pixel path like dozens of digits: without segment's bounds it
    makes 1,000 pieces or more (bench/forged_strokes.py times it). With them, at most MOST_PIECES; and past
    MOST_PIECES each group is read by its quick cuts alone: a reading, empty only if all those pieces are."""
    made = []
    real = segment.Layout.piece
    monkeypatch.setattr(segment.Layout, "piece", lambda self, *a: made.append(1) or real(self, *a))
    img = scribble(height)
    segment.candidates(segment.layout(img))
    bounded, made[:] = len(made), []
    with monkeypatch.context() as m:
        m.setattr(segment, "MOST_CUTS", 10**9)
        m.setattr(segment, "MOST_PIECES", 10**9)
        segment.candidates(segment.layout(img))
    assert bounded <= segment.MOST_PIECES < len(made), (bounded, len(made))
    monkeypatch.setattr(segment, "MOST_PIECES", 50)
    lay, made[:] = segment.layout(img), []
    plans, pieces = segment.candidates(lay)
    assert len(made) == sum(len(plain) - 1 for _, plain, _, _ in plans) <= 50
    r = segment.read(img, score)  # a group whose every piece is empty (the 16 px band's) raised IndexError here
    assert len(r.parts) == len(r.split) and bool(r.parts) == bool(pieces)


def test_nothing_drawn_is_no_digits(score):
    r = segment.read(np.zeros((H, W, 4), np.uint8), score)
    assert r.parts == [] and r.probs == [] and not r.touching


@pytest.mark.slow
def test_whole_numbers_on_the_test_seed(score):
    """bench/touching.py's test seed, never tuned on, scored once after the piece scorer and segment's
    settings were fixed on the tuning seed. From the pixels alone (an upload): 64.33% / 67.00% (MLP / CNN;
    46.7% / 47.0% before the piece scorer; 67.67% / 68.00% with the MLP taught by the CNN; 72.33% / 72.33% with
    segment.PER_DIGIT 6 cuts tried per digit, not 3; 82.00% / 83.00% with each wide group's cuts held to what the
    number reader reads, model/reader.py). 300 touching numbers: one standard error at 82% is 2.2 points; the
    target sits three of them under the lower. With the
    strokes the number canvas sends: 98.67% / 98.67% (one SE 0.7 points; before the MLP was retrained, 94.00%
    / 98.33%); the target is the issue's 95%. bench/quality.py's test numbers, with gaps, must hold the
    92.67% / 93.33% they read before model/segment.py (95.33% / 94.67% with the first scorer; one SE: 2 points).

    "I may have split them wrong" (segment.SURE, set on the tuning seed): by the pixels it was said for 52% of the
    103 numbers a model read wrong (6% before) and 4.6% of those read right (one SE: 4.9 and 1.2 points); with
    PER_DIGIT 6, 52% and 3.3%; with the number reader, 85% and 10.0% (about 50 and 250 numbers: one SE 5 and 1.9
    points; the bounds sit three under and over); by the strokes for 4.7% of those read right."""
    images, texts, pens = synth_numbers.touching_numbers(300, touching.SEEDS["test"], strokes=True)
    pixels = touching.whole_numbers(images, texts, score)
    assert pixels.right.min() >= TARGET_TOUCHING, pixels.right
    assert pixels.told_wrong >= 0.70 and pixels.told_right <= 0.16, (pixels.told_wrong, pixels.told_right)
    strokes = touching.whole_numbers(images, texts, score, pens)
    assert strokes.right.min() >= 0.95 and strokes.told_right <= 0.09, (strokes.right, strokes.told_right)
    images, texts = synth.number_drawings(150, 7919)
    assert touching.whole_numbers(images, texts, score).right.min() >= 0.92


TARGET_TOUCHING = 0.75


# ---------------------------------------------------------------- the piece scorer (model/piece.py, train/pieces.py)


def test_the_piece_scorer_tells_a_whole_digit_from_two_glued_and_a_sliver(score):
    """On the seeded "10": the 1 and the 0 cut apart are whole digits to it, the two together and a
    sliver of the 0 are not (the models alone read the "10" piece as a 0 and a sliver as a 1)."""
    img = ten()
    lay = layout(img)
    plans, pieces = segment.candidates(lay)
    keys = list(pieces)
    sure = np.exp(piece.log_whole(piece.load(), np.stack([pieces[k].image for k in keys]),
                                  segment.features(lay, plans, keys)))
    truth = pieces_vs_digits(img, "10", 5)
    assert truth.keys() <= set(keys) and {1, 0} <= set(truth.values())
    for k, label in truth.items():
        assert (sure[keys.index(k)] > 0.5) == bool(label), (k, label, sure[keys.index(k)])


def pieces_vs_digits(img, text, seed) -> dict:
    """train/pieces.py's labels of `img`'s candidate pieces, from the digits bench/synth_numbers.py drew."""
    digits = touching_digits(text, np.random.default_rng(seed), synth_numbers._strokes)
    lay = layout(img)
    plans, pieces = segment.candidates(lay)
    x, f, y = train_pieces.labelled_pieces(img, digits)
    keys = list(pieces)
    feats = segment.features(lay, plans, keys)
    return {keys[int(np.flatnonzero((feats == row).all(1))[0])]: int(v) for row, v in zip(f, y, strict=True)}


def test_a_missing_or_tampered_piece_scorer_leaves_the_models_to_choose(tmp_path, caplog, monkeypatch, score):
    with caplog.at_level(logging.WARNING, logger="model.piece"):
        assert piece.load(tmp_path / "none") is None
    assert "no piece scorer" in caplog.text
    copy = tampered_copy(piece.FOLDER, "piece", tmp_path)
    assert piece.load(copy) is None and "checksum" in caplog.text
    monkeypatch.setattr(piece, "load", lambda folder=piece.FOLDER: None)
    assert len(segment.read(written_apart("2026"), score).parts) == 4


def test_the_piece_scorer_is_not_a_model_the_pickers_list():
    assert "piece" not in {e.path.name for e in store.list_models()}


def test_train_pieces_dry_run_trains_a_few_steps_and_writes_nothing(tmp_path, capsys):
    assert train_pieces.main(["--dry-run", "--out", str(tmp_path / "p")]) == 0
    held_out = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert set(held_out["per_kind"]) == {"piece", "mnist"} and 0 <= held_out["wholes_kept"] <= 1
    assert not (tmp_path / "p").exists()


# ---------------------------------------------------------------- the Draw page's number mode


def test_number_mode_reads_a_touching_ten_and_saves_the_picked_digit(canvas, monkeypatch, tmp_path):
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=120)
    canvas["draw_number"] = ten()
    at.run()
    at.segmented_control(key="draw_mode").set_value("number").run()
    assert not at.exception
    assert shown_numbers(at) == ["10", "10"]
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


def test_number_mode_says_when_it_may_have_split_wrong(canvas):
    """A seeded touching "176" (no strokes: read by its pixels) that the models read as "13" and "18": the page
    does not say it split them where the models were surest, but that it may have split them wrong."""
    images, texts = synth_numbers.touching_numbers(40, 11)[:2]
    assert texts[4] == "176"
    at = AppTest.from_file(APP, default_timeout=120)
    canvas["draw_number"] = images[4]
    at.run()
    at.segmented_control(key="draw_mode").set_value("number").run()
    assert not at.exception and len(set(shown_numbers(at))) == 2
    assert any("I may have split them wrong" in w.value for w in at.warning)
    assert not any("where the models were surest" in w.value for w in at.warning)


def shown_numbers(at) -> list[str]:
    return [m.value.split("data-number='")[1].split("'")[0] for m in at.markdown if "data-number=" in m.value]


def test_number_mode_shows_a_letter_among_digits_as_not_a_digit(canvas):
    """The shared judge (model/judge.py) on each piece: the E of "1E4" is a "?" with single mode's words,
    in both languages, and its own digit panel says so; an ordinary number is left alone."""
    at = AppTest.from_file(APP, default_timeout=120)
    canvas["draw_number"] = written_apart("1E4")
    at.run()
    at.segmented_control(key="draw_mode").set_value("number").run()
    assert not at.exception
    assert shown_numbers(at) == ["1?4", "1?4"]
    assert any(w.value == "This does not look like a digit: place 2 from the left, shown as ?" for w in at.warning)
    at.segmented_control(key="draw_number_digit").set_value(1).run()
    said = lambda words: sum("data-not-digit='true'" in m.value and words in m.value for m in at.markdown)  # noqa: E731
    assert said("If it had to pick a digit:") == 2  # each model's panel: the verdict, and its digit as a guess
    at.sidebar.radio(key="lang").set_value("zh").run()
    assert any(w.value == "这看起来不像数字：从左数第2位，显示为 ?" for w in at.warning)
    assert said("这看起来不像数字") == 2
    canvas["draw_number"] = written_apart("2026")
    at.run()
    assert shown_numbers(at) == ["2026", "2026"]
    assert not any("不像数字" in w.value for w in at.warning) and not any("不像数字" in m.value for m in at.markdown)


@pytest.mark.parametrize("forged", [False, True])
def test_number_mode_parts_touching_digits_by_the_canvas_strokes_and_survives_forged_ones(forged, monkeypatch,
                                                                                          caplog):
    """The canvas's value as the browser sends it (ui/draw/ink_canvas.py, not swapped out): a "17" whose 1 runs
    into the 7 reads "7" from its pixels and "17" with its strokes. Forged strokes are dropped with a line in
    the log: the page reads the pixels, with no traceback."""
    import base64
    import io

    from PIL import Image

    from ui.draw import ink_canvas
    images, texts, pens = synth_numbers.touching_numbers(1, 11, strokes=True)
    assert texts == ["17"]
    buf = io.BytesIO()
    Image.fromarray(images[0]).save(buf, "PNG")
    lines = [[w, *np.round(xy, 1).ravel().tolist()] for xy, w in pens[0]]
    sent = [[18, float("nan"), 2]] if forged else lines
    png = ink_canvas.PREFIX + base64.b64encode(buf.getvalue()).decode()
    monkeypatch.setattr(ink_canvas, "_component",
                        lambda **kw: {"drawing": {"png": png, "strokes": sent}} if kw["key"] == "draw_number"
                        else {"drawing": None})
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.segmented_control(key="draw_mode").set_value("number").run()
    assert not at.exception
    assert shown_numbers(at) == (["7", "7"] if forged else ["17", "17"])
    assert ("canvas strokes ignored" in caplog.text) == forged
