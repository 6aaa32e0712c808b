"""A sweep as a background job: it starts, rows arrive while it runs, a page opened mid-way (a reload)
shows it live, a stop keeps the rows so far, and a killed sweep reads "interrupted"."""

import os
import signal
import time

import pytest

from sweep import job as sweep_jobs
from sweep.core import SweepConfig
from tests import apptest
from ui.safe_text import md

# six one-width pieces: rows arrive one piece at a time, long before the sweep could end
SLOW = SweepConfig(ks=(1,), ms=(8, 16, 24, 32, 40, 48), epochs=2, lr=0.5, subset=3000, device="cpu", max_units=8)




def wait_rows(folder, n: int, timeout_s: float = 300) -> list[dict]:
    deadline = time.time() + timeout_s
    while len(rows := sweep_jobs.rows(folder)) < n:
        assert time.time() < deadline, f"only {len(rows)} rows after {timeout_s} s"
        assert sweep_jobs.read(folder).active, sweep_jobs.read(folder).status
        time.sleep(0.3)
    return rows


def open_page(lang="en"):
    return apptest.open_page("app_pages/sweep.py", lang)


def test_start_live_rows_reload_and_stop(sweep_root):
    folder = sweep_jobs.start(SLOW)
    assert sweep_jobs.read(folder).state in ("queued", "running")
    first = wait_rows(folder, 1)
    assert first[0]["k"] == 1 and first[0]["m"] == 8 and 0 <= first[0]["test_acc"] <= 1

    at = open_page()  # a fresh session, as after a reload: the running sweep is shown, live
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert f"{md(folder.name)}: training" in text  # names from folders are shown escaped
    assert "of 6 models done" in text and "left" in text

    sweep_jobs.stop(folder)
    info = sweep_jobs.wait(folder, 120)
    assert info.state == "stopped"
    kept = sweep_jobs.rows(folder)
    assert 1 <= len(kept) < 6 and (folder / "results.json").exists()

    at = open_page("zh")  # and after it ended: the result loads, in Chinese too
    assert any(f"{md(folder.name)}：已停止" in m.value for m in at.markdown)
    assert any("最好：k = 1" in s.value for s in at.success)


def test_a_killed_sweep_reads_interrupted(sweep_root):
    folder = sweep_jobs.start(SLOW)
    deadline = time.time() + 120
    while (info := sweep_jobs.read(folder)).state != "running":
        assert time.time() < deadline and info.active, info.status
        time.sleep(0.2)
    os.kill(info.status["pid"], signal.SIGKILL)
    deadline = time.time() + 30
    while (info := sweep_jobs.read(folder)).state != "interrupted":
        assert time.time() < deadline, info.status
        time.sleep(0.2)
    with pytest.raises(ValueError):
        sweep_jobs.delete(folder.parent.parent / "elsewhere")
    sweep_jobs.delete(folder)
    assert not folder.exists()


def test_a_sweep_and_a_training_run_share_the_cpu_queue(sweep_root, tiny_cfg):
    """On one CPU they never train at once: each waits for the other, in the order they were started,
    and starts when the other ends, with no page open (the ending job's shell ticks the queue)."""
    from jobs import queue as jobs
    long_run = jobs.submit(tiny_cfg(epochs=500, subset=2000, batch_size=16), name="long")
    sweep = sweep_jobs.start(SLOW)
    info = sweep_jobs.read(sweep)
    assert jobs.read_run(long_run).state in ("starting", "running")
    assert info.waiting and info.slot == "cpu" and jobs.queue().places[sweep] == 1
    after = jobs.submit(tiny_cfg(), name="after the sweep")
    assert jobs.queue().places[after] == 2 and jobs.tick() == []  # the CPU is busy: nothing else starts

    at = open_page()  # the page says it waits, and where
    assert any("Waiting for the CPU: number 1 in the queue. Now running there: “long”." in i.value
               for i in at.info), [i.value for i in at.info]
    assert not at.get("plotly_chart")  # no empty plots while it waits

    jobs.stop(long_run)
    assert jobs.wait(long_run, 60).state == "stopped"
    wait_rows(sweep, 1)  # the run's end started the sweep
    assert jobs.read_run(after).state == "queued"  # and the run after it still waits
    sweep_jobs.stop(sweep)
    assert sweep_jobs.wait(sweep, 120).state == "stopped"
    assert jobs.wait(after, 120).state == "done", (after / "log.txt").read_text()  # the sweep's end started it


def test_a_waiting_sweep_is_cancelled_and_never_starts(sweep_root, tiny_cfg):
    from jobs import queue as jobs
    long_run = jobs.submit(tiny_cfg(epochs=500, subset=2000, batch_size=16), name="long")
    sweep = sweep_jobs.start(SLOW)
    sweep_jobs.stop(sweep)
    info = sweep_jobs.read(sweep)
    assert info.state == "stopped" and "cancelled" in info.status["note"]
    jobs.stop(long_run)
    jobs.wait(long_run, 60)
    assert jobs.tick() == [] and sweep_jobs.read(sweep).state == "stopped" and not sweep_jobs.rows(sweep)
    at = open_page()
    assert not at.exception
