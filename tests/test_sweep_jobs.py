"""A sweep as a background job: it starts, rows arrive while it runs, a page opened mid-way (a reload)
shows it live, a stop keeps the rows so far, a killed sweep reads "interrupted", and it shares the
harness of runs (a crash before it starts, the time limit)."""

import json
import os
import signal

import pytest

from jobs import process
from jobs import queue as jobs
from model.paths import REPO
from sweep import job as sweep_jobs
from sweep.core import SweepConfig
from tests import apptest
from train import run as train_run
from ui.safe_text import md

SWEEP_PAGE = "app_pages/sweep.py"

# six one-width pieces; the test holds it after each row (tests/hold/sitecustomize.py) until it lets go
SWEEP = SweepConfig(ks=(1,), ms=(8, 16, 24, 32, 40, 48), epochs=2, lr=0.5, subset=3000, device="cpu", max_units=8)


@pytest.fixture
def hold(sweep_root, tmp_path, monkeypatch):
    """A file that, while it exists, holds every sweep the queue starts after each finished cell."""
    path = tmp_path / "hold"
    path.touch()
    monkeypatch.setenv("DIGITLAB_TEST_HOLD", str(path))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO / "tests" / "hold"), os.environ.get("PYTHONPATH", "")]))
    yield path
    path.unlink(missing_ok=True)  # let go, so the fixture's clean-up can stop what is left


def wait_rows(folder, n: int, timeout_s: float = 300) -> list[dict]:
    return process.wait_until(lambda: sweep_jobs.rows(folder), lambda rows: len(rows) >= n, timeout_s, folder,
                              interval_s=0.3)


def wait_state(folder, states, timeout_s: float = 120):
    return process.wait_until(lambda: sweep_jobs.read(folder), lambda s: s is not None and s.state in states,
                              timeout_s, folder, interval_s=0.2)


def test_start_live_rows_reload_and_stop(hold):
    folder = sweep_jobs.start(SWEEP)
    assert sweep_jobs.read(folder).state in ("queued", "starting", "running")
    first = wait_rows(folder, 1)
    assert first[0]["k"] == 1 and first[0]["m"] == 8 and 0 <= first[0]["test_acc"] <= 1
    assert sweep_jobs.read(folder).state == "running"  # held after its first cell

    at = apptest.open_page(SWEEP_PAGE)  # a fresh session, as after a reload: the running sweep is shown, live
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert f"{md(folder.name)}: training" in text  # names from folders are shown escaped
    assert "of 6 models done" in text and "left" in text

    sweep_jobs.stop(folder)
    hold.unlink()
    info = sweep_jobs.wait(folder, 120)
    assert info.state == "stopped"
    kept = sweep_jobs.rows(folder)
    assert 1 <= len(kept) < 6 and (folder / "results.json").exists()

    at = apptest.open_page(SWEEP_PAGE, "zh")  # and after it ended: the result loads, in Chinese too
    assert any(f"{md(folder.name)}：已停止" in m.value for m in at.markdown)
    assert any("最好：k = 1" in s.value for s in at.success)


def test_a_killed_sweep_reads_interrupted(hold):
    folder = sweep_jobs.start(SWEEP)
    info = wait_state(folder, ("running",))
    os.kill(info.status["pid"], signal.SIGKILL)
    info = wait_state(folder, ("interrupted",), 30)
    assert "SIGKILL" in info.status["note"]
    with pytest.raises(ValueError):
        sweep_jobs.delete(folder.parent.parent / "elsewhere")
    sweep_jobs.delete(folder)
    assert not folder.exists()


def test_a_sweep_that_dies_before_it_starts_fails_with_its_log_as_a_run_does(sweep_root):
    folder = sweep_jobs.create(SWEEP)
    raw = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**raw, "sweep": {**raw["sweep"], "epochs": "two"}}))
    assert jobs.tick() == [folder]
    info = jobs.wait(folder, 60)  # today's sweeps read "interrupted" here; runs, "failed"
    assert info.state == "failed" and info.error, info.status


def test_a_sweep_past_its_time_limit_stops_and_keeps_its_rows(sweep_root, monkeypatch):
    monkeypatch.setenv(jobs.HOURS, str(1 / 3600))  # one second: it passes while the sweep loads or trains
    folder = sweep_jobs.start(SWEEP)
    info = sweep_jobs.wait(folder, 300)
    assert info.state == "stopped" and info.job.time_limited, info.status
    rows = json.loads((folder / "results.json").read_text())["rows"]
    assert len(rows) < 6 and rows == sweep_jobs.rows(folder) and info.status["cells_done"] == len(rows)


def test_a_sweep_and_a_training_run_share_the_cpu_queue(hold, tiny_cfg):
    """On one CPU they never train at once: each waits for the other, in the order they were started,
    and starts when the other ends, with no page open (the ending job's supervisor ticks the queue)."""
    long_run = train_run.submit(tiny_cfg(epochs=500, subset=2000, batch_size=16), name="long")
    sweep = sweep_jobs.start(SWEEP)
    info = sweep_jobs.read(sweep)
    assert jobs.read(long_run).state in ("starting", "running")
    assert info.waiting and info.slot == "cpu" and jobs.snapshot().places[sweep] == 1
    after = train_run.submit(tiny_cfg(), name="after the sweep")
    assert jobs.snapshot().places[after] == 2 and jobs.tick() == []  # the CPU is busy: nothing else starts

    at = apptest.open_page(SWEEP_PAGE)  # the page says it waits, and where
    assert any("Waiting for the CPU: number 1 in the queue. Now running there: “long”." in i.value
               for i in at.info), [i.value for i in at.info]
    assert not at.get("plotly_chart")  # no empty plots while it waits

    jobs.stop(long_run)
    assert jobs.wait(long_run, 60).state == "stopped"
    wait_rows(sweep, 1)  # the run's end started the sweep, now held after its first cell
    assert jobs.read(after).state == "queued"  # and the run after it still waits
    sweep_jobs.stop(sweep)
    hold.unlink()
    assert sweep_jobs.wait(sweep, 120).state == "stopped"
    assert jobs.wait(after, 120).state == "done", (after / "log.txt").read_text()  # the sweep's end started it


def test_a_waiting_sweep_is_cancelled_and_never_starts(sweep_root, tiny_cfg):
    long_run = train_run.submit(tiny_cfg(epochs=500, subset=2000, batch_size=16), name="long")
    sweep = sweep_jobs.start(SWEEP)
    sweep_jobs.stop(sweep)
    info = sweep_jobs.read(sweep)
    assert info.state == "stopped" and "cancelled" in info.status["note"]
    jobs.stop(long_run)
    jobs.wait(long_run, 60)
    assert jobs.tick() == [] and sweep_jobs.read(sweep).state == "stopped" and not sweep_jobs.rows(sweep)
    at = apptest.open_page(SWEEP_PAGE)
    assert not at.exception
