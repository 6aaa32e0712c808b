"""Names shown to the class cannot reorder the text around them (issue 17, item 9): ui.safe_text.plain, and
md, option and label, which use it."""

import unicodedata
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from model.store import ModelEntry
from ui import models
from ui.safe_text import JOINER, md, plain

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def shown(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) in ("Cc", "Cf")} - {JOINER}


def test_a_right_to_left_override_in_a_run_name_does_not_reverse_the_picker_text():
    e = ModelEntry("evil\u202e", Path("runs/evil-1"), "cnn", "run", 0.6571, None)
    assert models.option(e) == "evil · 65.71% · —"  # no date known; the accuracy reads left to right
    assert models.label(e).startswith("evil (") and "\u202e" not in models.label(e)


def test_every_bidi_control_and_zero_width_character_is_dropped_and_lines_joined():
    assert plain(f"a{BIDI}\u200b\u200d\x00\x1b[31m b\nc\t\u2028d") == "a[31m b c d"
    assert not shown(md(f"**{BIDI}x**"))


@given(st.text())
def test_property_plain_and_md_leave_no_control_or_format_character(text):
    assert not shown(plain(text)) and not shown(md(text))
    assert plain(plain(text)) == plain(text)
