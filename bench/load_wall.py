"""The class wall under load, for `python -m bench.load --wall`: the projector's wall page open while the
class draws, and every few drawings a student saves one with "Wrong? It was a …", as in minutes 15–20.

`Saver` is a bench/load_client.py student that also picks the label (the digit the replayed stroke
shows), through the app, as a browser does: the save runs the page's own code. `Wall` is one more client
on the wall page that reruns its fragment every ui.wall.view.REFRESH_S seconds, as the browser's `run_every`
does. The figure that matters is still the students' answer time.
"""

from __future__ import annotations

import asyncio
import json
import re
import time

from streamlit.proto.BackMsg_pb2 import BackMsg

from bench.load_client import Run, Student, canvas_value
from ui.wall.answers import REFRESH_S  # numpy only: this client stays light

LABEL_PILLS = re.compile(r"-coll_pick$")  # ui/class_drawings.py's "Wrong? It was a …" pills, keyed coll_pick
TILE = "<figure class='dl-tile'"
TALLY = re.compile(r"class='dl-tally'>(.*?)</div>")


class Saver(Student):
    """A student who saves every `every`-th drawing with its true digit; `saves` holds those reruns."""

    def __init__(self, url: str, every: int):
        super().__init__(url)
        self.every, self.strokes, self.saves = every, 0, []
        self.pills = ""  # the widget id of the ten digits, once the page has drawn them
        self.pills_fragment = ""  # the fragment they are in: a browser reruns that one only
        self.canvas_json = ""

    async def stroke(self, stroke: dict) -> Run:
        if self.canvas_id is not None:
            self.canvas_json = json.dumps(canvas_value(self.canvas_component, stroke))
        run = await super().stroke(stroke)
        self.strokes += 1
        if self.every and self.strokes % self.every == 0 and self.pills:
            self.saves.append(await self.pick(stroke["digit"]))
        return run

    async def pick(self, digit: int) -> Run:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.page_script_hash, rs.fragment_id = self.page_hash, self.pills_fragment or self.fragment_id
        rs.context_info.url, rs.context_info.timezone = self.url + "/", "UTC"
        canvas = rs.widget_states.widgets.add()  # a browser sends every widget's state, the canvas's too
        canvas.id, canvas.json_value = self.canvas_id, self.canvas_json
        w = rs.widget_states.widgets.add()
        w.id = self.pills
        w.string_array_value.data.append(str(digit))  # a pill's value on the wire: its option's text
        return await self._run(msg)

    def _read(self, fm, run: Run) -> None:
        super()._read(fm, run)
        if fm.WhichOneof("type") == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            if el.WhichOneof("type") == "button_group" and LABEL_PILLS.search(el.button_group.id):
                self.pills, self.pills_fragment = el.button_group.id, fm.delta.fragment_id


class Wall(Student):
    """The projector's tab on the wall page: opened once, then its fragment rerun every REFRESH_S seconds."""

    def __init__(self, url: str):
        super().__init__(url, answers=0)
        self.tiles, self.tally, self.wall_fragment = 0, "", ""

    async def open(self) -> Run:
        ws_url = self.url.replace("http://", "ws://", 1) + "/_stcore/stream"
        import websockets
        self.ws = await websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, origin=self.url,
                                           open_timeout=self.timeout_s)
        msg = BackMsg()
        msg.rerun_script.page_name = "wall"
        msg.rerun_script.context_info.url = self.url + "/wall"
        msg.rerun_script.context_info.timezone = "UTC"
        return await self._run(msg)

    async def refresh(self) -> Run:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.page_script_hash, rs.fragment_id, rs.is_auto_rerun = self.page_hash, self.wall_fragment, True
        rs.context_info.url, rs.context_info.timezone = self.url + "/wall", "UTC"
        return await self._run(msg)

    def _read(self, fm, run: Run) -> None:
        super()._read(fm, run)
        if fm.WhichOneof("type") == "delta":
            self.wall_fragment = fm.delta.fragment_id or self.wall_fragment
            if fm.delta.WhichOneof("type") == "new_element" and fm.delta.new_element.WhichOneof("type") == "markdown":
                body = fm.delta.new_element.markdown.body
                if TILE in body:
                    self.tiles = body.count(TILE)
                if m := TALLY.search(body):
                    self.tally = m.group(1)


async def watch(url: str, stop: asyncio.Event) -> dict:
    """Keep the wall open and refreshing until `stop`; what it cost and what it showed."""
    wall = Wall(url)
    first = await wall.open()
    times, errors = [], list(first.errors)
    while not stop.is_set():
        run = await wall.refresh()
        errors += run.errors
        if run.finished is not None:
            times.append(run.finished - run.started)
        try:
            await asyncio.wait_for(stop.wait(), max(0.0, REFRESH_S - (time.perf_counter() - run.started)))
        except TimeoutError:
            pass
    final = await wall.refresh()  # after the last save
    await wall.close()
    return {"refreshes": times, "tiles": wall.tiles, "tally": wall.tally, "errors": errors + final.errors,
            "fragment": bool(wall.wall_fragment)}


async def drive(drive_class, url: str, server, sessions: int, strokes: int, think: float, data: dict, seed: int,
                every: int):
    """bench.load's drive with savers for students, the wall watching the whole time."""
    stop = asyncio.Event()
    wall = asyncio.create_task(watch(url, stop))
    savers: list[Saver] = []

    def make(u: str) -> Saver:
        savers.append(Saver(u, every))
        return savers[-1]
    try:
        r = await drive_class(url, server, sessions, strokes, think, data, seed=seed, make=make)
    finally:
        stop.set()
    r.wall = {**await wall, "saves": [x for s in savers for x in s.saves]}
    return r


def report(w: dict, summary) -> None:
    saves = w["saves"]
    save_s = [x.finished - x.started for x in saves if x.finished is not None]
    print(f"class wall: {len(w['refreshes'])} redraws, each {summary(w['refreshes'])}; "
          f"{len(saves)} drawings saved ({summary(save_s)}); the wall shows {w['tiles']} tiles: {w['tally']!r}")
    errors = sorted({e for x in saves for e in x.errors} | set(w["errors"]))
    for e in errors[:10]:
        print(f"  wall/save error: {e}")
    if not w["fragment"]:
        print("  wall error: no fragment seen on the wall page")
