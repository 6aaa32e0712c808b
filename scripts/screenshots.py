"""Screenshots of the pages a class sees, in both languages, on a projector (1280 × 720) and a phone (390 × 844).

Starts the app on a loopback port and writes artifacts/screens/<page>-<lang>-<w>x<h>.png: Draw (after a
stroke: a finger on the phone), Evaluate (the confusion matrix), Train (the first run in the history
ticked, so its curves show: train one first, e.g. `python -m train --preset mlp --subset 3000 --epochs 2`)
and Explore. Each page is also saved in full (…-full.png). Look at them: a test cannot say "readable".

    PYTHONPATH=. .venv/bin/python scripts/screenshots.py [--pages draw,train] [--langs en,zh] [--projector]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import ARTIFACTS, chromium, phone_page, streamlit_server, stroke, touch_stroke  # noqa: E402

SEVEN = [(0.25, 0.2), (0.7, 0.2), (0.42, 0.85)]
SIZES = {"projector": (1280, 720), "phone": (390, 844)}


def draw(page, phone: bool) -> None:
    canvas = page.locator("canvas.dl-ink").first
    canvas.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)  # the component attaches its listeners after it appears
    (touch_stroke if phone else stroke)(page, canvas, SEVEN, steps=6)
    page.locator(".st-key-prediction-mlp .dl-digit").wait_for(timeout=30_000)


def evaluate(page, phone: bool) -> None:
    page.locator("[data-testid=stPlotlyChart]").first.wait_for(timeout=120_000)
    page.locator("[data-testid=stPlotlyChart]").first.scroll_into_view_if_needed()


def train(page, phone: bool) -> None:
    grid = page.locator("[data-testid=stDataFrame]").first
    grid.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's tick box (header 35 px, rows 35 px)
    chart = page.locator(".st-key-train_cmp_acc, [data-testid=stPlotlyChart]").last
    chart.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # plotly draws after the element appears
    chart.scroll_into_view_if_needed()


def explore(page, phone: bool) -> None:
    page.locator("[data-testid=stPlotlyChart]").first.wait_for(timeout=120_000)
    page.wait_for_timeout(1500)


PAGES = {"draw": draw, "evaluate": evaluate, "train": train, "explore": explore}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default=",".join(PAGES))
    ap.add_argument("--langs", default="en,zh")
    ap.add_argument("--sizes", default=",".join(SIZES))
    ap.add_argument("--projector", action="store_true", help="with the sidebar's Projector switch on")
    args = ap.parse_args()
    out = ARTIFACTS / "screens"
    out.mkdir(parents=True, exist_ok=True)
    with streamlit_server(timeout_s=120) as url, chromium() as browser:
        for size in args.sizes.split(","):
            w, h = SIZES[size]
            for lang in args.langs.split(","):
                for name in args.pages.split(","):
                    phone = size == "phone"
                    page = phone_page(browser) if phone else browser.new_page(viewport={"width": w, "height": h})
                    try:
                        switch = "&projector=1" if args.projector else ""
                        page.goto(f"{url}/{'' if name == 'draw' else name}?lang={lang}{switch}")
                        PAGES[name](page, phone)
                        stem = out / f"{name}-{lang}-{w}x{h}{'-projector' if args.projector else ''}"
                        page.screenshot(path=f"{stem}.png")
                        page.screenshot(path=f"{stem}-full.png", full_page=True)
                        print(f"{stem}.png")
                    except Exception as e:  # noqa: BLE001 - one page's failure should not hide the others
                        print(f"{name} {lang} {size}: {e}")
                    finally:
                        page.close()


if __name__ == "__main__":
    main()
