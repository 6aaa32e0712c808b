"""The not-a-digit judge: its targets on the test seeds, its files, the CLI's field and the Draw page's words.

The targets (issue 16) are asserted on bench/not_digit.py's TEST sets (seed 7919: the judge trained on
train/judge.py's seeds and chose its threshold on a held-out share of those; nobody tuned on 7919).
At n = 600 non-digits flagged at ~97%, one standard error is 0.7%, so the 90% target is ten SEs away;
at 0.2% of 600 digits flagged, one SE is 0.18%, so the 1% target is over four SEs away (one image is
0.17% of a set of 600, 0.33% of the 300 photos, 0.01% of MNIST's 10,000).
"""

import json
import logging
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from bench import not_digit as bench
from bench import quality
from model import judge, store
from model.paths import REPO
from train import negatives
from train.strokes import encode, render

APP = str(REPO / "app.py")


def letter(ch: str, seed: int = 0, size: int = 280) -> np.ndarray:
    """A letter drawn as strokes on the canvas, transparent background (as the canvas sends it)."""
    rng = np.random.default_rng(seed)
    strokes = negatives.template_strokes(negatives.LETTERS[ch], rng, 0.02)
    return encode(render(strokes, (size, size), 0.6 * size, (size / 2, size / 2), 16), "alpha")


def scribble(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return encode(negatives.drawn("scribble", rng), "alpha")


@pytest.fixture(scope="module")
def test_figures(quality_test_sets):
    """bench.figures makes bench/quality.py's test sets itself: here it gets the session's, the same seeded
    images made once (tests/conftest.py)."""
    def made(which, n):
        assert (which, n) == ("test", 600), (which, n)
        return quality_test_sets
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(quality, "make_sets", made)
        return bench.figures("test", 600)


def test_at_least_90_percent_of_non_digits_are_flagged_on_the_test_seed(test_figures):
    share, n = test_figures["non-digits"]["all"]
    assert n >= 590 and share >= bench.TARGETS["non-digits"], test_figures["non-digits"]


@pytest.mark.parametrize("name", ["MNIST test", "drawings", "stray marks", "photos", "fonts"])
def test_at_most_1_percent_of_digits_are_flagged_on_the_test_seed(test_figures, name):
    share, n = test_figures["digits"][name]
    assert n >= 290 and share <= bench.TARGETS["digits"], test_figures["digits"]


@pytest.mark.alone
def test_the_shipped_judge_is_small_and_fast():
    net, meta = judge.load()
    assert sum(p.numel() for p in net.parameters()) < 20_000
    assert 0 < meta["threshold"] < 1 and meta["command"].startswith("python -m train.judge")
    x = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        judge.scores(net, x)
        times = []
        for _ in range(50):
            t = time.perf_counter()
            judge.scores(net, x)
            times.append(time.perf_counter() - t)
    finally:
        torch.set_num_threads(before)
    assert np.median(times) < 2e-3  # 0.1–0.2 ms on a quiet core; four times the 0.5 ms aim for a busy machine


def tampered_copy(folder: Path, stem: str, tmp_path: Path) -> Path:
    """A copy of a helper net's folder (the judge's, the piece scorer's, the reader's) with one bit of its weights
    flipped: its checksum no longer matches."""
    copy = tmp_path / stem
    shutil.copytree(folder, copy)
    raw = bytearray((copy / f"{stem}.safetensors").read_bytes())
    raw[-1] ^= 1
    (copy / f"{stem}.safetensors").write_bytes(bytes(raw))
    return copy


def test_a_missing_or_tampered_judge_gives_no_verdict_and_a_logged_note(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="model.judge"):
        assert judge.not_digit(np.zeros((28, 28), np.float32), folder=tmp_path / "none") is None
    assert "no not-a-digit judge" in caplog.text
    copy = tampered_copy(judge.FOLDER, "judge", tmp_path)
    assert judge.not_digit(np.zeros((28, 28), np.float32), folder=copy) is None
    assert "checksum" in caplog.text


def test_negatives_are_seeded_and_cover_every_kind():
    a, kinds = negatives.negatives(len(negatives.ROTATION), 5)
    b, _ = negatives.negatives(len(negatives.ROTATION), 5)
    assert all((x == y).all() for x, y in zip(a, b, strict=True))
    assert set(kinds) == set(negatives.KINDS)
    _, keep = negatives.seen(a)
    assert len(keep) == len(a)  # every one is something preprocessing reads, not specks


def test_the_judge_is_not_a_model_the_pickers_list():
    assert "judge" not in {e.path.name for e in store.list_models()}


def test_predict_json_says_not_digit_for_a_letter_and_keeps_a_digit(tmp_path):
    a, s = tmp_path / "a.png", tmp_path / "scribble.png"
    Image.fromarray(letter("A")).save(a)
    Image.fromarray(scribble(3)).save(s)
    r = subprocess.run([sys.executable, "-m", "model.predict", "--json", str(a), str(s)],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(lines) == 4 and all(x["not_digit"] is True and 0 <= x["digit"] <= 9 for x in lines)


def panels(at) -> dict[str, str]:
    """What each answer panel shows: 'not a digit', or the digit."""
    out = []
    for m in at.markdown:
        if "data-not-digit=" in m.value:
            out.append("not a digit")
        elif "data-digit=" in m.value:
            out.append(m.value.split("data-digit='")[1][0])
    return out


def test_the_draw_page_says_a_letter_is_not_a_digit_in_both_languages(app, canvas, mnist):
    canvas["draw_canvas"] = letter("A")
    app.run()
    assert not app.exception
    assert panels(app) == ["not a digit"] * 2
    assert any("This does not look like a digit" in m.value for m in app.markdown)
    assert any(m.value == "Not a digit" for m in app.markdown)  # the verdict
    assert not any("100% sure" in m.value for m in app.markdown)
    app.sidebar.radio(key="lang").set_value("zh").run()
    assert any("这看起来不像数字" in m.value for m in app.markdown)
    assert any(m.value == "不是数字" for m in app.markdown)
    canvas["draw_canvas"] = np.dstack([np.zeros((28, 28, 3), np.uint8), mnist.x_test[0]])  # a 7
    app.run()
    assert panels(app) == ["7", "7"]


def test_without_a_judge_the_page_still_answers(app, canvas, monkeypatch, caplog):
    from ui import models
    monkeypatch.setenv(models.WORKER, "0")  # answered in this process, where the judge is taken away
    monkeypatch.setattr(judge, "load", lambda folder=judge.FOLDER: None)
    canvas["draw_canvas"] = letter("A")
    app.run()
    assert not app.exception
    assert len(panels(app)) == 2 and "not a digit" not in panels(app)


def test_a_weak_model_is_called_unsure_not_the_drawing(app, canvas, mnist, monkeypatch):
    from ui import models
    flat = np.full(10, 0.07, np.float32)
    flat[7] = 0.37  # a weak model's 37% on a clear 7
    monkeypatch.setenv(models.WORKER, "0")  # answered in this process, where the models are made weak
    monkeypatch.setattr(models.answers, "probabilities", lambda model, images: flat[None])
    canvas["draw_canvas"] = np.dstack([np.zeros((28, 28, 3), np.uint8), mnist.x_test[0]])
    app.run()
    shown = " ".join(m.value for m in app.markdown)
    assert panels(app) == ["7", "7"] and "This model is not sure" in shown and "is this a digit" not in shown


def test_train_judge_dry_run_trains_a_few_steps_and_writes_nothing(tmp_path, capsys):
    from train import judge as train_judge
    assert train_judge.main(["--dry-run", "--out", str(tmp_path / "j")]) == 0
    held_out = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert 0 < held_out["threshold"] < 1 and "letter drawn" in held_out["per_kind"]
    assert not (tmp_path / "j").exists()


def test_a_saved_judge_reads_back_as_it_was(tmp_path):
    import torch

    from train import judge as train_judge
    net = judge.Judge()
    train_judge.save(net, tmp_path / "j", {"seed": 5})
    back, meta = judge.read(tmp_path / "j")
    assert meta["seed"] == 5 and meta["channels"] == list(judge.CHANNELS) and not list((tmp_path / "j").glob("*.tmp"))
    x = torch.rand(3, 1, 28, 28)
    assert all(torch.equal(a, b) for a, b in zip(back.state_dict().values(), net.state_dict().values(), strict=True))
    assert torch.allclose(back(x), net.eval()(x), atol=1e-6)  # read back channels_last: the same up to rounding
