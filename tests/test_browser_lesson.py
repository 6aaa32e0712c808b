"""Real browser, a lesson in small: a student's browser cannot start a run and the teacher link can (then
stops it); the class wall fills as a student saves drawings, and the teacher hides one. One server with a
teacher key, as `./run.sh --lan` starts it (bound to loopback here; the students' address is announced as a
documentation address so that the join panel shows). Saves artifacts/lesson_*.png at 1280×720 and 390×844."""

import re

import pytest
from playwright.sync_api import expect

from classroom import drawings as collection
from jobs import queue as jobs
from tests.browser import ARTIFACTS, chromium, phone_page, ready_canvas, settled, streamlit_process, touch_stroke
from train import run as train_run

pytestmark = pytest.mark.browser

KEY = "browser-test-teacher-key-1234"
DIGITS = {7: [(0.25, 0.2), (0.7, 0.2), (0.42, 0.85)], 1: [(0.62, 0.15), (0.6, 0.85)]}
LONG = 60_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lesson")
    env = {"DIGITLAB_TEACHER_KEY": KEY, "DIGITLAB_RUNS": str(tmp / "runs"), "DIGITLAB_DRAWINGS": str(tmp / "drawings")}
    with streamlit_process(["--browser.serverAddress", "192.0.2.10"], env) as (url, _):
        yield url, tmp
    for run in train_run.list_runs(tmp / "runs"):
        if run.active:
            jobs.stop(run.folder)
            jobs.wait(run.folder, 120)


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lesson_{name}.png"))


def teacher(browser, url: str, width=1280, height=720):
    """A page that opened the teacher link. Moves within the app by its links: a reload is a new session."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{url}/?teacher={KEY}")
    page.get_by_text("You hold the teacher's controls").wait_for(timeout=LONG)
    expect(page).not_to_have_url(re.compile("teacher="))  # the key left the projected address bar
    assert KEY not in page.content()
    return page


def sidebar(phone, text: str) -> None:
    """Open a phone's collapsed sidebar and wait until it has slid in."""
    if phone.get_by_test_id("stExpandSidebarButton").is_visible():
        phone.get_by_test_id("stExpandSidebarButton").click()
    phone.get_by_text(text).wait_for(timeout=LONG)
    phone.wait_for_function("document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().left >= 0")


def set_number(page, label: str, value) -> None:
    box = page.get_by_role("spinbutton", name=label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    expect(box).to_have_value(str(value))
    settled(page)


def test_a_student_cannot_start_a_run_and_the_teacher_link_can(server, browser):
    url, tmp = server
    student = browser.new_page(viewport={"width": 1280, "height": 720})
    student.goto(url + "/train")
    student.get_by_role("heading", name="Train a model").wait_for(timeout=LONG)
    student.get_by_text("Student view").wait_for(timeout=LONG)
    expect(student.get_by_role("button", name="Start training")).to_be_disabled()
    student.get_by_text("I am the teacher").click()
    field = student.get_by_role("textbox", name="Teacher key")
    expect(field).to_have_attribute("type", "password")  # the projector never shows what is typed
    expect(field).to_be_in_viewport()
    shot(student, "student_train_en")

    page = teacher(browser, url)
    page.get_by_role("link", name="Train").click()
    page.get_by_role("heading", name="Train a model").wait_for(timeout=LONG)
    page.get_by_role("combobox", name="Recipe").click()
    page.get_by_role("option", name="001 · Keras MLP").click()
    page.get_by_text("Advanced").click()
    set_number(page, "Batch size", 16)
    set_number(page, "How long: epochs", 200)  # long enough to see it running and stop it
    set_number(page, "Training images (0 = all)", 3000)
    page.get_by_role("button", name="Start training").click(timeout=120_000)  # after the model's speed is timed
    page.locator("[class*='st-key-train_card_']").first.wait_for(timeout=LONG)
    assert len(train_run.list_runs(tmp / "runs")) == 1

    student.reload()  # the student watches the teacher's run, and cannot stop it
    stop = student.locator("[class*='st-key-train_card_']").get_by_role("button", name="Stop")
    stop.wait_for(timeout=LONG)
    expect(stop).to_be_disabled()
    page.bring_to_front()  # a tab in the background gets no animation frames: Playwright's click waits on them
    page.locator("[class*='st-key-train_card_']").get_by_role("button", name="Stop").click()
    (run,) = train_run.list_runs(tmp / "runs")
    assert jobs.wait(run.folder, 120).state == "stopped"
    student.close()
    page.close()


def test_the_wall_fills_as_drawings_are_saved_and_the_teacher_hides_one(server, browser):
    url, tmp = server
    wall = teacher(browser, url)
    wall.get_by_role("link", name="Class wall").click()
    wall.get_by_text("No drawings yet").wait_for(timeout=LONG)
    wall.get_by_text("Scan the code").wait_for(timeout=LONG)
    expect(wall.get_by_text("192.0.2.10:")).to_be_visible()

    phone = phone_page(browser)
    phone.goto(url + "/?lang=en")
    canvas = ready_canvas(phone, LONG)
    for n, label in enumerate((7, 1), start=1):
        touch_stroke(phone, canvas, DIGITS[label], steps=6)
        phone.locator(".st-key-prediction-cnn .dl-digit").wait_for(timeout=LONG)
        phone.locator(".st-key-coll_pick button[role=radio]").nth(label).click()
        phone.locator(".st-key-coll-count").get_by_text(f"Saved as a {label}.").wait_for(timeout=LONG)
        expect(wall.locator(".dl-tile")).to_have_count(n, timeout=LONG)  # live: no reload
        phone.get_by_role("button", name="Clear").click()
        phone.locator(".st-key-prediction-cnn").wait_for(state="detached", timeout=LONG)
    wall.get_by_text(re.compile(r"The CNN read \d of 2 right, the MLP \d\.")).wait_for(timeout=LONG)
    assert wall.locator(".dl-tile .dl-label").first.inner_text() == "1"  # newest first
    shot(wall, "wall_teacher_en")
    wall.get_by_text("中文").click()
    wall.get_by_text(re.compile(r"CNN 认对了 2 个中的 \d 个")).wait_for(timeout=LONG)
    shot(wall, "wall_teacher_zh")
    wall.get_by_role("button", name="显示加入方式").click()
    wall.get_by_role("heading", name="加入课堂").wait_for(timeout=LONG)
    shot(wall, "join_zh")
    wall.keyboard.press("Escape")
    wall.get_by_text("English").click()
    wall.get_by_text("The CNN read").wait_for(timeout=LONG)

    phone.goto(url + "/wall?lang=en")
    expect(phone.locator(".dl-tile")).to_have_count(2, timeout=LONG)
    assert phone.get_by_text("Choose drawings to hide").count() == 0  # a student has no hiding controls
    shot(phone, "wall_student_en")
    sidebar(phone, "Student view")
    shot(phone, "sidebar_student_en")
    phone.goto(url + "/wall?lang=zh")
    phone.get_by_text(re.compile(r"CNN 认对了 2 个中的")).wait_for(timeout=LONG)
    shot(phone, "wall_student_zh")
    sidebar(phone, "学生视图")
    shot(phone, "sidebar_student_zh")

    wall.bring_to_front()
    wall.get_by_text("Choose drawings to hide").click()
    hide = wall.get_by_role("button", name="Hide", exact=True)
    expect(hide).to_have_count(2, timeout=LONG)
    hide.first.click()
    expect(wall.locator(".dl-tile")).to_have_count(1, timeout=LONG)
    assert len(collection.load(tmp / "drawings")) == 1
    wall.close()
    phone.close()
