"""A hostile student's forged widget values, on every page: what no browser would send, sent anyway.

For each page, one websocket session (bench/load_client.py) opens it as a student, learns every widget
on it, then sends reruns in which one widget at a time holds a forged value of every kind Streamlit's
protocol carries: a trigger, huge and negative integers, NaN and infinities, a megabyte of markup, a
10,000-long array, damaged JSON, bytes. After each forged rerun it checks that the script ended (a
forged value may make Streamlit's own widget code raise: that spoils the forger's own tab alone, which
must then say no more than that an error occurred), that the server is healthy, and every 20 forged
reruns that a second student, drawing on the Draw page, still gets both answers.

    python -m bench.probe_widgets [--pages draw draw:number draw:upload wall ...] [--max-widgets 40]

draw:number and draw:upload are the Draw page in its other modes: the mode is chosen first (and, in number
mode, a touching number drawn with its strokes, as the number canvas sends them), and every forged rerun
carries those values too, as a browser sends every widget's state.

Loopback only, bounded: at most pages × widgets × 13 reruns (two more for the number canvas: forged stroke
lists). Prints what failed; exits 1 if anything did.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import math
import os
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from bench.load_client import Student, canvas_value  # noqa: E402
from tests.browser import streamlit_server  # noqa: E402

PAGES = ["draw", "draw:number", "draw:upload", "wall", "train", "evaluate", "explore", "sweep"]
MODES = {"number": "A number", "upload": "Upload a photo"}  # the Draw page's mode control, as a browser sends it
MARKUP = "<script>alert(1)</script>[x](http://e)![i](http://e/i.png)\u202e" * 20_000  # about a megabyte
FORGED = [("trigger_value", True), ("int_value", 2**62), ("int_value", -(2**62)), ("int_value", -1),
          ("double_value", math.nan), ("double_value", math.inf), ("double_value", -1e308),
          ("string_value", MARKUP), ("int_array_value", list(range(10_000))),
          ("double_array_value", [math.nan] * 3), ("string_array_value", [MARKUP[:1000]] * 100),
          ("json_value", '{"drawing": {"png": "data:image/png;base64,AAAA'), ("bytes_value", os.urandom(4096))]


@functools.cache
def number_value() -> dict:
    """The number canvas's value for a seeded touching number: its PNG and its strokes, as ui/draw/ink_canvas.js
    sends them. Made once: every tab the probe opens in number mode draws it (read it, do not change it)."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    from bench.synth_numbers import touching_numbers
    images, _, pens = touching_numbers(1, 1, strokes=True)
    png = io.BytesIO()
    Image.fromarray(images[0]).save(png, format="PNG")
    lines = [[round(float(brush), 1), *np.round(xy, 1).ravel().tolist()] for xy, brush in pens[0]]
    return {"drawing": {"png": "data:image/png;base64," + base64.b64encode(png.getvalue()).decode(), "strokes": lines}}


def forged_strokes() -> list[tuple[str, str]]:
    """The number canvas's PNG with forged strokes beside it (bench/forged_strokes.py): 16 × 1,250 points
    anywhere at brush 128 (refused: read by the pixels), and walks just short enough to be kept."""
    import numpy as np

    from bench import forged_strokes as fs
    png = number_value()["drawing"]["png"]
    rng = np.random.default_rng(0)
    return [("json_value", json.dumps({"drawing": {"png": png, "strokes": fs.forged(rng, kept)}}))
            for kept in (False, True)]


class Prober(Student):
    """A student who remembers every widget id the page showed."""

    def __init__(self, url: str, page: str, stroke: dict | None = None):
        super().__init__(url, answers=0, timeout_s=60)
        self.page, self.mode = page.split(":") if ":" in page else (page, "")
        self.widgets = []
        self.tracebacks: list[str] = []
        self.drawn = stroke  # on the Draw page: a digit drawn first, so the widgets under the answers show too
        self.canvas_json = ""
        self.held: dict[str, tuple[str, object]] = {}  # id -> (field, value) every rerun sends: the mode, a number

    def _read(self, fm: ForwardMsg, run) -> None:
        super()._read(fm, run)
        if fm.WhichOneof("type") == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            what = el.WhichOneof("type")
            wid = getattr(getattr(el, what), "id", "") if what else ""
            if wid and wid not in [w for w, _ in self.widgets]:
                self.widgets.append((wid, fm.delta.fragment_id))
            if what == "exception":
                self.tracebacks.append(f"{el.exception.type}: {el.exception.message[:160]}")

    async def open_page(self):
        ws_url = self.url.replace("http://", "ws://", 1) + "/_stcore/stream"
        import websockets
        self.ws = await websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, origin=self.url)
        msg = BackMsg()
        msg.rerun_script.context_info.url = f"{self.url}/{'' if self.page == 'draw' else self.page}"
        msg.rerun_script.page_name = "" if self.page == "draw" else self.page
        run = await self._run(msg)
        if self.page == "draw" and self.mode:
            return await self.choose_mode()
        if self.page == "draw" and self.drawn is not None and self.canvas_id is not None:
            self.canvas_json = json.dumps(canvas_value(self.canvas_component, self.drawn))
            run = await self.stroke(self.drawn)
        return run

    def _id(self, key: str) -> str | None:
        return next((w for w, _ in self.widgets if w.endswith(f"-{key}")), None)

    async def choose_mode(self):
        """The Draw page's mode control set to self.mode; in number mode, a number drawn on its canvas."""
        mode = self._id("draw_mode")
        if mode is None:
            raise RuntimeError("no mode control on the Draw page")
        self.held[mode] = ("string_array_value", [MODES[self.mode]])
        self.canvas_id, self.canvas_json = None, ""  # the one-digit canvas is gone in the other modes
        self.widgets = []  # learnt again: those of this mode
        run = await self.forge("", "", "", None)
        if self.mode == "number":
            canvas = self._id("draw_number")
            if canvas is None:
                raise RuntimeError("no number canvas in number mode")
            self.held[canvas] = ("json_value", json.dumps(number_value()))
            run = await self.forge("", "", "", None)
        return run

    async def forge(self, wid: str, fragment: str, field: str, value):
        msg = BackMsg()
        rs = msg.rerun_script
        rs.page_script_hash = self.page_hash
        rs.context_info.url = f"{self.url}/{self.page}"
        if self.canvas_json and wid != self.canvas_id:  # a browser sends every widget's state: the drawing stays
            c = rs.widget_states.widgets.add()
            c.id, c.json_value = self.canvas_id, self.canvas_json
        held = [(w, f, v) for w, (f, v) in self.held.items() if w != wid]
        for w_id, f, v in held + ([(wid, field, value)] if wid else []):
            w = rs.widget_states.widgets.add()
            w.id = w_id
            if f.endswith("_array_value"):
                getattr(w, f).data.extend(v)
            else:
                setattr(w, f, v)
        return await self._run(msg)


def healthy(url: str) -> bool:
    try:
        return urllib.request.urlopen(url + "/_stcore/health", timeout=10).read() == b"ok"
    except OSError:
        return False


async def canary(url: str, strokes: list[dict]) -> str | None:
    """A student on the Draw page draws once; None if both answers came, else what went wrong."""
    s = Student(url)
    try:
        await s.open()
        run = await s.stroke(strokes[0])
        return None if run.answered and not run.errors else f"canary: {run.errors or 'no answers'}"
    finally:
        await s.close()


async def probe(url: str, pages: list[str], max_widgets: int) -> list[str]:
    strokes = json.loads((Path(__file__).parent / "load_strokes.json").read_text())["strokes"]
    failures, sent, own = [], 0, {}
    for page in pages:
        p = Prober(url, page, strokes[0])
        await p.open_page()
        widgets = p.widgets[:max_widgets]
        await p.close()
        print(f"{page}: {len(widgets)} widgets: {', '.join(w.rsplit('-', 1)[-1][:24] for w, _ in widgets)}", flush=True)
        for wid, fragment in widgets:
            p = Prober(url, page, strokes[0])  # a fresh tab per widget: what a forged value leaves in a session stays
            await p.open_page()
            p.tracebacks.clear()
            forged = FORGED + (forged_strokes() if wid.endswith("-draw_number") else [])
            for field, value in forged:
                run = await p.forge(wid, fragment, field, value)
                sent += 1
                short = wid.rsplit("-", 1)[-1][:40]
                if run.finished is None:
                    failures.append(f"{page} {short} {field}: {run.errors}")
                if p.tracebacks:  # in the forger's own tab: counted, and shown only if it says more than "error"
                    own[f"{page} {short} {field}"] = p.tracebacks[-1]
                    await p.close()
                    p = Prober(url, page, strokes[0])  # that tab is spoiled for its own student: a new one
                    await p.open_page()
                    p.tracebacks.clear()
                if not healthy(url):
                    failures.append(f"{page} {short} {field}: the server is not healthy")
                    return failures
                if sent % 20 == 0 and (problem := await canary(url, strokes)):
                    failures.append(f"after {page} {short} {field}: {problem}")
            await p.close()
    print(f"{sent} forged reruns sent; {len(own)} ended in an exception in the forger's own tab, which shows:")
    for text in sorted(set(own.values())):
        print(f"  {text!r} ({sum(v == text for v in own.values())}×)")
    return failures


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", nargs="+", default=PAGES, choices=PAGES)
    ap.add_argument("--max-widgets", type=int, default=40)
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DIGITLAB_RUNS": f"{tmp}/runs", "DIGITLAB_DRAWINGS": f"{tmp}/drawings",
               "DIGITLAB_TEACHER_KEY": "probe-key-not-given-to-students"}  # the probe is a student
        with streamlit_server(env=env) as url:
            failures = asyncio.run(probe(url, a.pages, a.max_widgets))
    for f in failures:
        print("FAILED", f)
    print("held" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
