"""A training job started from the app yields the CPU: lower priority and one core fewer (jobs/background.py)."""

import dataclasses
import json
import os
import subprocess
import sys

import psutil
import pytest

from jobs import background
from jobs import folder as rundir
from jobs import queue as jobs
from model.paths import REPO
from model.presets import get
from train import run as train_run

PROBE = ("import json, os, torch; from jobs import background; done = background.apply(); "
         "print(json.dumps({'nice': os.nice(0), 'threads': torch.get_num_threads(), 'done': done}))")


def probe(env: dict) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in (background.NICE, background.THREADS)}
    out = subprocess.run([sys.executable, "-c", PROBE], env={**clean, **env}, capture_output=True, text=True,
                         check=True, cwd=REPO)
    return json.loads(out.stdout)


def test_default_threads_leave_one_core_for_the_server():
    assert [background.default_threads(n) for n in (1, 2, 4, 16)] == [1, 1, 3, 15]


def test_serving_env_sets_both_and_keeps_what_the_user_set():
    env = background.serving_env({})
    assert env == {background.NICE: "10", background.THREADS: str(background.default_threads())}
    mine = {background.NICE: "0", background.THREADS: "3"}
    assert background.serving_env(mine) == mine


def test_the_app_marks_its_environment_for_the_jobs_it_starts(monkeypatch):
    from streamlit.testing.v1 import AppTest
    monkeypatch.delenv(background.NICE, raising=False)
    monkeypatch.delenv(background.THREADS, raising=False)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert os.environ.get(background.NICE) == "10"  # monkeypatch restores the environment afterwards
    assert os.environ.get(background.THREADS) == str(background.default_threads())


def test_apply_lowers_priority_and_threads_only_when_asked():
    plain = probe({})
    assert plain["done"] == {}
    asked = probe({background.NICE: "5", background.THREADS: "1"})
    assert asked["nice"] == min(19, plain["nice"] + 5) and asked["threads"] == 1
    off = probe({background.NICE: "0", background.THREADS: "0"})
    assert off["nice"] == plain["nice"] and off["threads"] == plain["threads"]


@pytest.fixture
def quiet_runs(runs, monkeypatch):
    """`runs`, with neither priority variable set beforehand."""
    monkeypatch.delenv(background.NICE, raising=False)
    monkeypatch.delenv(background.THREADS, raising=False)
    return runs


def test_a_job_from_the_jobs_api_while_serving_trains_at_lower_priority(quiet_runs, monkeypatch):
    for k, v in background.serving_env({}).items():  # what app.py's mark_serving() sets
        monkeypatch.setenv(k, v)
    cfg = dataclasses.replace(get("seed001-mlp").train, epochs=500, subset=2000, batch_size=16, device="cpu")
    folder = train_run.submit(cfg, name="background")
    run = jobs.wait(folder, 90, states=("running", "done", "stopped", "failed", "interrupted"))
    assert run.state == "running", (run.status, (folder / "log.txt").read_text())
    job = psutil.Process(int(rundir.read_status(folder)["pid"]))
    assert job.nice() == min(19, os.nice(0) + background.DEFAULT_NICE)
    jobs.stop(folder)
    assert jobs.wait(folder, 60).state == "stopped"
