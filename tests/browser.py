"""Helpers for real-browser tests: a Streamlit server on a free loopback port, and Debian's chromium."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from model.paths import REPO

# Debian's chromium here; elsewhere an installed Chrome (scripts/setup.py says which), or $DIGITLAB_BROWSER
CHROMIUM = os.environ.get("DIGITLAB_BROWSER") or {
    "darwin": "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "win32": r"C:\Program Files\Google\Chrome\Application\chrome.exe"}.get(sys.platform, "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "artifacts"  # screenshots land here (ignored by git)

# Timed inside the page: Playwright's own waits poll at growing intervals (up to 500 ms), which
# would measure the poll, not the app. The observer notes when the answer's element appears.
ARM_TIMER = """() => {
  window.__up = null; window.__answer = null;
  window.addEventListener('pointerup', () => { window.__up = performance.now(); }, {capture: true, once: true});
  const obs = new MutationObserver(() => {
    if (window.__up !== null && document.querySelector('.st-key-prediction-cnn .dl-digit')) {
      window.__answer = performance.now(); obs.disconnect();
    }
  });
  obs.observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_process(args=(), env: dict | None = None, log_path: Path | None = None, timeout_s: float = 60,
                      loopback: bool = True, tree: Path = REPO):
    """Start `streamlit run app.py [args]` on a free port; yield (url, Popen) once it is healthy; stop it by its
    own pid. `loopback=False` leaves the address to .streamlit/config.toml (to test what it says). `tree`: the
    checkout whose app.py runs (bench/stroke_cost.py compares two)."""
    port = free_port()
    if log_path is None:
        ARTIFACTS.mkdir(exist_ok=True)
        log_path = ARTIFACTS / f"streamlit-{port}.log"
    log = open(log_path, "w")
    where = ["--server.address", "127.0.0.1"] if loopback else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), *where,
         "--server.headless", "true", *args],
        cwd=tree, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout_s
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"streamlit did not start: see {log.name}")
            time.sleep(0.3)
        yield url, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def streamlit_server(env: dict | None = None, timeout_s: float = 60):
    """Start `streamlit run app.py` on a free loopback port; yield its URL; stop it by its own pid."""
    with streamlit_process(env=env, timeout_s=timeout_s) as (url, _):
        yield url


@contextlib.contextmanager
def chromium():
    """Debian's chromium through Playwright: one browser, for as many pages as a test module needs."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 1000):
    with chromium() as browser:
        yield browser.new_page(viewport={"width": width, "height": height})


def phone_page(browser):
    """A phone-sized page (390 × 844, the size of a common phone) that takes touch."""
    return browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                            device_scale_factor=2)


def _canvas_xy(canvas, points) -> list[tuple[float, float]]:
    box = canvas.bounding_box()
    return [(box["x"] + u * box["width"], box["y"] + v * box["height"]) for u, v in points]


def stroke(page, canvas, points, steps: int = 5) -> None:
    """Draw one mouse stroke through `points`, given in [0, 1] canvas coordinates."""
    xy = _canvas_xy(canvas, points)
    page.mouse.move(*xy[0])
    page.mouse.down()
    for x, y in xy[1:]:
        page.mouse.move(x, y, steps=steps)
    page.mouse.up()


def touch_stroke(page, canvas, points, steps: int = 5) -> None:
    """Draw one finger stroke through `points` ([0, 1] canvas coordinates) with Chromium's touch events."""
    cdp = page.context.new_cdp_session(page)
    xy = _canvas_xy(canvas, points)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": xy[0][0], "y": xy[0][1]}]})
    for (x0, y0), (x1, y1) in zip(xy, xy[1:]):
        for i in range(1, steps + 1):
            x, y = x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def settled(page, timeout_ms: float = 60_000) -> None:
    """Wait until Streamlit's rerun is over: no element is marked stale (Playwright's expect, not a sleep)."""
    from playwright.sync_api import expect
    expect(page.locator("[data-stale='true']")).to_have_count(0, timeout=timeout_ms)


def ready_canvas(page, timeout_ms: float = 30_000):
    """The first drawing surface, once its component has mounted: the aria-label is set after its pointer
    listeners and its link to Streamlit, so a stroke drawn from then on is sent."""
    import re

    from playwright.sync_api import expect
    c = page.locator("canvas.dl-ink").first
    expect(c).to_have_attribute("aria-label", re.compile(r"\S"), timeout=timeout_ms)
    return c


INK_AT = """(c, [x, y, r]) => {  // inked pixels of the canvas within r px of (x, y), in the canvas's own pixels
  const d = c.getContext('2d').getImageData(Math.max(0, x - r), Math.max(0, y - r), 2 * r, 2 * r).data;
  let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n; }"""


def ink_at(canvas, x: float, y: float, r: int = 4) -> int:
    """How many pixels within r of canvas pixel (x, y) hold ink."""
    return canvas.evaluate(INK_AT, [round(x), round(y), r])


SHOWN = """() => ({
  alerts: [...document.querySelectorAll('.stAlert')].map(e => e.innerText.trim()),
  errors: document.querySelectorAll('.stException').length,
  stale: document.querySelectorAll("[data-stale='true']").length,
})"""
INKED = """cs => cs.map(c => {  // each canvas's inked pixels
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n; })"""


def what_the_page_shows(page) -> str:
    """For a wait that failed: the page's alerts, error boxes and elements still being re-run, and how many
    inked pixels each canvas holds (0: the strokes missed it), so that a failure in CI says which it was.
    The canvases are in their component's shadow root, which Playwright's locators pierce."""
    try:
        return str({**page.evaluate(SHOWN), "ink": page.locator("canvas.dl-ink").evaluate_all(INKED)})
    except Exception as e:  # noqa: BLE001 - a page that cannot even answer this is itself the finding
        return f"the page did not answer ({e})"
