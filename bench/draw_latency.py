"""Mouse-up to updated answer on the Draw page, in headless Chromium, timed inside the page.

Starts the app, draws `--n` one-stroke digits with Playwright's mouse (clearing between them) and
prints the median and p95 of the time from the stroke's pointerup to the moment the CNN's answer
appears in the DOM. Playwright's own waits poll at growing intervals, so the clock runs in the page:
a pointerup listener and a MutationObserver (as in tests/test_browser_draw.py).

    PYTHONPATH=. .venv/bin/python bench/draw_latency.py --n 24
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import ARM_TIMER as ARM  # noqa: E402
from tests.browser import browser_page, streamlit_server, stroke  # noqa: E402


def ring(n=20):
    return [(0.5 + 0.2 * math.cos(2 * math.pi * i / n), 0.5 + 0.3 * math.sin(2 * math.pi * i / n))
            for i in range(n + 1)]


SHAPES = [  # one stroke each, in [0, 1] canvas coordinates
    [(0.3, 0.2), (0.7, 0.2), (0.45, 0.85)],
    ring(),
    [(0.55, 0.15), (0.53, 0.85)],
    [(0.3, 0.3), (0.5, 0.15), (0.66, 0.35), (0.3, 0.8), (0.72, 0.8)],
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=24, help="strokes to time")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()}")
    times = []
    with streamlit_server() as url, browser_page() as page:
        page.goto(url)
        canvas = page.locator("canvas.upper-canvas, canvas.dl-ink").first
        canvas.wait_for(timeout=60_000)
        page.wait_for_timeout(3000)  # the component attaches its listeners after it appears
        for i in range(args.n + 1):  # the first stroke warms the caches and is not counted
            page.evaluate(ARM)
            stroke(page, canvas, SHAPES[i % len(SHAPES)])
            page.locator(".st-key-prediction-cnn .dl-digit").wait_for(timeout=15_000)
            page.wait_for_function("() => window.__answer !== null", timeout=15_000)
            if i:
                times.append(page.evaluate("() => (window.__answer - window.__up) / 1000"))
            page.get_by_role("button", name="Clear").click()
            page.locator(".st-key-prediction-cnn").wait_for(state="detached", timeout=15_000)
            canvas = page.locator("canvas.upper-canvas, canvas.dl-ink").first
            canvas.wait_for(timeout=15_000)
            time.sleep(0.4)
    times.sort()
    p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
    print(f"strokes: {len(times)}")
    print("mouse-up -> answer, s: " + " ".join(f"{t:.3f}" for t in times))
    print(f"median {statistics.median(times) * 1e3:.0f} ms, p95 {p95 * 1e3:.0f} ms, max {times[-1] * 1e3:.0f} ms")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
