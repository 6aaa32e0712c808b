"""Training jobs as subprocesses: submit, queue per device, stop, cancel, failure and interruption.

Every run lives in a temporary DIGITLAB_RUNS, so the real runs/ is never touched. Jobs are tiny CPU runs
(2,000 images); a "long" job has many epochs and is stopped or killed by the test.
"""

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jobs import folder as rundir
from jobs import process
from jobs import queue as jobs
from model import store
from model.paths import REPO
from model.presets import get
from train import catalog


@pytest.fixture
def runs(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    monkeypatch.setenv("DIGITLAB_RUNS", str(root))
    yield root
    for run in jobs.list_runs(root):  # never leave a job behind
        if run.state in ("starting", "running"):
            jobs.stop(run.folder)
            jobs.wait(run.folder, 30)


def tiny(**changes):
    base = get("seed001-mlp").train
    return dataclasses.replace(base, **{"epochs": 1, "subset": 2000, "device": "cpu", "max_steps": 10, **changes})


def long_job(**changes):  # many epochs of 2,000 images: runs until the test stops it
    return tiny(epochs=500, max_steps=0, batch_size=16, **changes)


def wait_running(folder, timeout_s=60):
    return jobs.wait(folder, timeout_s, states=("running", "done", "stopped", "failed", "interrupted"))


def wait_steps(folder, n=1, timeout_s=60):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        events, _ = rundir.read_events(folder)
        if sum(e["kind"] == "step" for e in events) >= n:
            return events
        time.sleep(0.1)
    raise TimeoutError(f"{folder}: no step events")


def test_a_submitted_job_trains_in_a_subprocess_and_becomes_a_model(runs):
    folder = jobs.submit(tiny(), name="my first net")
    run = jobs.wait(folder, 90)
    assert run.state == "done", (run.status, (folder / "log.txt").read_text())
    assert run.metrics["test_acc"] > 0.3 and run.config["name"] == "my first net"
    assert (folder / "log.txt").exists() and not (folder / "STOP").exists()
    entry = next(e for e in catalog.list_models() if e.path == folder)  # the Draw page's pickers read this
    assert entry.name == "my first net" and entry.source == "run"
    model, info = store.load(folder)
    assert info["metrics"]["test_acc"] == run.metrics["test_acc"]


def test_cpu_jobs_queue_in_order_and_can_be_stopped_or_cancelled(runs):
    first = jobs.submit(long_job(), name="long")
    second = jobs.submit(tiny(), name="second")
    third = jobs.submit(tiny(), name="third")
    by = {r.folder: r for r in jobs.list_runs()}
    assert by[first].state in ("starting", "running") and by[first].slot == "cpu"
    assert (by[second].state, by[second].position) == ("queued", 1)
    assert (by[third].state, by[third].position) == ("queued", 2)
    assert jobs.tick() == []  # the CPU is busy: nothing else starts

    assert jobs.cancel(second)
    run = jobs.read_run(second)
    assert run.state == "stopped" and "cancelled" in run.note
    by = {r.folder: r for r in jobs.list_runs()}  # positions are recomputed: the third job moves up
    assert [by[f].position for f in (first, second, third)] == [None, None, 1]

    wait_steps(first)
    assert jobs.stop(first) == "stopping"
    run = jobs.wait(first, 60)
    assert run.state == "stopped", (run.status, (first / "log.txt").read_text())
    model, info = store.load(first)  # a stopped run still leaves a usable checkpoint
    assert info["metrics"]["stop_reason"] == "stopped"

    # the first job's shell ticks when it ends: the next one starts with no page open to poll
    assert jobs.wait(third, 90).state == "done", (third / "log.txt").read_text()
    assert "started: " + third.name in (first / "log.txt").read_text()
    assert jobs.read_run(second).state == "stopped"  # a cancelled job never runs


def test_two_sessions_ticking_at_once_start_a_job_only_once(runs):
    folder = jobs.submit(tiny(), start=False)
    assert process.take_claim(folder)  # another session got there first
    assert jobs.tick() == [] and jobs.read_run(folder).state == "starting"
    (folder / "claim").unlink()
    assert jobs.tick() == [folder] and jobs.tick() == []
    assert jobs.wait(folder, 90).state == "done"


def test_a_killed_job_reads_as_interrupted_and_is_rewritten(runs):
    folder = jobs.submit(long_job())
    run = wait_running(folder)
    assert run.state == "running"
    os.kill(run.status["pid"], signal.SIGKILL)
    run = jobs.wait(folder, 10)
    assert run.state == "interrupted"
    assert rundir.read_status(folder)["state"] == "interrupted"  # rewritten on disk, not only shown
    assert all(e.path != folder for e in catalog.list_models())


def test_a_running_status_with_a_dead_or_reused_pid_is_interrupted(runs):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    a = rundir.prepare(runs / "a", tiny())
    rundir.write_status(a, "running", pid=dead.pid)
    b = rundir.prepare(runs / "b", tiny())
    rundir.write_status(b, "running", pid=os.getpid())  # alive, but not a training process: pid reuse
    assert {r.folder.name: r.state for r in jobs.list_runs()} == {"a": "interrupted", "b": "interrupted"}
    # listing rewrote them on disk: a later reader (another session, a terminal) sees the same
    assert rundir.read_status(a)["state"] == rundir.read_status(b)["state"] == "interrupted"
    assert "killed, or the machine restarted" in rundir.read_status(a)["note"]


def test_a_diverging_job_fails_with_its_reason(runs):
    cfg = dataclasses.replace(get("mlp-300").train, lr=100.0, epochs=1, subset=2000, device="cpu")
    folder = jobs.submit(cfg)
    run = jobs.wait(folder, 90)
    assert run.state == "failed" and "diverged" in run.error, run.status


def test_a_job_that_dies_before_training_fails_with_the_end_of_its_log(runs):
    folder = jobs.submit(tiny(), start=False)
    raw = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**raw, "lr": 1e6}))  # the CLI refuses it
    assert jobs.tick() == [folder]
    run = jobs.wait(folder, 60)
    assert run.state == "failed" and "learning rate" in run.error


def test_a_job_outlives_the_process_that_started_it(runs):
    """Killing the Streamlit server mid-job loses nothing: the job is in its own session."""
    code = ("import dataclasses, time; from model.presets import get; from jobs import queue as jobs; "
            "cfg = dataclasses.replace(get('seed001-mlp').train, epochs=2, subset=2000, device='cpu'); "
            "print(jobs.submit(cfg), flush=True); time.sleep(60)")
    server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    folder = Path(server.stdout.readline().strip())
    server.kill()  # SIGKILL, mid-job
    server.wait()
    run = jobs.wait(folder, 90)
    assert run.state == "done", (run.status, (folder / "log.txt").read_text())
    store.load(folder)


def test_delete_refuses_a_running_job_and_removes_a_finished_one(runs, tmp_path):
    folder = jobs.submit(long_job())
    wait_running(folder)
    with pytest.raises(ValueError, match="stop it first"):
        jobs.delete(folder)
    with pytest.raises(ValueError, match="not a run directory"):
        jobs.delete(tmp_path)
    jobs.stop(folder)
    jobs.wait(folder, 60)
    jobs.delete(folder)
    assert not folder.exists() and jobs.list_runs() == []
