"""Real browser: start a small CPU job from the Train page, watch the curve grow, leave and come back,
stop it, and find the stopped run in the Draw page's model picker. Saves artifacts/train.png."""

import time

import pytest
from playwright.sync_api import expect

from jobs import queue as jobs
from tests.browser import ARTIFACTS, browser_page, settled, streamlit_server
from train import run as train_run

pytestmark = pytest.mark.browser

POINTS = """(more) => { const g = document.querySelector('[class*="st-key-train_card_"] .js-plotly-plot');
                        return g && g.data && g.data[0].x.length > more; }"""  # train-accuracy points, live run
COUNT = """() => document.querySelector('[class*="st-key-train_card_"] .js-plotly-plot').data[0].x.length"""


def set_number(page, label: str, value) -> None:
    box = page.get_by_role("spinbutton", name=label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    expect(box).to_have_value(str(value))
    settled(page)


def wait_points(page, more_than: int, timeout_s: float = 60) -> int:
    """Wait until the live curve has more than `more_than` points; return how many it has."""
    page.wait_for_function(POINTS, arg=more_than, timeout=timeout_s * 1000)
    return page.evaluate(COUNT)


def test_train_from_the_page_stop_and_pick_the_model(tmp_path):
    runs = tmp_path / "runs"
    with streamlit_server({"DIGITLAB_RUNS": str(runs)}) as url, browser_page(1400, 1250) as page:
        page.goto(url + "/train")
        page.get_by_role("heading", name="Train a model").wait_for(timeout=30_000)
        # 001 · Keras MLP on 3,000 images at batch 16: ~190 steps an epoch, long enough to watch and stop
        page.get_by_role("combobox", name="Recipe").click()
        page.get_by_role("option", name="001 · Keras MLP").click()
        page.get_by_text("Advanced").click()
        set_number(page, "Batch size", 16)
        set_number(page, "How long: epochs", 200)  # far more than the test waits for, even on a fast machine
        set_number(page, "Training images (0 = all)", 3000)
        page.get_by_role("textbox", name="Name", exact=True).fill("browser run")
        page.get_by_role("textbox", name="Name", exact=True).press("Enter")
        settled(page)
        page.get_by_role("button", name="Start training").click(timeout=120_000)  # after each new model is timed
        clicked = time.perf_counter()

        first = wait_points(page, 0)
        # Start → first point: a process starts, imports torch, loads MNIST. Printed, not asserted: this
        # machine's load decides it (the engine's own part, one step, is asserted in test_engine.py)
        print(f"first curve point {time.perf_counter() - clicked:.1f} s after Start")
        later = wait_points(page, first + 2)  # the curve gains points within the first epoch
        page.get_by_text("images/s").first.wait_for(timeout=10_000)  # progress bar: epoch, speed, time left
        page.get_by_text(" left · ").first.wait_for(timeout=30_000)  # "estimating…" gave way to an estimate
        page.get_by_role("heading", name="Train a model").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "train.png"))

        # leave the page and come back: the same job, still running, with its whole curve
        page.get_by_role("link", name="Draw").click()
        page.get_by_role("heading", name="Draw a digit").wait_for(timeout=30_000)
        page.get_by_role("link", name="Train").click()
        assert wait_points(page, later) > later
        page.get_by_text("training").first.wait_for(timeout=10_000)

        page.get_by_role("button", name="Stop").click()
        (folder,) = [r.folder for r in train_run.list_runs(runs)]
        run = jobs.wait(folder, 90)  # finishes its step, scores the test set, saves: slow on a busy CPU
        assert run.state == "stopped" and run.metrics["test_acc"] > 0.5
        page.get_by_text("pick “browser run” on the Draw page").wait_for(timeout=30_000)

        page.get_by_role("link", name="Draw").click()
        page.get_by_role("combobox", name="MLP model").click(timeout=30_000)  # the Draw page's MLP picker
        page.get_by_role("option", name="browser run").first.wait_for(timeout=10_000)
