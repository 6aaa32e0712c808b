"""Real browser: start a tiny sweep from the Sweep page, watch seed 004's plot gain points, then find
the finished sweep with its best cell. Saves artifacts/sweep.png, and the page at 1280×720 and 390×844
in both languages (artifacts/sweep-{en,zh}-{1280x720,390x844}[-live].png)."""

import pytest
from playwright.sync_api import expect

from sweep import job as sweep_jobs
from tests.browser import ARTIFACTS, browser_page, chromium, phone_page, settled, streamlit_server

pytestmark = pytest.mark.browser

POINTS = """() => { const g = document.querySelector('[class*="st-key-sweep_lines_"] .js-plotly-plot');
                    return g && g.data ? g.data.reduce((n, tr) => n + tr.x.length, 0) : 0; }"""


def set_field(page, role: str, label: str, value) -> None:
    box = page.get_by_role(role, name=label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    settled(page)


def test_a_tiny_sweep_from_the_page_fills_the_plot(tmp_path):
    runs = tmp_path / "runs"
    with streamlit_server({"DIGITLAB_RUNS": str(runs)}) as url, browser_page(1400, 1400) as page:
        page.goto(url + "/sweep")
        page.get_by_role("heading", name="How deep, how wide? Seed 004's sweep").wait_for(timeout=30_000)
        page.locator('[class*="st-key-sweep_ks"]').get_by_role("combobox").click()
        page.get_by_role("option", name="2", exact=True).click()
        page.keyboard.press("Escape")
        page.get_by_text("List", exact=True).click()
        set_field(page, "textbox", "Widths, comma-separated", "8, 16, 32")
        set_field(page, "spinbutton", "Epochs", 6)
        set_field(page, "spinbutton", "Learning rate", 1.0)
        set_field(page, "spinbutton", "L2", 0.1)
        set_field(page, "spinbutton", "Train on the first N images only (0: all)", 20_000)
        page.get_by_text("The NumPy twin, one model at a time (for small grids)").click()
        expect(page.get_by_text("6 models in 2 batched pieces")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("on this machine: an estimate from a few timed steps here")).to_be_visible(
            timeout=30_000)
        page.get_by_role("button", name="Start sweep").click()

        # the plot fills in: k = 1's three widths appear while k = 2 is still to come (the count is read in
        # the page at every animation frame), then both lines, all widths, with the best cell
        page.wait_for_function(f"() => ({POINTS})() === 3 && !document.body.innerText.includes('Best: k = ')",
                               timeout=240_000)
        page.get_by_text("Best: k = ").wait_for(timeout=240_000)
        page.wait_for_function(f"() => ({POINTS})() === 6", timeout=30_000)  # both lines, all widths
        page.screenshot(path=str(ARTIFACTS / "sweep.png"), full_page=True)

        (info,) = sweep_jobs.list_sweeps(runs / "sweeps")
        assert info.state == "done" and [(r["k"], r["m"]) for r in sweep_jobs.rows(info.folder)] == \
            [(1, 8), (1, 16), (1, 32), (2, 8), (2, 16), (2, 32)]
        page.goto(url + "/sweep?lang=zh")  # a reload finds the same sweep, in Chinese
        page.get_by_text("最好：k = ").wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "sweep-zh.png"), full_page=True)


def test_the_sweep_page_at_laptop_and_phone_sizes_in_both_languages(tmp_path, sweep_root, mnist):
    """Screenshots for a person to look at; each page must show its title and a finished sweep's best cell."""
    from sweep.config import SweepConfig
    cfg = SweepConfig(ks=(1, 2), ms=(8, 16, 32), epochs=1, lr=1.0, l2=0.1, subset=2000, backend="numpy")
    sweep_jobs.execute(sweep_jobs.create(cfg, name="tiny"), data=mnist)
    waiting = sweep_jobs.create(cfg, name="waiting one")  # the newest: shown first, waiting or starting
    runs = sweep_root.parent
    with streamlit_server({"DIGITLAB_RUNS": str(runs)}) as url, chromium() as browser:
        for lang, best, estimate in (("en", "Best: k = ", "an estimate from a few timed steps"),
                                     ("zh", "最好：k = ", "根据在这里计时的几步估计")):
            for name, page in (("1280x720", browser.new_page(viewport={"width": 1280, "height": 720})),
                               ("390x844", phone_page(browser))):
                page.goto(f"{url}/sweep?lang={lang}")
                page.get_by_text("教程 004" if lang == "zh" else "Seed 004's sweep").first.wait_for(timeout=60_000)
                page.get_by_text("waiting one").first.wait_for(timeout=30_000)
                page.screenshot(path=str(ARTIFACTS / f"sweep-{lang}-{name}-live.png"), full_page=True)
                sweep_jobs.wait(waiting, 180)  # then the form opens: no sweep is active
                page.goto(f"{url}/sweep?lang={lang}&sweep={sweep_jobs.list_sweeps(runs / 'sweeps')[-1].folder.name}")
                page.get_by_text(best).wait_for(timeout=60_000)
                page.get_by_text(estimate).first.wait_for(timeout=60_000)  # the form has drawn, its time measured
                page.get_by_role("spinbutton").first.wait_for(timeout=60_000)  # and its widgets, not their skeletons
                page.screenshot(path=str(ARTIFACTS / f"sweep-{lang}-{name}.png"), full_page=True)
                page.close()
