"""AppTest of the Explore page: class balance, samples, and a model's test images, mistakes only on demand."""

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def tiles(at) -> list[tuple[int, int]]:
    """(label, prediction) of every test tile shown, read from the captions '#n: label → pred (p%)'."""
    out = []
    for img in at.image:
        for caption in img.captions:
            if m := re.match(r"#\d+: (\d) → (\d)", caption):
                out.append((int(m[1]), int(m[2])))
    return out


def test_explore_shows_data_and_a_models_mistakes():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/explore.py").run()
    assert not at.exception
    assert at.title[0].value == "Explore MNIST"
    shown = tiles(at)
    assert len(shown) == 24 and sum(a == b for a, b in shown) >= 23  # the shipped CNN is 99.5% right
    at.toggle(key="explore_wrong").set_value(True).run()
    wrong = tiles(at)
    assert wrong and all(a != b for a, b in wrong)
    caption = next(c.value for c in at.caption if "test images wrong" in c.value)
    assert "99.5" in caption
