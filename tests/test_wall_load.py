"""Smoke test of `bench/load.py --wall`: light clients draw and save while a wall client refreshes, and the
wall ends up showing every saved drawing. No timing assertions: the figures are the bench's to print."""

import pytest

from bench import load

pytestmark = [pytest.mark.browser, pytest.mark.alone]  # starts a Streamlit server and loads it


def test_two_students_save_every_drawing_and_the_wall_shows_them_all():
    a = load.parse_args(["--sessions", "2", "--strokes", "2", "--think", "0.5", "--wall", "--save-every", "1"])
    r = load.scenario("wall smoke", 2, 2, 0.5, False, a)
    assert r.errors == [] and all(x.answered is not None for x in r.strokes)
    saves = r.wall["saves"]
    assert len(saves) == 4 and not any(x.errors for x in saves), [x.errors for x in saves]
    assert r.wall["fragment"] and r.wall["refreshes"] and r.wall["errors"] == []
    assert r.wall["tiles"] == 4 and " of 4 right" in r.wall["tally"]  # every save reached the wall
