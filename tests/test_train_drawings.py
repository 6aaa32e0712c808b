"""AppTest of the Train page's "include the class's drawings": disabled while none are saved, offered with
the count once one is. (That the weight reaches training is tested in test_collection.py.)"""

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from classroom import drawings as collection

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_the_weight_is_offered_once_drawings_exist(monkeypatch, tmp_path):
    monkeypatch.setenv("DIGITLAB_DRAWINGS", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/train.py").run()
    assert not at.exception
    assert at.number_input(key="train_drawings").disabled
    collection.add(np.zeros((28, 28)), 7, folder=tmp_path)
    at.run()
    box = at.number_input(key="train_drawings")
    assert not box.disabled and "1 saved drawings" in box.help
    box.set_value(5).run()
    assert not at.exception and at.number_input(key="train_drawings").value == 5
