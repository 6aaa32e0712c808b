"""jobs/standby.py and train/standby.py: a warm process takes the next run, which then ends as a cold one
would (its status, checkpoint and log), and a standby never serves a job started with other settings."""

import json
import os
import time

import psutil
import pytest

from jobs import process, standby
from train import run


@pytest.fixture
def warm(runs, monkeypatch):
    monkeypatch.setenv(standby.SWITCH, "1")
    assert run.warm_standby(runs)
    assert not run.warm_standby(runs)  # one on its way: a second refresh starts none
    process.wait_until(lambda: standby.ready_count(runs), bool, 120, runs / standby.DIR, interval_s=0.2)
    (offer,) = [json.loads(p.read_text()) for p in (runs / standby.DIR).glob("*.ready")]
    yield runs, offer
    if (proc := process.find(offer)) is not None:
        proc.kill()


def test_a_warm_standby_runs_the_next_run_to_its_end(warm, tiny_cfg):
    runs, offer = warm
    folder = run.submit(tiny_cfg(), name="warm")
    info = run.wait(folder, 120)
    assert info.state == "done", (info.error, (folder / "log.txt").read_text())
    assert json.loads((folder / ".exit").read_text()) == {"code": 0}  # written by the standby alone
    assert (folder / "model.safetensors").exists() and "checkpoint:" in (folder / "log.txt").read_text()
    process.wait_until(lambda: process.alive(offer), lambda a: not a, 30, folder)  # one job per standby


def test_a_job_started_with_other_settings_starts_cold(warm, tiny_cfg, monkeypatch):
    runs, offer = warm
    monkeypatch.setenv("DIGITLAB_TRAIN_THREADS", "7")  # not what the standby started with
    folder = run.submit(tiny_cfg(), name="cold")
    assert run.wait(folder, 120).state == "done"
    assert not (folder / ".exit").exists()
    assert process.alive(offer) and standby.ready_count(runs) == 1  # still there for the next run


def test_a_standby_killed_during_its_run_leaves_it_interrupted(warm, tiny_cfg):
    runs, offer = warm
    folder = run.submit(tiny_cfg(epochs=30), name="killed")
    process.wait_until(lambda: run.read_run(folder), lambda r: r is not None and r.state == "running", 60, folder)
    psutil.Process(offer["pid"]).kill()
    info = run.wait(folder, 60, states={"interrupted", "failed"})
    assert info.state == "interrupted" and "SIGKILL" in json.dumps(json.loads((folder / "status.json").read_text()))


def test_two_supervisors_cannot_take_one_standby(tmp_path):
    me = process.identity()
    standby.offer(tmp_path, "train", {"DIGITLAB_X": "1"})
    assert standby.take(tmp_path, "sweep", {"DIGITLAB_X": "1"}) is None       # another command
    assert standby.take(tmp_path, "train", {"DIGITLAB_X": "2"}) is None       # other settings
    assert standby.take(tmp_path, "train", {"DIGITLAB_X": "1"})["pid"] == me["pid"]
    assert standby.take(tmp_path, "train", {"DIGITLAB_X": "1"}) is None       # taken already


@pytest.mark.alone
def test_an_idle_standby_withdraws_and_a_dead_ones_offer_is_dropped(tmp_path):
    standby.offer(tmp_path, "train", {})
    t = time.time()
    assert standby.wait_for_job(tmp_path, idle_s=0.3) is None and time.time() - t < 5
    assert not list((tmp_path / standby.DIR).glob("*.ready"))
    dead = tmp_path / standby.DIR / "999999.ready"
    dead.write_text(json.dumps({"pid": 999999, "created": 1.0, "module": "train", "env": {}}))
    assert standby.take(tmp_path, "train", {}) is None and not dead.exists()


def test_switched_off_nothing_is_started(runs, monkeypatch):
    monkeypatch.setenv(standby.SWITCH, "0")
    assert not run.warm_standby(runs) and not (runs / standby.DIR).exists()
    assert os.environ[standby.SWITCH] == "0"


def test_the_teachers_first_page_readies_a_standby_and_a_students_does_not(runs, monkeypatch):
    """app.py, not only the Train page: the teacher usually starts on the Draw page and presses Start later."""
    from streamlit.testing.v1 import AppTest

    from model.paths import REPO
    monkeypatch.setenv(standby.SWITCH, "1")
    monkeypatch.setenv("DIGITLAB_TEACHER_KEY", "key-for-the-standby-test")
    student = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    student.run()
    assert not student.exception and not (runs / standby.DIR).exists()
    teacher = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    teacher.query_params["teacher"] = "key-for-the-standby-test"
    teacher.run()  # the Draw page, the default
    assert not teacher.exception and (runs / standby.DIR / "starting").exists()
    process.wait_until(lambda: standby.ready_count(runs), bool, 120, runs / standby.DIR, interval_s=0.2)
    for offer in [json.loads(p.read_text()) for p in (runs / standby.DIR).glob("*.ready")]:
        if (proc := process.find(offer)) is not None:
            proc.kill()
