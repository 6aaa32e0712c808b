"""AppTest of the Evaluate page: scores that match an independent count, the gallery's filters, the class's
drawings as a data set, and a translated message for every kind of bad Kaggle CSV."""

import os
import re
import time
from pathlib import Path

import numpy as np
import psutil
import pytest
from streamlit.testing.v1 import AppTest

from classroom import drawings as collection
from model import kaggle, metrics
from model.infer import probabilities
from model.predict import load
from ui import models
from ui.evaluate import evaluation, heavy
from ui.i18n import TEXT

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def answers(shipped_answers):
    return shipped_answers


def captions(at, pattern=r"#(\d+): (\d) → (\d) \("):
    return [tuple(map(int, m.groups())) for img in at.image for c in img.captions if (m := re.match(pattern, c))]


def test_scores_overlap_and_gallery_filters(mnist, answers, monkeypatch, tmp_path):
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.switch_page("app_pages/evaluate.py").run()
    assert not at.exception
    acc = {n: metrics.accuracy(mnist.y_test, p) for n, p in answers.items()}
    shown = {m.label.split(" ·")[0]: m.value for m in at.metric}
    assert shown["cnn"] == f"{acc['cnn']:.2%}" and shown["mlp"] == f"{acc['mlp']:.2%}"
    o = metrics.overlap(mnist.y_test, answers["cnn"], answers["mlp"])
    assert shown["Only cnn wrong"] == f"{len(o.only_a):,}" and shown["Both wrong"] == f"{len(o.both):,}"
    assert any(c.value.startswith("The article reported:") for c in at.caption)

    gallery = [c for c in captions(at) if c[1] != c[2]]
    assert len(gallery) == 24 and all(mnist.y_test[n - 1] == t for n, t, _ in gallery)
    cm = metrics.confusion(mnist.y_test, answers["cnn"])
    np.fill_diagonal(cm, 0)
    true, pred = np.unravel_index(cm.argmax(), cm.shape)
    at.selectbox(key="eval_true").set_value(int(true)).run()
    at.selectbox(key="eval_pred").set_value(int(pred)).run()
    filtered = [c for c in captions(at) if c[1] == true]
    assert len(filtered) == cm[true, pred] and all(g == pred for _, _, g in filtered)

    at.segmented_control(key="eval_focus").set_value(1).run()  # now the MLP's mistakes
    assert not at.exception
    mlp_wrong = np.flatnonzero((answers["mlp"] != mnist.y_test) & (mnist.y_test == true) & (answers["mlp"] == pred))
    assert sorted(n - 1 for n, t, g in captions(at) if t == true and g == pred) == sorted(mlp_wrong.tolist())[:24]


def test_the_class_drawings_are_a_data_set(monkeypatch, tmp_path, mnist):
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.switch_page("app_pages/evaluate.py").run()
    at.segmented_control(key="eval_data").set_value("drawings").run()
    assert "No drawings saved yet" in at.info[0].value
    for i in range(5):
        collection.add(mnist.x_test[i] / 255, int(mnist.y_test[i]), folder=tmp_path)
    collection.add(mnist.x_test[5] / 255, (int(mnist.y_test[5]) + 1) % 10, folder=tmp_path)  # a mislabelled one
    at.run()
    assert not at.exception
    cnn = next(m.value for m in at.metric if m.label.startswith("cnn"))
    assert cnn == f"{5 / 6:.2%}"  # the CNN reads the first six test images right; one label is wrong
    (tmp_path / collection.FILE).write_bytes(b"garbage")
    at.run()
    assert "cannot be read" in at.error[0].value


def test_a_model_trained_on_the_drawings_is_scored_apart_on_the_ones_it_never_saw(monkeypatch, tmp_path, mnist):
    """A run lists the drawings it trained on (model.json): Evaluate says so, with its score on the rest."""
    import json

    from model import store
    from model.paths import PRETRAINED
    from train import catalog
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path / "drawings"))
    monkeypatch.setenv("DIGITLAB_RUNS", str(tmp_path / "runs"))
    for i in range(6):
        collection.add(mnist.x_test[i] / 255, int(mnist.y_test[i]), folder=tmp_path / "drawings")
    ids = collection.load(tmp_path / "drawings").ids
    for folder, seen in (("some", ids[:4]), ("all", ids), ("bad", "not a list")):
        run = store.copy(PRETRAINED / "cnn", tmp_path / "runs" / folder)
        info = json.loads((run / "model.json").read_text())
        info["name"], info["data_split"] = f"cnn-{folder}", {"class_drawing_ids": seen if isinstance(seen, str)
                                                              else seen.tolist()}
        (run / "model.json").write_text(json.dumps(info))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.switch_page("app_pages/evaluate.py").run()
    at.segmented_control(key="eval_data").set_value("drawings").run()
    entries, warnings = {e.name: e for e in catalog.list_models()}, {}
    for folder in ("some", "all", "bad"):
        at.selectbox(key="eval_model_a").set_value(entries[f"cnn-{folder}"]).run()
        assert not at.exception, folder
        warnings[folder] = [w.value for w in at.warning]
    assert any("trained on 4 of these 6 drawings" in w and "On the 2 it never saw: **100.00%**" in w
               for w in warnings["some"]), warnings
    assert any("trained on all 6 of these drawings" in w for w in warnings["all"]), warnings
    assert not any("trained on" in w for w in warnings["bad"]), warnings  # a wrong list counts as none seen


def test_the_reliability_diagram_bins_how_sure_against_how_often_right(monkeypatch, tmp_path, mnist):
    """On the class's drawings (some labelled wrong), the bars are the share right per confidence bin of the
    CNN's own answers, counted here apart; the caption gives the calibration error, in English and Chinese."""
    from tests.apptest import open_page
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path))
    labels = mnist.y_test[:40].astype(int).copy()
    labels[::5] = (labels[::5] + 1) % 10  # 8 of 40 labelled wrong: the CNN's sure answers are "wrong" there
    for i in range(40):
        collection.add(mnist.x_test[i] / 255, int(labels[i]), folder=tmp_path)
    p = probabilities(load("cnn")[0], mnist.x_test[:40] / np.float32(255))
    top, right = p.max(1), p.argmax(1) == labels
    which = np.minimum((top * 10).astype(int), 9)
    at = open_page("app_pages/evaluate.py", "en", timeout_s=300)
    at.segmented_control(key="eval_data").set_value("drawings").run()
    assert not at.exception
    bars = _bars(at)
    bins = np.rint((np.asarray(bars.x) - 0.05) * 10).astype(int)
    assert [int(k.replace(",", "")) for k in bars.text] == [int((which == b).sum()) for b in bins]
    assert list(bars.y) == pytest.approx([right[which == b].mean() for b in bins])
    ece = sum((which == b).sum() / 40 * abs(right[which == b].mean() - top[which == b].mean()) for b in bins)
    assert 0.15 < ece < 0.25  # about the 20% labelled wrong: a sure model, right 80% of the time here
    assert any("expected calibration error" in c.value and f"{ece:.2%}" in c.value for c in at.caption)

    at = open_page("app_pages/evaluate.py", "zh", timeout_s=300)  # MNIST test: the caption agrees with the bars
    bars = _bars(at)
    counts = np.array([int(k.replace(",", "")) for k in bars.text])
    conf = np.array([c[0] for c in bars.customdata])
    ece = float((counts * np.abs(np.asarray(bars.y) - conf)).sum() / counts.sum())
    assert counts.sum() == 10_000 and any("期望校准误差" in c.value and f"{ece:.2%}" in c.value for c in at.caption)


def _bars(at):
    import plotly.io as pio
    return next(d for c in at.get("plotly_chart") for d in pio.from_json(c.proto.spec).data if d.type == "bar")


@pytest.mark.parametrize("raw", [
    b"", "label,x\n".encode("utf-16"), b"\x89PNG\r\n\x00\x00", b"label,pixel0\n",
    kaggle.kaggle_csv(np.zeros((1, 28, 28), np.uint8), [3]).replace("\n3,0,", "\n3,0.5,", 1).encode(),
    kaggle.kaggle_csv(np.zeros((1, 28, 28), np.uint8), [12]).encode(),
    kaggle.kaggle_csv(np.zeros((1, 28, 28), np.uint8), [3]).rstrip().encode() + b",0\n",
    b"\n" * 1000,
])
def test_every_csv_problem_has_a_sentence_in_both_languages(raw):
    with pytest.raises(kaggle.CSVError) as e:
        kaggle.read_kaggle_csv(raw)
    for lang in (0, 1):
        text = TEXT[f"csv_{e.value.kind}"][lang].format(**e.value.details)
        where = TEXT["csv_at_cell"][lang].format(line=e.value.line, column=e.value.column, reason=text)
        assert str(e.value.line) in where and text.strip()


def test_the_validation_split_is_scored_on_the_held_out_training_images(mnist, monkeypatch, tmp_path):
    from train.data import split
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.switch_page("app_pages/evaluate.py").run()
    at.selectbox(key="eval_model_b").select_index(0).run()  # one model: no comparison section
    at.segmented_control(key="eval_data").set_value("val").run()
    assert not at.exception and not any(m.label == "Both wrong" for m in at.metric)
    idx = split(60_000, 10_000, 0).val
    pred = probabilities(load("cnn")[0], mnist.x_train[idx] / np.float32(255)).argmax(1)
    assert at.metric[0].value == f"{metrics.accuracy(mnist.y_train[idx], pred):.2%}"


# Heavy work off the server (issue 17, item 4) and a bounded disk cache (item 13).

@pytest.fixture
def home(tmp_path, monkeypatch):
    """Streamlit's disk cache lives in ~/.streamlit/cache: a fresh one per test."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    return tmp_path / ".streamlit" / "cache"


def shipped(name):
    return next(e for e in models.entries() if e.source == "shipped" and e.name == name)


def test_scoring_runs_in_a_worker_below_the_servers_priority(mnist, answers, home):
    pid = heavy.run(os.getpid)
    assert pid != os.getpid()
    assert psutil.Process(pid).nice() >= (psutil.BELOW_NORMAL_PRIORITY_CLASS if psutil.WINDOWS else 10)
    ds = evaluation.DataSet(f"test-{time.time()}", mnist.x_test, mnist.y_test)
    cpu = time.process_time()
    p = evaluation.probs(shipped("cnn"), ds)
    cpu = time.process_time() - cpu
    assert np.array_equal(p.argmax(1), answers["cnn"])
    assert cpu < 1.0, f"the server's own process spent {cpu:.1f} s of CPU scoring 10,000 images"


def test_a_worker_that_dies_is_a_worker_error_and_the_next_job_gets_a_fresh_one():
    with pytest.raises(heavy.WorkerError):
        heavy.run(os._exit, 9)  # as the kernel's out-of-memory killer would end it
    assert heavy.run(os.getpid) != os.getpid()


def test_a_csv_is_read_in_the_worker_and_its_errors_come_back_whole(mnist, home):
    raw = kaggle.kaggle_csv(mnist.x_test[:50], mnist.y_test[:50]).encode()
    x, y = evaluation.read_csv(raw + b"\n")
    assert np.array_equal(x, mnist.x_test[:50]) and np.array_equal(y, mnist.y_test[:50])
    with pytest.raises(kaggle.CSVError) as e:
        evaluation.read_csv(raw + b"1,2,3\n")
    assert (e.value.kind, e.value.line, e.value.column) == ("count", 52, "pixel2")


def test_the_disk_cache_is_bounded_by_size_oldest_out(mnist, home, monkeypatch):
    """Streamlit writes one file per answer (outside a server run, too: here they are made by hand) and
    never removes one; scoring keeps the folder under DISK_CACHE_BYTES, the oldest files out first."""
    home.mkdir(parents=True)
    files = [home / f"fn-{i}.memo" for i in range(5)]
    for i, f in enumerate(files):
        f.write_bytes(b"x" * 2**20)
        os.utime(f, (1000 + i, 1000 + i))
    (home / "other.txt").write_bytes(b"x" * 2**22)  # not a cache file: left alone
    monkeypatch.setattr(evaluation, "DISK_CACHE_BYTES", int(2.5 * 2**20))
    evaluation.probs(shipped("mlp"), evaluation.DataSet("small", mnist.x_test[:20], mnist.y_test[:20]))
    assert [f.exists() for f in files] == [False, False, False, True, True]
    assert (home / "other.txt").exists()
