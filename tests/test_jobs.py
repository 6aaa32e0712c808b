"""Jobs as subprocesses: submit, queue per device, stop, cancel, failure, interruption, the time limit.

Every run lives in a temporary DIGITLAB_RUNS (the `runs` fixture), so the real runs/ is never touched.
Jobs are tiny CPU runs (2,000 images); a "long" job has many epochs and is stopped or killed by the test.
"""

import ast
import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest

from jobs import folder as rundir
from jobs import process, record, supervisor, system
from jobs import queue as jobs
from model import store
from model.paths import REPO
from model.presets import get
from tests import apptest
from train import catalog
from train import run as train_run


def tiny(**changes):
    base = get("seed001-mlp").train
    return dataclasses.replace(base, **{"epochs": 1, "subset": 2000, "device": "cpu", "max_steps": 10, **changes})


def long_job(**changes):  # many epochs of 2,000 images: runs until the test stops it
    return tiny(epochs=500, max_steps=0, batch_size=16, **changes)


def wait_running(folder, timeout_s=60):
    return jobs.wait(folder, timeout_s, states=("running", "done", "stopped", "failed", "interrupted"))


def wait_steps(folder, n=1, timeout_s=60):
    return process.wait_until(lambda: rundir.read_events(folder)[0],
                              lambda evs: sum(e["kind"] == "step" for e in evs) >= n, timeout_s, folder)


def test_a_submitted_job_trains_in_a_subprocess_and_becomes_a_model(runs):
    folder = train_run.submit(tiny(), name="my first net")
    run = jobs.wait(folder, 90)
    assert run.state == "done", (run.status, (folder / "log.txt").read_text())
    assert run.metrics["test_acc"] > 0.3 and run.name == "my first net" and run.kind == "run"
    assert (folder / "log.txt").exists() and not (folder / "STOP").exists()
    entry = next(e for e in catalog.list_models() if e.path == folder)  # the Draw page's pickers read this
    assert entry.name == "my first net" and entry.source == "run"
    model, info = store.load(folder)
    assert info["metrics"]["test_acc"] == run.metrics["test_acc"]


def test_cpu_jobs_queue_in_order_and_can_be_stopped_or_cancelled(runs):
    first = train_run.submit(long_job(), name="long")
    second = train_run.submit(tiny(), name="second")
    third = train_run.submit(tiny(), name="third")
    by = {r.folder: r for r in train_run.list_runs()}
    assert by[first].state in ("starting", "running") and by[first].slot == "cpu"
    assert (by[second].state, by[second].position) == ("queued", 1)
    assert (by[third].state, by[third].position) == ("queued", 2)
    assert jobs.tick() == []  # the CPU is busy: nothing else starts

    assert jobs.cancel(second)
    run = jobs.read(second)
    assert run.state == "stopped" and "cancelled" in run.note
    by = {r.folder: r for r in train_run.list_runs()}  # positions are recomputed: the third job moves up
    assert [by[f].position for f in (first, second, third)] == [None, None, 1]

    wait_steps(first)
    assert jobs.stop(first) == "stopping"
    run = jobs.wait(first, 60)
    assert run.state == "stopped", (run.status, (first / "log.txt").read_text())
    model, info = store.load(first)  # a stopped run still leaves a usable checkpoint
    assert info["metrics"]["stop_reason"] == "stopped"

    # the first job's supervisor ticks when it ends: the next one starts with no page open to poll
    assert jobs.wait(third, 90).state == "done", (third / "log.txt").read_text()
    assert "started: " + third.name in (first / "log.txt").read_text()
    assert jobs.read(second).state == "stopped"  # a cancelled job never runs


def test_a_job_runs_under_a_python_supervisor_not_a_shell(runs):
    folder = train_run.submit(long_job())
    run = wait_running(folder)
    supervisor_proc = process.find(process.read_claim(folder))
    assert supervisor_proc is not None and supervisor_proc.cmdline()[:4] == [sys.executable, "-m", "jobs", "--run"]
    assert psutil.Process(run.status["pid"]).ppid() == supervisor_proc.pid  # the job is its child: no /bin/sh
    jobs.stop(folder)
    assert jobs.wait(folder, 60).state == "stopped"


def test_two_sessions_ticking_at_once_start_a_job_only_once(runs):
    folder = train_run.submit(tiny(), start=False)
    assert process.take_claim(folder)  # another session got there first
    assert jobs.tick() == [] and jobs.read(folder).state == "starting"
    (folder / "claim").unlink()
    assert jobs.tick() == [folder] and jobs.tick() == []
    assert jobs.wait(folder, 90).state == "done"


def test_a_killed_job_reads_as_interrupted_and_is_written_so(runs):
    folder = train_run.submit(long_job())
    run = wait_running(folder)
    assert run.state == "running"
    os.kill(run.status["pid"], signal.SIGKILL)
    run = jobs.wait(folder, 10)
    assert run.state == "interrupted" and "SIGKILL" in run.note
    assert rundir.read_status(folder)["state"] == "interrupted"  # written by its supervisor, not only shown
    assert all(e.path != folder for e in catalog.list_models())


def test_a_job_the_system_killed_for_memory_says_so(runs, monkeypatch):
    """The supervisor (here in this process) sees its job die of SIGKILL while Linux's count of
    out-of-memory kills rose (stood in for: a real one would take the machine's memory)."""
    counts = iter([7, 8])
    monkeypatch.setattr(system, "oom_kills", lambda: next(counts))
    folder = train_run.submit(long_job(), start=False)
    watcher = threading.Thread(target=supervisor.supervise, args=(folder,))
    watcher.start()
    run = wait_running(folder)
    os.kill(run.status["pid"], signal.SIGKILL)
    watcher.join(60)
    run = jobs.read(folder)
    assert run.state == "failed" and "killed for lack of memory" in run.error, run.status


def test_reads_are_pure_and_tick_writes_down_a_dead_or_reused_pid(runs):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    a = train_run.prepare(runs / "a", tiny())
    rundir.write_status(a, "running", pid=dead.pid, created=0.0)
    b = train_run.prepare(runs / "b", tiny())
    me = process.identity()
    rundir.write_status(b, "running", pid=me["pid"], created=me["created"] - 100)  # alive, but another process
    before = {f: (f / "status.json").read_bytes() for f in (a, b)}
    assert {r.folder.name: r.state for r in train_run.list_runs()} == {"a": "interrupted", "b": "interrupted"}
    assert {f: (f / "status.json").read_bytes() for f in (a, b)} == before  # a listing writes nothing
    assert jobs.refresh().get(a).state == "interrupted"  # a page refresh ticks: the end is written down
    assert rundir.read_status(a)["state"] == rundir.read_status(b)["state"] == "interrupted"
    assert "killed, or the machine restarted" in rundir.read_status(a)["note"]


def test_a_diverging_job_fails_with_its_reason(runs):
    cfg = dataclasses.replace(get("mlp-300").train, lr=100.0, epochs=1, subset=2000, device="cpu")
    folder = train_run.submit(cfg)
    run = jobs.wait(folder, 90)
    assert run.state == "failed" and "diverged" in run.error, run.status


def test_a_job_that_dies_before_training_fails_with_the_end_of_its_log(runs):
    folder = train_run.submit(tiny(), start=False)
    raw = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**raw, "lr": 1e6}))  # the CLI refuses it
    assert jobs.tick() == [folder]
    run = jobs.wait(folder, 60)
    assert run.state == "failed" and "learning rate" in run.error


def test_a_job_past_its_time_limit_stops_with_its_checkpoint(runs, monkeypatch):
    monkeypatch.setenv(jobs.HOURS, str(3 / 3600))  # three seconds, for this test
    folder = train_run.submit(long_job())
    assert json.loads((folder / "job.json").read_text())["limit_s"] == pytest.approx(3)
    run = jobs.wait(folder, 90)
    assert run.state == "stopped" and run.time_limited and run.status["limit_s"] == pytest.approx(3), run.status
    model, info = store.load(folder)  # the checkpoint is kept
    assert info["metrics"]["stop_reason"] == "stopped"
    assert jobs.time_limit_s({jobs.HOURS: "0"}) is None and jobs.time_limit_s({}) == jobs.DEFAULT_HOURS * 3600


def test_a_full_queue_refuses_with_a_sentence(runs):
    for _ in range(3):
        train_run.submit(tiny(), start=False)
    with pytest.raises(jobs.QueueFull, match="the queue is full: 3 jobs are waiting") as e:
        train_run.submit(tiny(), start=False, cap=3)
    assert e.value.waiting == 3 and len(train_run.list_runs()) == 3  # nothing was written


def test_a_job_outlives_the_process_that_started_it(runs):
    """Killing the Streamlit server mid-job loses nothing: the job is detached from it."""
    code = ("import dataclasses, time; from model.presets import get; from train import run; "
            "cfg = dataclasses.replace(get('seed001-mlp').train, epochs=2, subset=2000, device='cpu'); "
            "print(run.submit(cfg), flush=True); time.sleep(60)")
    server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    folder = Path(server.stdout.readline().strip())
    server.kill()  # SIGKILL, mid-job
    server.wait()
    run = jobs.wait(folder, 90)
    assert run.state == "done", (run.status, (folder / "log.txt").read_text())
    store.load(folder)


def test_reading_and_ticking_the_queue_imports_no_torch(runs):
    folder = train_run.submit(tiny(), start=False)
    (folder / "claim").touch()  # being started elsewhere: a tick reads it and starts nothing
    code = ("import sys; from jobs import queue; queue.tick(sys.argv[1]); queue.snapshot(sys.argv[1]); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(runs)], capture_output=True, text=True, cwd=REPO,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, check=True)
    assert out.stdout.strip() == "False", out.stderr
    (folder / "claim").unlink()  # the other starter lets go: the job is cancelled now, not after the claim's grace


def test_delete_refuses_a_running_job_by_its_name_and_removes_a_finished_one(runs, tmp_path):
    folder = train_run.submit(long_job(), name="still going")
    wait_running(folder)
    with pytest.raises(jobs.JobBusy, match="“still going” is still running: stop it first") as e:
        jobs.delete(folder, runs)
    assert str(runs) not in str(e.value)
    with pytest.raises(ValueError, match="not one of the jobs listed here"):
        jobs.delete(tmp_path, runs)
    jobs.stop(folder)
    jobs.wait(folder, 60)
    jobs.delete(folder, runs)
    assert not folder.exists() and train_run.list_runs() == []


# ---------------------------------------------------------------- the Train page's use of the queue


def test_a_train_page_refresh_reads_each_job_once_and_writes_nothing(runs, monkeypatch):
    """Issue 17, 6: each queued card asked the queue again, and each listing rewrote status files."""
    folders = [train_run.submit(tiny(), start=False) for _ in range(5)]
    monkeypatch.setitem(jobs.LIMITS, "cpu", 0)  # nothing may start: the page only shows the queue
    at = apptest.open_page("app_pages/train.py")
    reads, real = [], record.read
    monkeypatch.setattr(record, "read", lambda folder: reads.append(folder) or real(folder))
    before = {f: (f / "status.json").stat().st_mtime_ns for f in folders}
    at.run()
    assert not at.exception
    assert sorted(reads) == sorted(folders)  # one snapshot, handed to the live view, every card and the table
    assert {f: (f / "status.json").stat().st_mtime_ns for f in folders} == before
    assert sum("number 5 in the queue" in i.value for i in at.info) == 1


def test_start_on_a_full_queue_says_so(runs, monkeypatch):
    monkeypatch.setattr(jobs, "MAX_WAITING", 2)
    monkeypatch.setitem(jobs.LIMITS, "cpu", 0)
    for _ in range(2):
        train_run.submit(tiny(), start=False)
    at = apptest.open_page("app_pages/train.py")
    at.button(key="train_submit").click().run()
    assert not at.exception
    assert any("The queue is full: 2 jobs are waiting already" in e.value for e in at.error), at.error
    assert len(train_run.list_runs()) == 2


def test_deleting_a_run_another_session_started_names_it_not_a_path(runs):
    """Issue 17, 14: picked in this session's table while it waited, then started by another session."""
    from ui.train import run_history
    folder = train_run.submit(tiny(), name="picked one", start=False)
    (picked,) = train_run.list_runs()
    assert picked.state == "queued" and not picked.busy  # the table lets this session delete it
    assert process.take_claim(folder)  # another session's tick claims it
    message = run_history.delete([picked])
    assert "picked one" in message and str(runs) not in message and "/" not in message
    assert folder.exists()
    (folder / "claim").unlink()  # the other session lets go: the job is cancelled now, not after the claim's grace


def posix_only(path: Path) -> list[str]:
    """The POSIX-only calls, signals, keywords and paths in a module's code (docstrings aside)."""
    calls = {"os.kill", "os.nice", "os.killpg", "os.setsid", "os.getpgid", "signal.SIGKILL", "signal.SIGTERM",
             "signal.SIGHUP", "os.fork"}
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            found += [f"{node.value.id}.{node.attr}"] if f"{node.value.id}.{node.attr}" in calls else []
        elif isinstance(node, ast.keyword) and node.arg in ("start_new_session", "preexec_fn"):
            found.append(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 80:
            found += [w for w in ("/bin/sh", "/proc/") if w in node.value]  # (docstrings are longer)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            found += [n.name for n in node.names if n.name in ("shlex", "fcntl", "resource")]
    return found


def test_no_posix_only_call_outside_the_platform_module():
    """Issue 18, 5: teachers have Windows and macOS. Only jobs/system.py may know the operating system."""
    files = [*(REPO / "jobs").glob("*.py"), REPO / "train" / "run.py", REPO / "sweep" / "job.py"]
    found = {p.name: posix_only(p) for p in files if p.name != "system.py"}
    assert not {name: words for name, words in found.items() if words}
    assert posix_only(REPO / "jobs" / "system.py")  # the check sees them where they are
