"""The number reader (model/reader.py, train/reader.py) and how model/segment.py holds its cuts to it."""

import json
import logging

import numpy as np
import pytest
import torch

from bench import synth_numbers, touching
from model import reader, segment, store
from model.predict import load
from model.preprocess import layout
from tests.test_not_digit import tampered_copy
from tests.test_touching import written_apart
from train import reader as train_reader


@pytest.fixture(scope="module")
def score():
    torch.set_num_threads(1)
    return touching.scorer([load(n)[0] for n in touching.NAMES])


def read_by(score, img) -> list[str]:
    return ["".join(map(str, p.argmax(1))) for p in segment.read(img, score).probs]


def test_prepare_scales_the_ink_box_to_the_reader_height_and_squeezes_a_long_number():
    assert not reader.prepare(np.zeros((50, 80))).any()
    ink = np.zeros((100, 300), np.float32)
    ink[20:60, 100:160] = 1.0  # 40 rows, 60 columns: 28 rows and 42 columns once scaled
    x = reader.prepare(ink)
    assert x.shape == (reader.HEIGHT, reader.WIDTH) and x.dtype == np.float32
    cols, rows = np.flatnonzero(x.any(0)), np.flatnonzero(x.any(1))
    assert (rows[0], rows[-1], cols[0], cols[-1]) == (2, reader.HEIGHT - 3, 2, 2 + 42 - 1)
    long = np.ones((10, 1000), np.float32)  # 100 times wider than tall: squeezed into the width
    assert reader.prepare(long)[:, reader.WIDTH - 2:].max() == 0 and reader.prepare(long)[:, reader.WIDTH - 3].max() > 0


def test_decode_collapses_runs_and_drops_blanks():
    seq = [3, 3, reader.BLANK, 3, 5, 5, reader.BLANK, reader.BLANK, 0]  # "33" needs a blank between
    logits = torch.nn.functional.one_hot(torch.tensor([seq, [reader.BLANK] * len(seq)]), reader.BLANK + 1).float()
    assert reader.decode(logits) == ["3350", ""]


def test_the_shipped_reader_reads_touching_numbers_it_never_saw():
    """bench/synth_numbers.py's tuning numbers are drawn from other templates than the reader learnt from."""
    net = reader.load()
    images, texts = synth_numbers.touching_numbers(40, touching.SEEDS["tuning"])
    got = [reader.read_number(net, reader.number_ink(layout(img))) for img in images]
    assert np.mean([g == t for g, t in zip(got, texts, strict=True)]) >= 0.7, list(zip(got, texts, strict=True))


def test_the_cuts_are_held_to_what_the_reader_reads_when_a_chain_spells_it(score, monkeypatch):
    """A seeded "36" whose 3 and 6 overlap: the models' own choice reads "35". Told "36", segment finds the chain of
    pieces that spells it; told a number no chain spells, it keeps the models' choice and says it is unsure."""
    images, texts = synth_numbers.touching_numbers(41, touching.SEEDS["tuning"])
    img = images[40]
    assert texts[40] == "36"
    monkeypatch.setattr(reader, "load", lambda folder=reader.FOLDER: None)
    alone = segment.read(img, score)
    assert read_by(score, img) == ["35", "35"]
    monkeypatch.setattr(reader, "load", lambda folder=reader.FOLDER: object())
    monkeypatch.setattr(reader, "read_number", lambda net, ink: "36")
    held = segment.read(img, score)
    assert read_by(score, img) == ["36", "36"] and held.touching
    monkeypatch.setattr(reader, "read_number", lambda net, ink: "777")
    told = segment.read(img, score)
    assert [p.box for p in told.parts] == [p.box for p in alone.parts] and told.unsure


def test_a_number_written_apart_keeps_its_pieces_whatever_the_reader_reads(score, monkeypatch):
    """A group one digit wide spells nothing else: the pieces are the quick reading's, and no warning is shown."""
    img = written_apart("2026")
    before = [p.box for p in segment.read(img, score).parts]
    monkeypatch.setattr(reader, "read_number", lambda net, ink: "0000")
    r = segment.read(img, score)
    assert read_by(score, img) == ["2026", "2026"] and [p.box for p in r.parts] == before and not r.touching


def test_a_missing_or_tampered_reader_leaves_the_models_to_choose(tmp_path, caplog, monkeypatch, score):
    with caplog.at_level(logging.WARNING, logger="model.reader"):
        assert reader.load(tmp_path / "none") is None
    assert "no number reader" in caplog.text
    copy = tampered_copy(reader.FOLDER, "reader", tmp_path)
    assert reader.load(copy) is None and "checksum" in caplog.text
    monkeypatch.setattr(reader, "load", lambda folder=reader.FOLDER: None)
    images, texts = synth_numbers.touching_numbers(3, touching.SEEDS["tuning"])
    assert all(len(segment.read(img, score).parts) >= 1 for img in images)


def test_the_reader_is_not_a_model_the_pickers_list():
    assert "reader" not in {e.path.name for e in store.list_models()}


def test_train_reader_dry_run_trains_a_few_steps_and_writes_nothing(tmp_path, capsys):
    assert train_reader.main(["--dry-run", "--out", str(tmp_path / "r")]) == 0
    assert 0.0 <= json.loads(capsys.readouterr().out)["held_out_exact"] <= 1.0
    assert not (tmp_path / "r").exists()
    with pytest.raises(SystemExit):
        train_reader.main(["--numbers", "3"])
