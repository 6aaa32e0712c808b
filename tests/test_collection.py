"""The class's drawings on disk: saves, caps, concurrent saves, damaged files, export and import."""

import io
import multiprocessing as mp

import numpy as np
import pytest
from PIL import Image

from classroom import drawings as collection
from classroom.drawings import CollectionError
from model.presets import validate_train


def drawing(seed: int = 0):
    rng = np.random.default_rng(seed)
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[100:180, 120:140] = (17, 17, 17, 255)
    return rng.random((28, 28)), canvas


def test_a_saved_drawing_keeps_the_28x28_the_label_and_the_canvas(tmp_path):
    img, canvas = drawing()
    collection.add(img, 7, canvas, folder=tmp_path)
    c = collection.load(tmp_path)
    assert len(c) == 1 and c.labels.tolist() == [7] and c.counts()[7] == 1
    assert np.abs(c.images[0] / 255 - img).max() <= 0.5 / 255 + 1e-9
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(c.canvas_png(0)))), canvas)
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize("label", [-1, 10, 3.0, "7", True, None])
def test_only_digits_0_to_9_are_labels(tmp_path, label):
    with pytest.raises(CollectionError) as e:
        collection.add(drawing()[0], label, folder=tmp_path)
    assert e.value.kind == "label" and len(collection.load(tmp_path)) == 0


def test_the_cap_is_a_clear_refusal(tmp_path, monkeypatch):
    monkeypatch.setattr(collection, "MAX_DRAWINGS", 3)
    for d in range(3):
        collection.add(drawing(d)[0], d, folder=tmp_path)
    with pytest.raises(CollectionError, match="full") as e:
        collection.add(drawing()[0], 4, folder=tmp_path)
    assert e.value.kind == "full" and len(collection.load(tmp_path)) == 3
    with pytest.raises(CollectionError) as e:
        collection.add(drawing()[0], 4, np.zeros((3000, 10, 4), np.uint8), folder=tmp_path)
    assert e.value.kind == "too_big"


def _save_many(args):
    folder, worker = args
    for i in range(8):
        collection.add(np.full((28, 28), i / 10), (worker + i) % 10, folder=folder)


def test_two_browsers_saving_at_once_lose_nothing(tmp_path):
    with mp.get_context("spawn").Pool(4) as pool:
        pool.map(_save_many, [(tmp_path, w) for w in range(4)])
    c = collection.load(tmp_path)
    assert len(c) == 32 and len(np.unique(c.ids)) == 32 and collection.count(tmp_path) == 32


def test_a_damaged_file_is_refused_and_never_written_over(tmp_path):
    collection.add(drawing()[0], 1, folder=tmp_path)
    path = tmp_path / collection.FILE
    damaged = path.read_bytes()[:-40]
    path.write_bytes(damaged)
    with pytest.raises(CollectionError) as e:
        collection.load(tmp_path)
    assert e.value.kind == "damaged"
    with pytest.raises(CollectionError):
        collection.add(drawing()[0], 2, folder=tmp_path)
    assert path.read_bytes() == damaged  # the teacher can still rescue it
    assert collection.count(tmp_path) is None and collection.count(tmp_path / "none") == 0


def test_delete_export_and_import(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (3, 5, 5):
        collection.add(drawing(d)[0], d, drawing(d)[1], folder=a)
    c = collection.delete([collection.load(a).ids[1]], folder=a)
    assert c.labels.tolist() == [3, 5] and collection.load(a).canvas_png(1) == c.canvas_png(1)
    raw = collection.export_bytes(a)
    collection.add(drawing()[0], 0, folder=b)
    assert collection.import_bytes(raw, folder=b) == 2
    assert collection.import_bytes(raw, folder=b) == 0  # the same drawings are not added twice
    got = collection.load(b)
    assert sorted(got.labels.tolist()) == [0, 3, 5] and got.canvas_png(2) == c.canvas_png(1)


@pytest.mark.parametrize("raw", [b"", b"PK\x03\x04 not really a zip", b"x" * 1000])
def test_a_damaged_import_changes_nothing(tmp_path, raw):
    collection.add(drawing()[0], 4, folder=tmp_path)
    before = (tmp_path / collection.FILE).read_bytes()
    with pytest.raises(CollectionError) as e:
        collection.import_bytes(raw, folder=tmp_path)
    assert e.value.kind == "damaged" and (tmp_path / collection.FILE).read_bytes() == before


def test_an_import_with_bad_labels_is_refused(tmp_path):
    collection.add(drawing()[0], 4, folder=tmp_path)
    c = collection.load(tmp_path)
    bad = collection._encode(collection.Collection(c.ids, np.array([12], np.uint8), c.images, c.created,
                                                   c.canvas_offsets, c.canvas_bytes))
    with pytest.raises(CollectionError, match="labels"):
        collection.import_bytes(bad, folder=tmp_path / "other")


def test_training_mixes_in_the_drawings_with_the_teachers_weight(tmp_path, monkeypatch, tiny_cfg):
    import torch

    from train.engine import train
    for d in (7, 7, 1):
        collection.add(drawing(d)[0], d, folder=tmp_path)
    x, y = torch.zeros((5, 28, 28), dtype=torch.uint8), torch.zeros(5, dtype=torch.long)
    x2, y2, ids = collection.with_class_drawings(x, y, 4, folder=tmp_path)
    assert x2.shape == (5 + 12, 28, 28) and y2[5:].tolist() == [7, 7, 1] * 4
    assert ids.tolist() == collection.load(tmp_path).ids.tolist() and len(ids) == 3
    x0, _, none = collection.with_class_drawings(x, y, 0, folder=tmp_path)
    assert x0 is x and len(none) == 0
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path))
    events = []  # of 3 drawings, 1 is held out (train/heldout.py) and 2 are trained on, 10 times each
    train(tiny_cfg(subset=500, max_steps=2, class_drawings=10), on_event=events.append,
          drawings=collection.load(tmp_path))
    assert events[0]["n_train"] == 500 + 20 and events[-1]["class_drawings_used"] == 2
    from model import store
    from train.run import execute, prepare
    run = tmp_path / "run"
    prepare(run, tiny_cfg(subset=500, max_steps=2, class_drawings=2))
    execute(run)  # the run folder's caller loads the drawings from $DIGITLAB_DRAWINGS
    trained = store.read_info(run)["data_split"]["class_drawing_ids"]  # which ones, not only how many
    assert len(trained) == 2 and set(trained) < set(ids.tolist())
    for bad in (-1, 101, 2.5, True):
        with pytest.raises(ValueError, match="class_drawings"):
            validate_train(tiny_cfg(class_drawings=bad))


def test_a_photo_is_kept_reduced_beside_its_28x28(tmp_path):
    """A 12-megapixel photo, grey or colour, is saved with the label: its picture at 320 px a side, not refused."""
    from ui.class_drawings import PHOTO_SIDE, _fit
    rng = np.random.default_rng(0)
    for photo in (rng.integers(0, 256, (3000, 4000), dtype=np.uint8),
                  rng.integers(0, 256, (3000, 4000, 3), dtype=np.uint8)):
        c = collection.add(np.zeros((28, 28), np.float32), 4, _fit(photo), folder=tmp_path)
        kept = np.asarray(Image.open(io.BytesIO(c.canvas_png(len(c) - 1))))
        assert kept.shape == (240, PHOTO_SIDE, 3)
    assert collection.load(tmp_path).labels.tolist() == [4, 4]
