"""Smoke test of bench/load.py: a few light websocket clients draw on a real server and get every answer.

No timing assertions: the figures are bench/load.py's to print (RELIABILITY.md). This checks that
the client still speaks the app's protocol (the canvas is found, a replayed stroke reruns the page and
both models answer the digit that was drawn), so the load figures keep meaning something.
"""

import pytest

from bench import load

pytestmark = [pytest.mark.browser, pytest.mark.alone]  # starts a Streamlit server and loads it


def test_three_students_two_strokes_each_all_answered():
    a = load.parse_args(["--sessions", "3", "--strokes", "2", "--think", "0.2"])
    r = load.scenario("smoke", 3, 2, 0.2, False, a)
    assert r.errors == []
    assert len(r.strokes) == 6 and len(r.loads) == 3
    for run in r.strokes:
        assert run.answered is not None and run.finished is not None, run
        assert len(run.digits) == 2  # both models' big digit came back
        assert int(run.digits[-1]) == run.drawn  # the CNN reads the replayed stroke as the digit drawn
    assert r.stroke_cpu > 0  # the server did the work, not the client
