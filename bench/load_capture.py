"""Record what a real browser sends and fetches on the Draw page, for bench/load.py to replay.

`python -m bench.load --capture` opens the app in headless Chromium, notes every static file the page
fetches, draws a few digits with the mouse, and keeps the canvas component's value from each mouse-up
rerun (a PNG data URL, plus fabric.js JSON for streamlit-drawable-canvas: 7-13 KB). The PNG is stored
once, beside the value (`"<png>"` marks its place), so another canvas component can be sent the same
drawing (bench/load_client.canvas_value).
"""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.load_client import CANVAS_KEY, PNG
from tests.browser import browser_page, streamlit_server, stroke

SURFACE = "canvas.upper-canvas, canvas.dl-ink"  # streamlit-drawable-canvas's, ui/draw/ink_canvas's
DIGITS = {  # one stroke each, in [0, 1] canvas coordinates
    7: [(0.25, 0.2), (0.7, 0.2), (0.42, 0.85)],
    1: [(0.62, 0.15), (0.6, 0.85)],
    2: [(0.28, 0.32), (0.35, 0.2), (0.5, 0.15), (0.64, 0.22), (0.66, 0.36), (0.56, 0.52), (0.28, 0.82), (0.72, 0.82)],
    3: [(0.3, 0.2), (0.6, 0.18), (0.66, 0.3), (0.45, 0.46), (0.68, 0.6), (0.64, 0.78), (0.3, 0.82)],
    4: [(0.55, 0.85), (0.55, 0.15), (0.25, 0.6), (0.75, 0.6)],
}


def canvas_values(frames: list[bytes]) -> list[tuple[dict, str]]:
    """The canvas's value, and the PNG data URL in it, in each rerun the browser sent."""
    out = []
    for raw in frames:
        msg = BackMsg.FromString(raw)
        if msg.WhichOneof("type") != "rerun_script":
            continue
        for w in msg.rerun_script.widget_states.widgets:
            if w.WhichOneof("value") == "json_value" and CANVAS_KEY.search(w.id):
                value = json.loads(w.json_value)
                drawing = value.get("drawing") or {}
                png = drawing.get("data") or drawing.get("png")  # streamlit-drawable-canvas, ui/draw/ink_canvas
                if png:
                    out.append((value, png))
    return out


def component_name(frames: list[bytes]) -> str:
    """The canvas's component, from the page the server sent."""
    for raw in frames:
        fm = ForwardMsg.FromString(raw)
        if fm.WhichOneof("type") == "delta" and fm.delta.new_element.WhichOneof("type") == "bidi_component":
            el = fm.delta.new_element.bidi_component
            if CANVAS_KEY.search(el.id):
                return el.component_name
    raise RuntimeError("no canvas component on the page")


def capture(path: Path) -> None:
    sent: list[bytes] = []
    received: list[bytes] = []
    assets: list[str] = []
    with streamlit_server() as url, browser_page() as page:
        def on_websocket(ws) -> None:
            ws.on("framesent", lambda p: sent.append(p if isinstance(p, bytes) else p.encode()))
            ws.on("framereceived", lambda p: received.append(p) if isinstance(p, bytes) else None)
        page.on("websocket", on_websocket)

        def on_request(r) -> None:  # every GET the page makes of the server, but the websocket
            path = r.url[len(url):]  # media files are per session: the client fetches its own (load_client)
            if r.method == "GET" and r.url.startswith(url) and not path.startswith(("/_stcore/stream", "/media/")):
                assets.append(path)
        page.on("request", on_request)
        page.goto(url)
        canvas = page.locator(SURFACE).first
        canvas.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)  # the component attaches its listeners after it appears
        strokes = []
        for digit, points in DIGITS.items():
            n = len(sent)
            stroke(page, canvas, points)
            page.locator(".st-key-prediction-cnn .dl-digit").wait_for(timeout=30_000)
            page.wait_for_timeout(1000)
            values = canvas_values(sent[n:])
            if not values:
                raise RuntimeError(f"no canvas value was sent for the {digit}")
            value, png = values[-1]
            value["drawing"] = {k: PNG if v == png else v for k, v in value["drawing"].items()}
            strokes.append({"digit": digit, "component": component_name(received), "value": value, "png": png})
            page.get_by_role("button", name="Clear").click()
            page.locator(".st-key-prediction-cnn").wait_for(state="detached", timeout=30_000)
            canvas = page.locator(SURFACE).first
            canvas.wait_for(timeout=30_000)
            page.wait_for_timeout(800)
    unique = list(dict.fromkeys(a for a in assets if a))
    path.write_text(json.dumps({"assets": unique, "strokes": strokes}, separators=(",", ":")) + "\n")
    print(f"{len(strokes)} strokes and {len(unique)} static files written to {path}")
