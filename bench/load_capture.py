"""Record what a real browser sends and fetches on the Draw page, for bench/load.py to replay.

`python -m bench.load --capture` opens the app in headless Chromium, notes every static file the page
fetches, draws a few digits with the mouse, and keeps the canvas's value from each mouse-up rerun
(the drawable-canvas component's state: fabric.js JSON plus a PNG data URL, about 10 KB).
"""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg

from tests.browser import browser_page, streamlit_server, stroke

DIGITS = {  # one stroke each, in [0, 1] canvas coordinates
    7: [(0.25, 0.2), (0.7, 0.2), (0.42, 0.85)],
    1: [(0.62, 0.15), (0.6, 0.85)],
    2: [(0.28, 0.32), (0.35, 0.2), (0.5, 0.15), (0.64, 0.22), (0.66, 0.36), (0.56, 0.52), (0.28, 0.82), (0.72, 0.82)],
    3: [(0.3, 0.2), (0.6, 0.18), (0.66, 0.3), (0.45, 0.46), (0.68, 0.6), (0.64, 0.78), (0.3, 0.82)],
    4: [(0.55, 0.85), (0.55, 0.15), (0.25, 0.6), (0.75, 0.6)],
}


def canvas_values(frames: list[bytes]) -> list[dict]:
    """The canvas component's value in each rerun the browser sent (widget ids end with the key)."""
    out = []
    for raw in frames:
        msg = BackMsg.FromString(raw)
        if msg.WhichOneof("type") != "rerun_script":
            continue
        for w in msg.rerun_script.widget_states.widgets:
            if w.WhichOneof("value") == "json_value" and "draw_canvas" in w.id:
                value = json.loads(w.json_value)
                if (value.get("drawing") or {}).get("data"):
                    out.append(value)
    return out


def capture(path: Path) -> None:
    sent: list[bytes] = []
    assets: list[str] = []
    with streamlit_server() as url, browser_page() as page:
        page.on("websocket", lambda ws: ws.on("framesent", lambda p: sent.append(p if isinstance(p, bytes)
                                                                                  else p.encode())))

        def on_request(r) -> None:  # every GET the page makes of the server, but the websocket
            path = r.url[len(url):]  # media files are per session: the client fetches its own (load_client)
            if r.method == "GET" and r.url.startswith(url) and not path.startswith(("/_stcore/stream", "/media/")):
                assets.append(path)
        page.on("request", on_request)
        page.goto(url)
        canvas = page.locator("canvas.upper-canvas").first
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
            strokes.append({"digit": digit, "value": values[-1]})
            page.get_by_role("button", name="Clear").click()
            page.locator(".st-key-prediction-cnn").wait_for(state="detached", timeout=30_000)
            canvas = page.locator("canvas.upper-canvas").first
            canvas.wait_for(timeout=30_000)
            page.wait_for_timeout(800)
    unique = list(dict.fromkeys(a for a in assets if a))
    path.write_text(json.dumps({"assets": unique, "strokes": strokes}, separators=(",", ":")) + "\n")
    print(f"{len(strokes)} strokes and {len(unique)} static files written to {path}")
