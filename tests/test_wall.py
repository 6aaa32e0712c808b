"""The class wall (ui/wall/view.py, ui/wall/answers.py): newest first, both models' answers, the tally, each drawing
scored once, and only the teacher can hide a drawing."""

import re

import numpy as np
import pytest

from classroom import drawings as collection
from model import store
from model.infer import probabilities
from model.paths import PRETRAINED
from tests.apptest import open_page
from ui.wall.answers import Answers, tally

KEY = "wall-test-key"


@pytest.fixture
def drawings(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path))
    return tmp_path


def save(mnist, indices, folder) -> list[int]:
    """Save MNIST test images with their true labels, as students pressing "Wrong? It was a …" would."""
    ids = []
    for i in indices:
        ids.append(collection.add(mnist.x_test[i] / 255.0, int(mnist.y_test[i]), folder=folder))  # its id
    return ids


def wall_html(at) -> str:
    return next(m.value for m in at.markdown if "dl-wall" in m.value and "<figure" in m.value)


def tally_text(at) -> str:
    return next(m.value for m in at.markdown if "class='dl-tally'" in m.value)


def test_each_drawing_is_scored_once_and_the_tally_counts_right_answers(mnist):
    model, _ = store.load(PRETRAINED / "cnn")
    calls = []

    def predict(images):
        calls.append(len(images))
        return probabilities(model, images)
    answers = Answers(predict)
    ids, images, labels = np.arange(30), mnist.x_test[:30], mnist.y_test[:30]
    first = answers.fill(ids, images)
    assert answers.fill(ids, images) == first and calls == [30]  # the second redraw scored nothing
    more = answers.fill(np.arange(32), mnist.x_test[:32])
    assert calls == [30, 2] and answers.scored == 32 and set(more) == set(range(32))
    expected = int((probabilities(model, images / 255.0).argmax(1) == labels).sum())
    assert tally(labels, ids, first) == expected and expected >= 28  # the shipped CNN reads MNIST well
    wrong = {d: (first[d] + 1) % 10 for d in first}
    assert tally(labels, ids, wrong) == 0


def test_the_wall_shows_newest_first_with_both_answers_and_the_tally(mnist, drawings, monkeypatch):
    monkeypatch.delenv("DIGITLAB_TEACHER_KEY", raising=False)
    at = open_page("app_pages/wall.py")
    assert any("No drawings yet" in i.value for i in at.info)
    ids = save(mnist, range(5), drawings)
    at.run()
    html = wall_html(at)
    assert [int(d) for d in re.findall(r"data-id='(-?\d+)'", html)] == ids[::-1]  # newest first
    assert html.count("MLP ") == 5 and html.count("CNN ") == 5
    assert re.search(r"The CNN read \d of 5 right, the MLP \d\.", tally_text(at))
    at.session_state["lang"] = "zh"
    at.run()
    assert re.search(r"CNN 认对了 5 个中的 \d 个，MLP 认对了 \d 个。", tally_text(at))


def test_the_teacher_hides_a_drawing_and_it_leaves_the_collection(mnist, drawings, monkeypatch):
    monkeypatch.delenv("DIGITLAB_TEACHER_KEY", raising=False)  # this computer only: its user is the teacher
    ids = save(mnist, range(3), drawings)
    at = open_page("app_pages/wall.py")
    at.toggle(key="wall_hide_mode").set_value(True).run()
    at.button(key=f"wall_hide_{ids[1]}").click().run()
    assert collection.load(drawings).ids.tolist() == [ids[0], ids[2]]
    at.run()  # the next redraw (the browser's is the fragment's own rerun)
    assert "of 2 right" in tally_text(at) and not at.exception


def test_a_student_cannot_hide_even_with_the_controls_forced_on(mnist, drawings, monkeypatch):
    from ui import roles
    monkeypatch.setenv("DIGITLAB_TEACHER_KEY", KEY)
    ids = save(mnist, range(2), drawings)
    at = open_page("app_pages/wall.py")
    assert not [g for g in at.toggle if g.key == "wall_hide_mode"]
    assert not [b for b in at.button if b.key and b.key.startswith("wall_hide_")]
    monkeypatch.setattr(roles, "locked", lambda: False)  # as if the page drew the teacher's controls
    at.run()
    at.toggle(key="wall_hide_mode").set_value(True).run()
    at.button(key=f"wall_hide_{ids[0]}").click().run()
    assert collection.load(drawings).ids.tolist() == ids
    assert any("Only the teacher can do this" in e.value for e in at.error)
