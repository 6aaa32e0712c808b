"""A light Streamlit client for bench/load.py: one object per student, speaking the app's websocket protocol.

A browser talks to Streamlit over `/_stcore/stream`: it sends protobuf `BackMsg`s (a `rerun_script` with
the widget states) and receives `ForwardMsg`s (deltas that build the page, then `script_finished`).
This client does the same without a browser, so a load test measures the server, not 40 Chromiums on
2 cores. The canvas's value on mouse-up is replayed from strokes captured from a real browser
(bench/load_strokes.json, written by `python -m bench.load --capture`), in the shape the page's canvas
component sends.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

CANVAS_KEY = re.compile(r"-draw_canvas(_\d+)?$")  # the Draw page's canvas widget (key draw_canvas[_N])
DIGIT = re.compile(r"data-digit='(\d)'")  # the big digit of a prediction panel (ui/widgets.py)
PNG = "<png>"  # where the capture took the PNG data URL out of the component's value
FINISHED_OK = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


@dataclass
class Run:
    """What one rerun brought back: when it started, the answer's and the end's arrival, and problems."""
    started: float
    answered: float | None = None   # the delta that completes the last answer (both models' digits)
    finished: float | None = None   # script_finished
    digits: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)  # st.image files the browser then fetches
    drawn: int | None = None  # the digit the replayed stroke shows
    errors: list[str] = field(default_factory=list)


def _fetch(url: str) -> int:
    """GET like a browser (gzip accepted); returns the bytes received, -1 for a file that is gone."""
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, deflate"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return len(r.read())
    except urllib.error.HTTPError as e:
        if e.code == 404:  # a captured bundle name from another Streamlit or component version
            return -1
        raise


def canvas_value(component: str, stroke: dict) -> dict:
    """The value a canvas component sends on mouse-up, for a captured stroke (bench/load_strokes.json).

    The capture keeps the component's own value and the PNG; another canvas component gets the same
    PNG in its own shape (their JavaScript's `setStateValue("drawing", …)`)."""
    if component == stroke["component"]:  # the PNG is kept once, outside the value: put it back
        drawing = {k: stroke["png"] if v == PNG else v for k, v in stroke["value"]["drawing"].items()}
        return {**stroke["value"], "drawing": drawing}
    if component == "digitlab.ink_canvas":  # ui/draw/ink_canvas.js
        return {"drawing": {"png": stroke["png"], "strokes": 1}}
    if component == "streamlit-drawable-canvas.streamlit_drawable_canvas":
        return {"drawing": {"raw": {"version": "7.4.0", "objects": []}, "data": stroke["png"]}}
    raise ValueError(f"unknown canvas component {component!r}: run `python -m bench.load --capture`")


class Student:
    """One browser tab on the Draw page: loads it, then sends canvas strokes and waits for the answers."""

    def __init__(self, url: str, answers: int = 2, timeout_s: float = 60):
        self.url, self.answers, self.timeout_s = url, answers, timeout_s
        self.ws = None
        self.page_hash = ""
        self.canvas_id: str | None = None
        self.canvas_component = ""
        self.missing_assets = 0
        self.fragment_id = ""   # set when the canvas lives in an st.fragment: the browser reruns just that

    async def fetch_assets(self, paths: list[str]) -> int:
        """The static files a real browser fetched for the page (captured list), 6 at a time like Chromium."""
        sem = asyncio.Semaphore(6)

        async def one(path: str) -> int:
            async with sem:
                return await asyncio.to_thread(_fetch, self.url + path)
        sizes = await asyncio.gather(*(one(p) for p in paths))
        self.missing_assets += sum(n < 0 for n in sizes)
        return sum(n for n in sizes if n > 0)

    async def open(self) -> Run:
        """Connect and run the page once, as a fresh tab does. Learns the canvas's widget id."""
        ws_url = self.url.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.ws = await websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None,
                                           origin=self.url, open_timeout=self.timeout_s)
        msg = BackMsg()
        msg.rerun_script.context_info.url = self.url + "/"
        msg.rerun_script.context_info.timezone = "UTC"
        return await self._run(msg)

    async def stroke(self, stroke: dict) -> Run:
        """The rerun a mouse-up triggers: the canvas's new value (a PNG data URL, and more per component)."""
        if self.canvas_id is None:
            run = Run(time.perf_counter())
            run.errors.append("no canvas on the page")
            return run
        msg = BackMsg()
        rs = msg.rerun_script
        rs.page_script_hash = self.page_hash
        rs.context_info.url = self.url + "/"
        rs.context_info.timezone = "UTC"
        if self.fragment_id:
            rs.fragment_id = self.fragment_id
        w = rs.widget_states.widgets.add()
        w.id = self.canvas_id
        w.json_value = json.dumps(canvas_value(self.canvas_component, stroke))
        return await self._run(msg)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def _run(self, msg: BackMsg) -> Run:
        run = Run(time.perf_counter())
        await self.ws.send(msg.SerializeToString())
        try:
            async with asyncio.timeout(self.timeout_s):
                while run.finished is None:
                    self._read(ForwardMsg.FromString(await self.ws.recv()), run)
        except TimeoutError:
            run.errors.append(f"no end of run within {self.timeout_s:.0f} s")
        except websockets.ConnectionClosed as e:
            run.errors.append(f"connection closed: {e}")
        try:  # after the answer, as a browser does: it costs the server, not the answer's time
            await self.fetch_assets(run.media)
        except OSError as e:
            run.errors.append(f"image fetch failed: {e}")
        return run

    def _read(self, fm: ForwardMsg, run: Run) -> None:
        kind = fm.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = fm.new_session.page_script_hash or self.page_hash
        elif kind == "script_finished":
            run.finished = time.perf_counter()
            if fm.script_finished not in FINISHED_OK:
                run.errors.append(f"script finished with status {fm.script_finished}")
        elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            what = el.WhichOneof("type")
            if what == "bidi_component" and CANVAS_KEY.search(el.bidi_component.id):
                self.canvas_id = el.bidi_component.id
                self.canvas_component = el.bidi_component.component_name
                self.fragment_id = fm.delta.fragment_id
            elif what == "exception":
                run.errors.append(f"exception on the page: {el.exception.type}: {el.exception.message[:200]}")
            elif what == "alert" and el.alert.format == el.alert.ERROR:
                run.errors.append(f"error on the page: {el.alert.body[:200]}")
            elif what == "imgs":
                run.media += [i.url for i in el.imgs.imgs if i.url.startswith("/media/")]
            elif what == "markdown" and (m := DIGIT.search(el.markdown.body)):
                run.digits.append(m.group(1))
                if len(run.digits) == self.answers:
                    run.answered = time.perf_counter()
