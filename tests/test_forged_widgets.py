"""A forged widget value (what no browser sends) spoils the forger's own tab alone, and that tab shows no
exception text: bench/probe_widgets.py tries every widget of every page; this is its smallest case."""

import asyncio
import json
import tomllib

import pytest

from bench.load_client import Student
from bench.probe_widgets import Prober
from model.paths import REPO


def test_the_server_never_shows_a_student_an_exception_text():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


@pytest.mark.browser
def test_an_array_forged_into_the_language_radio_spoils_only_that_tab(app_url):
    strokes = json.loads((REPO / "bench" / "load_strokes.json").read_text())["strokes"]

    async def scenario(url):
        forger = Prober(url, "draw")
        await forger.open_page()
        (lang,) = [w for w, _ in forger.widgets if w.endswith("-lang")]
        await forger.forge(lang, "", "int_array_value", list(range(10_000)))
        seen = list(forger.tracebacks)
        await forger.close()
        other = Student(url)
        await other.open()
        answered = await other.stroke(strokes[0])
        await other.close()
        return seen, answered

    seen, answered = asyncio.run(scenario(app_url))  # the shared server (tests/conftest.py), as in a class
    assert seen and all("original error message is redacted" in s and "Traceback" not in s for s in seen), seen
    assert answered.answered is not None and not answered.errors, answered.errors
