"""model/answer.py and its worker process (ui/models.py): a stroke's answer is the same wherever it is
computed, a broken model is that slot's message only, and a worker that dies or hangs costs one stroke
its speed, never its answer."""

import shutil
import time

import numpy as np
import psutil
import pytest
from PIL import Image, ImageDraw

from model import answer as answers
from model import store
from model.infer import probabilities
from model.preprocess import preprocess
from train import catalog
from ui import models


def drawn_seven() -> np.ndarray:
    im = Image.new("RGBA", (280, 280))
    ImageDraw.Draw(im).line([(70, 60), (210, 60), (120, 240)], fill=(0, 0, 0, 255), width=20)
    return np.asarray(im)


@pytest.fixture
def chosen():
    return {e.name: e for e in catalog.list_models() if e.source == "shipped" and e.name in ("mlp", "cnn")}


def load(path, mtime):
    return store.load(path)[0]


def test_the_answer_is_each_models_reading_of_what_it_sees(chosen):
    image = drawn_seven()
    got = answers.answer(image, {slot: (str(e.path), 1.0) for slot, e in chosen.items()}, load)
    pre = preprocess(image)
    assert np.array_equal(got.pre.image, pre.image) and got.errors == {} and got.not_digit is False
    for slot, e in chosen.items():
        assert np.allclose(got.probs[slot], probabilities(store.load(e.path)[0], pre.image)[0])
        assert got.probs[slot].argmax() == 7


def test_a_broken_model_is_its_slots_message_and_the_other_answers(chosen, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(chosen["cnn"].path, broken)
    (broken / "model.safetensors").write_bytes(b"not weights")
    got = answers.answer(drawn_seven(), {"mlp": (str(chosen["mlp"].path), 1.0), "cnn": (str(broken), 1.0),
                                         "gone": (str(tmp_path / "gone"), None)}, answers.Loaded().model)
    assert got.probs["mlp"].argmax() == 7 and set(got.errors) == {"cnn", "gone"}
    assert "checksum" in got.errors["cnn"] and "missing" in got.errors["gone"]


def test_loaded_models_are_kept_by_path_and_mtime_and_the_oldest_goes_first(monkeypatch):
    calls = []
    monkeypatch.setattr(answers.store, "load", lambda path: calls.append(path) or (object(), {}))
    loaded = answers.Loaded()
    first = loaded.model("a", 1.0)
    assert loaded.model("a", 1.0) is first and calls == ["a"]
    assert loaded.model("a", 2.0) is not first and calls == ["a", "a"]  # retrained at the same path
    for i in range(answers.Loaded.MAX):
        loaded.model(f"other{i}", 1.0)
    assert loaded.model("a", 2.0) and calls[-1] == "a"  # dropped: loaded again
    with pytest.raises(store.CheckpointError, match="missing"):
        loaded.model("a", None)


def test_an_empty_canvas_asks_no_model(chosen):
    got = answers.answer(np.zeros((280, 280, 4), np.uint8), {"mlp": ("/nowhere", 1.0)}, load)
    assert got.pre.empty and got.probs == {} and got.errors == {}


def no_worker() -> None:
    """Stop the process's worker, if a Draw page opened earlier in this pytest process started one."""
    if (w := models._worker["now"]) is not None:
        w.stop()
    models._worker.update(now=None, failed_at=-1e9)


@pytest.fixture
def worker(monkeypatch):
    no_worker()
    monkeypatch.setenv(models.WORKER, "1")
    monkeypatch.setattr(models, "WORKER_BACKOFF_S", 0)
    yield
    no_worker()


def warm_worker(image, chosen):
    models.answer(image, chosen)  # starts it; answered here meanwhile
    w = models._worker["now"]
    assert w is not None
    deadline = time.time() + 120
    while not w.ready and time.time() < deadline:
        if w.conn.poll(0.2):
            w.ready = w.conn.recv() == "ready"
    assert w.ready and w.proc.is_alive()
    return w


def test_the_worker_answers_as_the_server_would(worker, chosen, monkeypatch):
    image = drawn_seven()
    here = models.answer(image, chosen)
    warm_worker(image, chosen)

    def not_here(*a):
        raise AssertionError("answered in the server, not in the worker")
    monkeypatch.setitem(models.answers.ASKS, "digit", not_here)  # the server's copy only: the worker has its own
    there = models.answer(image, chosen)
    assert np.array_equal(there.pre.image, here.pre.image) and there.not_digit == here.not_digit
    assert all(np.allclose(there.probs[s], here.probs[s], atol=1e-6) for s in chosen)


def test_a_dead_worker_costs_no_answer_and_is_replaced(worker, chosen):
    image = drawn_seven()
    first = warm_worker(image, chosen)
    first.proc.kill()
    first.proc.join(10)
    got = models.answer(image, chosen)  # the pipe is broken: answered here
    assert all(got.probs[s].argmax() == 7 for s in chosen) and models._worker["now"] is None
    models.answer(image, chosen)  # the next stroke starts another
    assert warm_worker(image, chosen) is not first


def test_a_stuck_worker_is_replaced_after_its_wait(worker, chosen, monkeypatch):
    image = drawn_seven()
    w = warm_worker(image, chosen)
    monkeypatch.setattr(models, "WORKER_WAIT_S", 0.5)
    psutil.Process(w.proc.pid).suspend()  # a stuck worker: it reads nothing and answers nothing
    t = time.monotonic()
    got = models.answer(image, chosen)
    assert all(got.probs[s].argmax() == 7 for s in chosen) and models._worker["now"] is None
    assert time.monotonic() - t < 30  # not stalled on the send
    w.proc.join(10)
    assert not w.proc.is_alive()


def test_switched_off_no_worker_starts(chosen, monkeypatch):
    no_worker()
    monkeypatch.setenv(models.WORKER, "0")
    models.start_worker(chosen)
    assert models.answer(drawn_seven(), chosen).probs["cnn"].argmax() == 7 and models._worker["now"] is None


def test_opening_the_draw_page_warms_the_worker_before_any_stroke(worker, chosen):
    from tests.apptest import open_page
    open_page("app_pages/draw.py")
    w = models._worker["now"]
    assert w is not None and w.proc.is_alive()
    warm_worker(drawn_seven(), chosen)


def drawn_number() -> np.ndarray:
    """"17" on the number canvas (560 × 240), the digits apart."""
    im = Image.new("RGBA", (560, 240))
    d = ImageDraw.Draw(im)
    d.line([(150, 40), (150, 200)], fill=(0, 0, 0, 255), width=18)
    d.line([(300, 50), (420, 50), (340, 200)], fill=(0, 0, 0, 255), width=18)
    return np.asarray(im)


def test_a_number_is_read_alike_in_the_worker_and_here(worker, chosen, monkeypatch):
    image = drawn_number()
    here = models.read_number(image, chosen)
    assert [int(d) for d in here.reading.probs[0].argmax(1)] == [1, 7] and here.errors == {}
    assert here.not_digit is not None and not here.not_digit.any()
    warm_worker(drawn_seven(), chosen)

    def not_here(*a):
        raise AssertionError("read in the server, not in the worker")
    monkeypatch.setitem(models.answers.ASKS, "number", not_here)  # the server's copy only: the worker has its own
    there = models.read_number(image, chosen)
    assert there.slots == here.slots and [p.box for p in there.reading.parts] == [p.box for p in here.reading.parts]
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(there.reading.probs, here.reading.probs, strict=True))


def test_a_busy_worker_leaves_the_stroke_to_the_server(worker, chosen):
    image = drawn_seven()
    warm_worker(image, chosen)
    with models._worker_lock:  # another session's long number, say
        got = models.answer(image, chosen)
    assert all(got.probs[s].argmax() == 7 for s in chosen) and models._worker["now"].proc.is_alive()
