"""AppTest of the Explore page: class balance, samples, mean images and pixel spread, a model's test images
(mistakes only on demand), and the class's drawings (grid, delete with confirmation, import)."""

import re
from pathlib import Path

import numpy as np
import torch
from streamlit.testing.v1 import AppTest

from classroom import drawings as collection
from classroom import npz_file
from model import store
from ui import roles

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def tiles(at) -> list[tuple[int, int, int]]:
    """(n, label, prediction) of every test tile shown, read from the captions '#n: label → pred (p%)'."""
    out = []
    for img in at.image:
        for caption in img.captions:
            if m := re.match(r"#(\d+): (\d) → (\d)", caption):
                out.append((int(m[1]), int(m[2]), int(m[3])))
    return out


def explore(monkeypatch, folder, teacher: bool = True) -> AppTest:
    """The Explore page with the class's drawings in `folder`, for the teacher or for a student (a teacher key
    is set; only the teacher's session has shown it)."""
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(folder))
    monkeypatch.setenv(roles.KEY_ENV, "the-teachers-key")
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["role_teacher"] = teacher
    at.run()
    at.switch_page("app_pages/explore.py").run()
    assert not at.exception
    return at


def test_explore_shows_data_and_a_models_mistakes(mnist, monkeypatch, tmp_path):
    # the shipped CNN's answers on the test set, computed here without the page's code
    model, _ = store.load(store.PRETRAINED / "cnn")
    x = torch.from_numpy(mnist.x_test.copy()).float().div(255).unsqueeze(1)
    with torch.inference_mode():
        pred = torch.cat([model.eval()(x[i:i + 2000]).argmax(1) for i in range(0, len(x), 2000)]).numpy()
    y = mnist.y_test
    wrong = np.flatnonzero(pred != y)

    at = explore(monkeypatch, tmp_path)
    assert at.title[0].value == "Explore MNIST"
    assert tiles(at) == [(i + 1, y[i], pred[i]) for i in range(24)]  # the first 24 test images, as seed 001
    caption = next(c.value for c in at.caption if "test images wrong" in c.value)
    assert caption.startswith(f"{1 - len(wrong) / len(y):.2%} right: {len(wrong)} of 10,000 test images wrong")
    subheads = [s.value for s in at.subheader]
    assert "The average image of each digit" in subheads and "How dark the pixels are" in subheads
    means = [img for img in at.image if img.captions and img.captions[0] in "0123456789"]
    assert len(means) >= 10
    at.toggle(key="explore_wrong").set_value(True).run()
    assert tiles(at) == [(i + 1, y[i], pred[i]) for i in wrong[:24]]  # its first mistakes, in order


def test_the_class_drawings_grid_delete_with_confirmation_and_import(monkeypatch, tmp_path, mnist):
    for i in range(3):
        collection.add(mnist.x_test[i] / 255, int(mnist.y_test[i]), folder=tmp_path)
    exported = collection.export_bytes(tmp_path)
    at = explore(monkeypatch, tmp_path)
    assert any(c.value.startswith("Drawings saved from the Draw page: 3") for c in at.caption)
    first = int(collection.load(tmp_path).ids[0])
    at.checkbox(key=f"coll_pick_{first}").check().run()
    at.button(key="coll_delete").click().run()
    assert len(collection.load(tmp_path)) == 3  # nothing goes before the confirmation
    at.button(key="coll_delete_yes").click().run()
    c = collection.load(tmp_path)
    assert len(c) == 2 and first not in c.ids.tolist() and at.success[0].value == "1 drawings deleted."
    assert any(c.value.startswith("Drawings saved from the Draw page: 2") for c in at.caption)
    at.file_uploader(key="coll_import").upload("class_drawings.npz", exported).run()
    assert at.success[0].value == "1 new drawings imported." and len(collection.load(tmp_path)) == 3


def flood(folder, mnist):
    """What issue 17 met: three imports of noise on top of the class's own drawings."""
    for i in range(5):
        collection.add(mnist.x_test[i] / 255, int(mnist.y_test[i]), folder=folder, nickname="Ana", session="ana")
    for i in range(5, 8):
        collection.add(mnist.x_test[i] / 255, int(mnist.y_test[i]), folder=folder, session="bo")
    rng = np.random.default_rng(0)
    for n in (30, 30, 30):
        noise = collection.build(rng.integers(1, 2**62, n), rng.integers(0, 10, n),
                                 rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), np.full(n, 1.7e9),
                                 [b""] * n, [""] * n, [""] * n)
        collection.import_bytes(npz_file.encode(noise), folder=folder)
    return collection.load(folder)


def test_the_teacher_deletes_in_bulk_all_shown_by_nickname_by_session_and_by_time(monkeypatch, tmp_path, mnist):
    c = flood(tmp_path, mnist)
    assert len(c) == 98
    at = explore(monkeypatch, tmp_path)
    assert any(x.value == "The newest 60 of 98 are shown." for x in at.caption)
    imports = sorted(set(c.sessions[c.sessions != "ana"]) - {"bo"})
    at.segmented_control(key="coll_scope").set_value("session").run()
    at.selectbox(key="coll_pick_session").set_value(imports[0]).run()
    assert at.button(key="coll_delete").label == "Delete 30 drawings"
    at.button(key="coll_delete").click().run()
    at.button(key="coll_delete_yes").click().run()
    assert collection.count(tmp_path) == 68 and imports[0] not in collection.load(tmp_path).sessions

    at.segmented_control(key="coll_scope").set_value("time").run()  # the noise is dated 2023: before the class
    lo, hi = at.slider(key="coll_time").value
    at.slider(key="coll_time").set_value((lo, lo + (hi - lo) / 2)).run()
    at.button(key="coll_delete").click().run()
    at.button(key="coll_delete_yes").click().run()
    assert sorted(collection.load(tmp_path).sessions.tolist()) == ["ana"] * 5 + ["bo"] * 3

    at.segmented_control(key="coll_scope").set_value("nickname").run()
    at.selectbox(key="coll_pick_nickname").set_value("Ana").run()
    at.button(key="coll_delete").click().run()
    at.button(key="coll_delete_yes").click().run()
    assert collection.load(tmp_path).sessions.tolist() == ["bo"] * 3

    left = collection.load(tmp_path)
    at.pills(key="coll_digits").set_value([int(left.labels[0])]).run()
    at.segmented_control(key="coll_scope").set_value("shown").run()
    at.button(key="coll_delete").click().run()
    at.button(key="coll_delete_yes").click().run()
    assert sorted(collection.load(tmp_path).ids.tolist()) == sorted(left.ids[left.labels != left.labels[0]].tolist())


def test_a_student_sees_the_drawings_but_cannot_delete_import_or_export(monkeypatch, tmp_path, mnist):
    for i in range(3):
        collection.add(mnist.x_test[i] / 255, int(mnist.y_test[i]), folder=tmp_path)
    other = tmp_path / "other"
    collection.add(mnist.x_test[9] / 255, int(mnist.y_test[9]), folder=other)
    exported = collection.export_bytes(other)
    student = explore(monkeypatch, tmp_path, teacher=False)
    assert not [w for w in student.checkbox if w.key and w.key.startswith("coll_pick_")]
    assert not [b for b in student.button if b.key in ("coll_delete", "coll_delete_yes")]
    assert not student.get("download_button") and not student.get("file_uploader")
    assert any(c.value.startswith("Only the teacher can delete, export or import") for c in student.caption)

    # forged clicks: the controls a teacher's page had, sent from a session that is a student's
    at = explore(monkeypatch, tmp_path)
    first = int(collection.load(tmp_path).ids[0])
    at.checkbox(key=f"coll_pick_{first}").check().run()
    at.button(key="coll_delete").click().run()
    at.session_state["role_teacher"] = False
    at.button(key="coll_delete_yes").click().run()
    assert collection.count(tmp_path) == 3
    at.session_state["role_teacher"] = True
    at.run()
    uploader = at.file_uploader(key="coll_import")
    at.session_state["role_teacher"] = False
    uploader.upload("class_drawings.npz", exported).run()
    assert collection.count(tmp_path) == 3 and not at.exception
